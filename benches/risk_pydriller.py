"""Cross-checks `kiro risk features` against PyDriller on the same repository: per non-merge
commit, the files changed (nf) and the lines added (la) and deleted (ld).

    python benches/risk_pydriller.py REPO [RANGE] [--kiro PATH-TO-KIRO] [--strict]

PyDriller asks git for the diffs (Myers' algorithm, git's rename detection); kiro uses gix
(histogram diff). The script prints how many commits agree exactly on each metric, and the
first disagreements; with `--strict` it exits with status 1 unless both list the same commits
and agree on every one (cli/tests/risk.rs runs it so on a repository with a known history).
Needs `pip install pydriller` (`.ci/install-tools.sh python` installs it into `.venv`).
"""

import csv
import io
import subprocess
import sys

from pydriller import Repository


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    kiro = "kiro"
    if "--kiro" in sys.argv:
        kiro = sys.argv[sys.argv.index("--kiro") + 1]
        args = [a for a in args if a != kiro]
    repo = args[0]
    rev = args[1] if len(args) > 1 else None
    command = [kiro, "risk", "features", "--repo", repo] + (["--rev", rev] if rev else [])
    ours = {r["commit"]: r for r in csv.DictReader(io.StringIO(subprocess.check_output(command, text=True)))}
    theirs = {}
    kwargs = {"only_no_merge": True}
    if rev and ".." in rev:
        kwargs["from_commit"], kwargs["to_commit"] = rev.split("..")
    for c in Repository(repo, **kwargs).traverse_commits():
        theirs[c.hash] = {"nf": c.files, "la": c.insertions, "ld": c.deletions}
    common = sorted(set(ours) & set(theirs))
    agree = bool(common) and set(ours) == set(theirs)
    print(f"{len(ours)} commits from kiro, {len(theirs)} from PyDriller, {len(common)} in both")
    for metric in ("nf", "la", "ld"):
        same = [h for h in common if int(ours[h][metric]) == int(theirs[h][metric])]
        print(f"  {metric}: {len(same)} of {len(common)} equal ({100 * len(same) / max(len(common), 1):.1f}%)")
        agree = agree and len(same) == len(common)
        shown = 0
        for h in common:
            if int(ours[h][metric]) != int(theirs[h][metric]) and shown < 3:
                print(f"    {h[:10]} kiro {ours[h][metric]} pydriller {theirs[h][metric]}")
                shown += 1
    if "--strict" in sys.argv and not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
