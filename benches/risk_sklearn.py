"""The defect-risk model's peers: scikit-learn's logistic regression and random forest on the
same data, split and preprocessing as `kiro risk fit`, timed on the same machine.

    python benches/risk_sklearn.py DATA.csv [--normalised]

Prints, per learner, the time to fit (preprocessing included, best of 5) and the validation
AUC; compare with `time kiro risk fit DATA.csv [--normalised] --out /dev/null`-like runs (see
docs/risk.md). Needs numpy and scikit-learn.
"""

import csv
import datetime
import math
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

METRICS = ["ns", "nd", "nf", "entropy", "la", "ld", "lt", "fix", "ndev", "age", "nuc", "exp", "rexp", "sexp"]


def parse_date(text):
    for fmt in ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text.strip(), fmt)
        except ValueError:
            pass
    raise ValueError(text)


def load(path, normalised):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    keys = {k.lower(): k for k in rows[0]}
    names = [m for m in METRICS if m in keys or (m == "nd" and "nm" in keys)]
    col = lambda m: keys.get(m) or keys["nm"]
    date_key = keys.get("commitdate") or keys.get("date")
    indexed = sorted(enumerate(rows), key=lambda p: (parse_date(p[1][date_key]), p[0]))
    x, y = [], []
    for _, r in indexed:
        v = {m: float(r[col(m)]) for m in names}
        if normalised:
            lines = v["lt"] * v["nf"]
            v["lt"], v["la"], v["ld"] = lines, v["la"] * lines, v["ld"] * lines
        x.append([v[m] for m in names])
        y.append(int(r[keys["bug"]]))
    return names, np.array(x), np.array(y)


def main():
    path = sys.argv[1]
    normalised = "--normalised" in sys.argv
    names, x, y = load(path, normalised)
    n = len(y)
    train = int(n * 0.8)

    def preprocess():
        z = np.log1p(x)
        mean, std = z[:train].mean(axis=0), z[:train].std(axis=0)
        return (z - mean) / std

    learners = {
        # C = 1 / lambda: the same L2 penalty of 1.0 as kiro's.
        "logistic regression (lbfgs)": lambda: LogisticRegression(C=1.0, max_iter=1000),
        "random forest (100 trees)": lambda: RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1),
    }
    print(f"{path}: {n} changes, {train} train, {n - train} validate")
    for name, make in learners.items():
        best = math.inf
        for _ in range(5):
            start = time.perf_counter()
            z = preprocess()
            model = make().fit(z[:train], y[:train])
            best = min(best, time.perf_counter() - start)
        auc = roc_auc_score(y[train:], model.predict_proba(z[train:])[:, 1])
        print(f"  {name:<30} fit {best * 1000:8.1f} ms   AUC {auc:.3f}")


if __name__ == "__main__":
    main()
