"""Cross-checks `kiro risk features` against PyDriller on the same repository: per non-merge
commit, the files changed (nf) and the lines added (la) and deleted (ld).

    python benches/risk_pydriller.py REPO [RANGE] [--kiro PATH-TO-KIRO]

PyDriller asks git for the diffs (Myers' algorithm, git's rename detection); kiro uses gix
(histogram diff). The script prints how many commits agree exactly on each metric, and the
first disagreements. Needs `pip install pydriller`.
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
    print(f"{len(ours)} commits from kiro, {len(theirs)} from PyDriller, {len(common)} in both")
    for metric in ("nf", "la", "ld"):
        same = [h for h in common if int(ours[h][metric]) == int(theirs[h][metric])]
        print(f"  {metric}: {len(same)} of {len(common)} equal ({100 * len(same) / max(len(common), 1):.1f}%)")
        shown = 0
        for h in common:
            if int(ours[h][metric]) != int(theirs[h][metric]) and shown < 3:
                print(f"    {h[:10]} kiro {ours[h][metric]} pydriller {theirs[h][metric]}")
                shown += 1


if __name__ == "__main__":
    main()
