//! The change metrics of Kamei et al. (TSE 2013) for each commit of a git repository, read with
//! gix (pure Rust), for `kiro risk features`.
//!
//! Commits are taken from the walk of `HEAD` (or of `B` for a range `A..B`, without what `A`
//! reaches) and processed oldest first (by committer time, then author time, then id), so that
//! every history metric counts only the past. The definitions, per commit:
//!
//! - a commit's **files** are the blobs and symbolic links its diff to its first parent changes (the empty tree for
//!   the first commit); a rename (git's rename detection, as configured) is one file at its new
//!   path, whose history continues from the old path; **merges are skipped** (their changes are
//!   their parents'); a **binary** file (a NUL byte in its first 8,000 bytes, as git decides)
//!   counts in `nf`, `ns`, `nd` but has no lines; submodules are not files;
//! - `ns`: distinct top-level directories (a file at the root is in the subsystem `""`); `nd`:
//!   distinct parent directories; `nf`: files;
//! - `la`, `ld`: lines added and deleted (Myers' diff, git's default); `lt`: lines of the changed files
//!   before the commit (0 for an added file);
//! - `entropy`: `-Σ pᵢ log₂ pᵢ`, `pᵢ` a file's share of the lines changed (0 without lines);
//! - `fix`: 1 when the message contains `fix`, `bug`, `defect` or `patch` (any case), a
//!   heuristic as documented by Kamei et al.;
//! - `ndev`: distinct authors (by e-mail) who changed these files before; `age`: the mean, over
//!   files changed before, of the days since their last change; `nuc`: distinct earlier
//!   commits that changed these files;
//! - `exp`: the author's earlier commits; `rexp`: those weighted by `1 / (1 + years ago)`;
//!   `sexp`: the author's earlier commits in the same subsystems.
//!
//! Labels (`bug`) are computed only when asked for, with the SZZ heuristic (see [`Labels`] and
//! the `szz` module); otherwise which commits later needed a fix comes from the user.

mod szz;

use gix::bstr::ByteSlice;
use gix::diff::blob::{Algorithm, Diff, InternedInput};
use gix::object::tree::diff::ChangeDetached;
use kiro::{Code, Diagnostic};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The metrics of one commit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommitMetrics {
    /// The commit id.
    pub commit: String,
    /// Committer time, seconds since 1970.
    pub date: i64,
    /// Subsystems touched.
    pub ns: u32,
    /// Directories touched.
    pub nd: u32,
    /// Files touched.
    pub nf: u32,
    /// Spread of the change over its files.
    pub entropy: f64,
    /// Lines added.
    pub la: u64,
    /// Lines deleted.
    pub ld: u64,
    /// Lines of the touched files before the change.
    pub lt: u64,
    /// Whether the message says the commit fixes a defect.
    pub fix: u8,
    /// Developers who changed the files before.
    pub ndev: u32,
    /// Mean days since the files last changed.
    pub age: f64,
    /// Earlier commits that changed the files.
    pub nuc: u32,
    /// The author's earlier commits.
    pub exp: u32,
    /// The author's earlier commits, weighted by recency.
    pub rexp: f64,
    /// The author's earlier commits in these subsystems.
    pub sexp: u32,
    /// Whether the commit introduced a defect, by the labeller asked for (none: no label).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bug: Option<u8>,
}

/// How [`features`] labels the commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Labels {
    /// No labels: the user adds them.
    None,
    /// The SZZ heuristic (B-SZZ): a commit that last touched, before a later fix commit, a line
    /// that fix deleted or changed is labelled 1, every other commit 0.
    Szz,
}

fn error(message: impl Into<String>, help: &str) -> Diagnostic {
    Diagnostic::error(Code::InvalidRepository, message)
        .with_help(help)
        .with_source("repository")
}

/// An author's earlier commits: their times, and their count per subsystem.
type AuthorHistory = (Vec<i64>, BTreeMap<Vec<u8>, u32>);

