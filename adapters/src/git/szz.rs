//! The SZZ heuristic (Śliwerski, Zimmermann and Zeller, MSR 2005) in its common "B-SZZ" form,
//! for `kiro risk features --label szz`: the commits that last touched the lines a fix deleted
//! or changed are labelled as having introduced a defect.
//!
//! For each fix commit (the `fix` metric's test of the message) and each text file it modifies,
//! renames with changes, or deletes, the lines on the parent's side of the diff's hunks (Myers'
//! diff, as for `ld`) are blamed in the parent (gix's blame: Myers' diff, renames followed as
//! git detects them by default) and every commit blame names is bug-introducing. Blame stops at
//! the oldest commit of the range (committer time): a line older than that is attributed to a
//! commit outside the range, which labels nothing.

use gix::diff::blob::Diff;
use gix::{ObjectId, Repository};
use kiro::Diagnostic;
use std::collections::BTreeSet;
use std::ops::RangeInclusive;

/// The lines of one file a fix deleted or changed, to be blamed in the fix's parent.
pub(super) struct Blame {
    /// The fix's (only) parent.
    pub parent: ObjectId,
    /// The file's path in the parent.
    pub path: Vec<u8>,
    /// The lines, 1-based and inclusive, as `git blame -L` takes them.
    pub lines: Vec<RangeInclusive<u32>>,
}

/// The lines on the old side of `diff`'s hunks (deleted or changed), 1-based and inclusive;
/// hunks that only add lines have none.
pub(super) fn removed_lines(diff: &Diff) -> Vec<RangeInclusive<u32>> {
    diff.hunks()
        .filter(|h| !h.before.is_empty())
        .map(|h| h.before.start + 1..=h.before.end)
        .collect()
}

/// The commits (ids in hex) blame names for `blames`' lines, none older (by committer time) than `since`
/// seconds since 1970.
///
/// # Errors
/// `KIRO-E174` when blame fails on a file, naming the file and the commit: a wrong or missing
/// label is never given silently.
pub(super) fn introducers(
    repo: &Repository,
    blames: &[Blame],
    since: i64,
    error: impl Fn(String) -> Diagnostic,
) -> Result<BTreeSet<String>, Diagnostic> {
    let mut found = BTreeSet::new();
    for blame in blames {
        let fail = |e: &dyn std::fmt::Display| {
            error(format!(
                "blaming `{}` in {} for the SZZ labels: {e}",
                String::from_utf8_lossy(&blame.path),
                blame.parent
            ))
        };
        let ranges = gix::blame::BlameRanges::from_one_based_inclusive_ranges(blame.lines.clone())
            .map_err(|e| fail(&e))?;
        let options = gix::repository::blame_file::Options {
            diff_algorithm: Some(gix::diff::blob::Algorithm::Myers),
            ranges,
            since: Some(gix::date::Time {
                seconds: since,
                offset: 0,
            }),
            rewrites: Some(gix::diff::Rewrites::default()),
        };
        let outcome = repo
            .blame_file(blame.path.as_slice().into(), blame.parent, options)
            .map_err(|e| fail(&e))?;
        found.extend(outcome.entries.iter().map(|e| e.commit_id.to_string()));
    }
    Ok(found)
}