/// A file a commit changed: its path, the path it was renamed from, lines added, deleted and
/// before.
type Touched = (Vec<u8>, Option<Vec<u8>>, u64, u64, u64);

/// What the history knows about one file.
#[derive(Default)]
struct FileHistory {
    last_change: i64,
    authors: BTreeSet<String>,
    commits: BTreeSet<usize>,
}

/// The metrics of every non-merge commit of the repository at `path`, oldest first, labelled
/// as `labels` says.
///
/// # Errors
/// `KIRO-E174` for a path that is not a repository, a shallow clone (its history is cut, so
/// the history metrics would be wrong), a range that names nothing, a file blame fails on for
/// the labels; the repository's own read errors with the same code.
pub fn features(
    path: &Path,
    range: Option<&str>,
    labels: Labels,
) -> Result<Vec<CommitMetrics>, Diagnostic> {
    let git = |e: &dyn std::fmt::Display| error(format!("reading the repository: {e}"), "");
    let mut repo = gix::open(path).map_err(|e| {
        error(
            format!("`{}` is not a git repository: {e}", path.display()),
            "give the folder that holds `.git`",
        )
    })?;
    if labels == Labels::Szz {
        // Blame reads the same trees and blobs again and again, fix after fix.
        repo.object_cache_size_if_unset(64 << 20);
    }
    if repo.is_shallow().map_err(|e| git(&e))? {
        return Err(error(
            format!("`{}` is a shallow clone", path.display()),
            "the history metrics need the whole history: `git fetch --unshallow`",
        ));
    }
    let (tip, hidden) = match range {
        None => (
            repo.head_id()
                .map_err(|e| error(format!("the repository has no commit: {e}"), ""))?
                .detach(),
            None,
        ),
        Some(range) => {
            let resolve = |spec: &str| {
                repo.rev_parse_single(spec)
                    .map(|id| id.detach())
                    .map_err(|e| {
                        error(
                            format!("`{spec}` names no commit: {e}"),
                            "write `A..B` or one revision",
                        )
                    })
            };
            match range.split_once("..") {
                Some((a, b)) => (
                    resolve(if b.is_empty() { "HEAD" } else { b })?,
                    Some(resolve(a)?),
                ),
                None => (resolve(range)?, None),
            }
        }
    };
    let mut walk = repo.rev_walk([tip]);
    if let Some(hidden) = hidden {
        walk = walk.with_hidden([hidden]);
    }
    let mut commits = Vec::new();
    for info in walk.all().map_err(|e| git(&e))? {
        let info = info.map_err(|e| git(&e))?;
        let commit = repo.find_commit(info.id).map_err(|e| git(&e))?;
        let committed = commit.time().map_err(|e| git(&e))?.seconds;
        let author = commit.author().map_err(|e| git(&e))?;
        let authored = author.time().map_err(|e| git(&e))?.seconds;
        let email = author.email.to_str_lossy().to_lowercase();
        let parents: Vec<gix::ObjectId> = commit.parent_ids().map(|p| p.detach()).collect();
        commits.push((committed, authored, info.id, email, parents));
    }
    commits.sort_by_key(|c| (c.0, c.1, c.2));

    let mut files: BTreeMap<Vec<u8>, FileHistory> = BTreeMap::new();
    // Per author: the times of their commits, and per subsystem their commit count.
    let mut authors: BTreeMap<String, AuthorHistory> = BTreeMap::new();
    let mut out = Vec::new();
    // The lines fixes deleted or changed, to blame for the labels.
    let mut blames = Vec::new();
    for (index, (date, _, id, email, parents)) in commits.iter().enumerate() {
        if parents.len() > 1 {
            continue;
        }
        let commit = repo.find_commit(*id).map_err(|e| git(&e))?;
        let tree = commit.tree().map_err(|e| git(&e))?;
        let parent_tree = match parents.first() {
            Some(p) => Some(
                repo.find_commit(*p)
                    .map_err(|e| git(&e))?
                    .tree()
                    .map_err(|e| git(&e))?,
            ),
            None => None,
        };
        let changes = repo
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)
            .map_err(|e| git(&e))?;
        let message = commit
            .message_raw()
            .map_err(|e| git(&e))?
            .to_str_lossy()
            .to_lowercase();
        let fix = u8::from(
            ["fix", "bug", "defect", "patch"]
                .iter()
                .any(|w| message.contains(w)),
        );
        // The parent whose lines a fix's are blamed in, when labelling.
        let blame_in = parents
            .first()
            .filter(|_| fix == 1 && labels == Labels::Szz);
        // (path, previous path, lines added, deleted, lines before)
        let mut touched: Vec<Touched> = Vec::new();
        for change in &changes {
            // (path, previous path, old blob, new blob, the path in the parent whose lines a
            // fix's blame can name: none for an addition or a copy, which deletes no line)
            let (location, previous, old, new, old_path) = match change {
                ChangeDetached::Addition {
                    location,
                    entry_mode,
                    id,
                    ..
                } if entry_mode.is_blob_or_symlink() => (location, None, None, Some(*id), None),
                ChangeDetached::Deletion {
                    location,
                    entry_mode,
                    id,
                    ..
                } if entry_mode.is_blob_or_symlink() => {
                    (location, None, Some(*id), None, Some(location))
                }
                ChangeDetached::Modification {
                    location,
                    entry_mode,
                    previous_id,
                    id,
                    ..
                } if entry_mode.is_blob_or_symlink() => (
                    location,
                    None,
                    Some(*previous_id),
                    Some(*id),
                    Some(location),
                ),
                ChangeDetached::Rewrite {
                    source_location,
                    location,
                    source_id,
                    id,
                    entry_mode,
                    copy,
                    ..
                } if entry_mode.is_blob_or_symlink() => {
                    let previous = (!copy).then(|| source_location.to_vec());
                    let old_path = (!copy).then_some(source_location);
                    (location, previous, Some(*source_id), Some(*id), old_path)
                }
                _ => continue,
            };
            let data = |id: Option<gix::ObjectId>| -> Result<Vec<u8>, Diagnostic> {
                match id {
                    None => Ok(Vec::new()),
                    Some(id) => Ok(repo.find_object(id).map_err(|e| git(&e))?.data.clone()),
                }
            };
            let (before, after) = (data(old)?, data(new)?);
            let binary = |d: &[u8]| d.iter().take(8000).any(|&b| b == 0);
            let (la, ld, lt) = if binary(&before) || binary(&after) {
                (0, 0, 0)
            } else {
                let input = InternedInput::new(before.as_slice(), after.as_slice());
                // Myers, git's default, so that the counts are `git diff --numstat`'s.
                let diff = Diff::compute(Algorithm::Myers, &input);
                if let (Some(parent), Some(old_path)) = (blame_in, old_path) {
                    let lines = szz::removed_lines(&diff);
                    // INVARIANT: never empty, which blame would read as the whole file.
                    if !lines.is_empty() {
                        blames.push(szz::Blame {
                            parent: *parent,
                            path: old_path.to_vec(),
                            lines,
                        });
                    }
                }
                (
                    u64::from(diff.count_additions()),
                    u64::from(diff.count_removals()),
                    input.before.len() as u64,
                )
            };
            touched.push((location.to_vec(), previous, la, ld, lt));
        }
        let subsystem = |p: &[u8]| {
            p.split(|&b| b == b'/')
                .next()
                .filter(|_| p.contains(&b'/'))
                .unwrap_or(b"")
                .to_vec()
        };
        let directory = |p: &[u8]| {
            p.rfind_byte(b'/')
                .map_or_else(Vec::new, |i| p[..i].to_vec())
        };
        let subsystems: BTreeSet<Vec<u8>> = touched.iter().map(|t| subsystem(&t.0)).collect();
        let directories: BTreeSet<Vec<u8>> = touched.iter().map(|t| directory(&t.0)).collect();
        let (la, ld, lt) = touched
            .iter()
            .fold((0, 0, 0), |a, t| (a.0 + t.2, a.1 + t.3, a.2 + t.4));
        let changed: f64 = (la + ld) as f64;
        let entropy = if changed > 0.0 {
            touched
                .iter()
                .map(|t| (t.2 + t.3) as f64 / changed)
                .filter(|&p| p > 0.0)
                .map(|p| -p * p.log2())
                .sum::<f64>()
                // A commit with one file gives -0.0, which would print as `-0`.
                + 0.0
        } else {
            0.0
        };
        let mut devs = BTreeSet::new();
        let mut prior = BTreeSet::new();
        let mut ages = Vec::new();
        for t in &touched {
            let key = t.1.as_ref().unwrap_or(&t.0);
            if let Some(h) = files.get(key) {
                devs.extend(h.authors.iter().cloned());
                prior.extend(h.commits.iter().copied());
                ages.push((date - h.last_change) as f64 / 86_400.0);
            }
        }
        let age = if ages.is_empty() {
            0.0
        } else {
            ages.iter().sum::<f64>() / ages.len() as f64
        };
        let (times, by_subsystem) = authors.entry(email.clone()).or_default();
        let exp = times.len() as u32;
        // `+ 0.0`: an empty sum of floats is -0.0, which would print as `-0`.
        let rexp: f64 = times
            .iter()
            .map(|t| 1.0 / (1.0 + ((date - t) as f64 / (365.25 * 86_400.0)).max(0.0)))
            .sum::<f64>()
            + 0.0;
        let sexp: u32 = subsystems
            .iter()
            .map(|s| by_subsystem.get(s).copied().unwrap_or(0))
            .sum();
        times.push(*date);
        for s in &subsystems {
            *by_subsystem.entry(s.clone()).or_default() += 1;
        }
        for t in &touched {
            let mut history =
                t.1.as_ref()
                    .and_then(|old| files.remove(old))
                    .unwrap_or_default();
            if let Some(h) = files.remove(&t.0) {
                history.authors.extend(h.authors);
                history.commits.extend(h.commits);
            }
            history.last_change = *date;
            history.authors.insert(email.clone());
            history.commits.insert(index);
            files.insert(t.0.clone(), history);
        }
        out.push(CommitMetrics {
            commit: id.to_string(),
            date: *date,
            ns: subsystems.len() as u32,
            nd: directories.len() as u32,
            nf: touched.len() as u32,
            entropy,
            la,
            ld,
            lt,
            fix,
            ndev: devs.len() as u32,
            age,
            nuc: prior.len() as u32,
            exp,
            rexp,
            sexp,
            bug: None,
        });
    }
    if labels == Labels::Szz {
        // Blame looks no further back than the range's oldest commit: older ones are outside it.
        let since = commits.iter().map(|c| c.0).min().unwrap_or(0);
        let introducers = szz::introducers(&repo, &blames, since, |m| {
            error(m, "the labels need every fixed file blamed")
        })?;
        for row in &mut out {
            row.bug = Some(u8::from(introducers.contains(&row.commit)));
        }
    }
    Ok(out)
}

/// The metrics as CSV with a header (`commit,commitdate,ns,…`), and a last `bug` column when the
/// rows are labelled: the form `kiro risk fit` reads once labelled.
#[must_use]
pub fn to_csv(rows: &[CommitMetrics]) -> String {
    let labelled = rows.iter().any(|r| r.bug.is_some());
    let mut out =
        String::from("commit,commitdate,ns,nd,nf,entropy,la,ld,lt,fix,ndev,age,nuc,exp,rexp,sexp");
    out.push_str(if labelled { ",bug\n" } else { "\n" });
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.commit,
            r.date,
            r.ns,
            r.nd,
            r.nf,
            r.entropy,
            r.la,
            r.ld,
            r.lt,
            r.fix,
            r.ndev,
            r.age,
            r.nuc,
            r.exp,
            r.rexp,
            r.sexp
        ));
        match r.bug {
            Some(bug) => out.push_str(&format!(",{bug}\n")),
            None => out.push('\n'),
        }
    }
    out
}
