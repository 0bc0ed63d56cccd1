"""Python binding benchmarks: batch check vs a plain Python loop, one check call, one verdict
call, and one monitor observation through ten triggers.

Run after the binding is installed (``bash .ci/bindings.sh python``):

    .venv/bin/python benches/bindings_python.py          # wall-clock time
    .venv/bin/python benches/bindings_python.py --cpu    # this thread's CPU time

Every figure is the best of several runs, measured in the same process, so the ratios compare
like with like on whatever else the machine is doing. On a machine shared with other work,
``--cpu`` times with the thread's CPU time (``time.thread_time``), which leaves out the time
the thread waits for a core.
"""

from __future__ import annotations

import itertools
import random
import sys
import time
import timeit
from array import array

import kiro

POLICY = """
name: bench
metrics:
  coverage: {unit: ratio}
  critical_vulns: {}
  high_vulns: {}
  p95_latency: {unit: ms}
  error_rate: {unit: ratio}
gates:
  - name: gate
    kind: pre-merge
    criteria:
      - {name: coverage, pass: coverage >= 90%}
      - {name: critical, pass: critical_vulns == 0}
      - {name: high, pass: high_vulns <= 2}
      - {name: latency, pass: p95_latency < 500ms}
      - {name: errors, pass: error_rate < 1%}
"""
N = 100_000

#: Ten rollback triggers, each on a metric of its own and held for 5m: the monitor bench.
TRIGGERS = "name: watch\nmetrics:\n" + "".join(f"  m{i}: {{unit: '%'}}\n" for i in range(10)) + "triggers:\n" + "".join(
    f"  - {{name: t{i}, when: m{i} > 1%, for: 5m, action: rollback}}\n" for i in range(10)
)


def data():
    rng = random.Random(7)
    cols = {
        "coverage": [rng.uniform(0.8, 1.0) for _ in range(N)],
        "critical_vulns": [float(rng.random() < 0.05) for _ in range(N)],
        "high_vulns": [float(rng.randrange(4)) for _ in range(N)],
        "p95_latency": [rng.uniform(100, 700) for _ in range(N)],
        "error_rate": [rng.uniform(0, 0.02) for _ in range(N)],
    }
    records = [{k: v[i] for k, v in cols.items()} for i in range(N)]
    return cols, records


TIMER = time.thread_time if "--cpu" in sys.argv[1:] else time.perf_counter


def best(fn, number=1, repeat=5):
    return min(timeit.repeat(fn, number=number, repeat=repeat, timer=TIMER)) / number


def main():
    policy = kiro.Policy.from_text(POLICY)
    cols, records = data()
    buffers = {k: array("d", v) for k, v in cols.items()}

    rule = lambda r: (  # noqa: E731 - the baseline the issue names: a lambda over dicts
        r["coverage"] >= 0.9
        and r["critical_vulns"] == 0
        and r["high_vulns"] <= 2
        and r["p95_latency"] < 500
        and r["error_rate"] < 0.01
    )
    loop = best(lambda: [rule(r) for r in records])
    batch_buffers = best(lambda: policy.check_batch(buffers), repeat=7)
    batch_lists = best(lambda: policy.check_batch(cols), repeat=7)

    expected = sum(rule(r) for r in records)
    got = policy.check_batch(buffers)["counts"]["pass"]
    assert got == expected, (got, expected)

    one = records[0]
    check = best(lambda: policy.check(one), number=20_000, repeat=5)
    verdict = best(lambda: policy.verdict(one), number=20_000, repeat=5)
    # The same call over 1,000 different records: the values, the explanations and the
    # sentences then change from call to call, as they do in a real program.
    few = itertools.cycle(records[:1000])
    check_varied = best(lambda: policy.check(next(few)), number=20_000, repeat=5)

    # One observation of ten metrics through the ten triggers (none fires), times moving on.
    monitor = kiro.Policy.from_text(TRIGGERS).start_monitor()
    readings = {f"m{i}": 0.5 for i in range(10)}
    clock = itertools.count(0, 1000)
    observe = best(lambda: monitor.observe(next(clock), readings), number=20_000, repeat=5)

    print(f"records: {N}, passing: {expected}")
    print(f"plain Python loop with a lambda over dicts: {loop * 1e3:8.2f} ms")
    print(f"check_batch, array('d') buffers:            {batch_buffers * 1e3:8.2f} ms  ({loop / batch_buffers:5.1f}x faster)")
    print(f"check_batch, lists of floats:               {batch_lists * 1e3:8.2f} ms  ({loop / batch_lists:5.1f}x faster)")
    print(f"one check() call, full decision:            {check * 1e6:8.2f} us")
    print(f"one verdict() call, no explanations:        {verdict * 1e6:8.2f} us  ({check / verdict:4.1f}x faster than check())")
    print(f"one check() call, 1,000 records in turn:    {check_varied * 1e6:8.2f} us")
    print(f"one monitor observation, 10 triggers:       {observe * 1e6:8.2f} us  ({observe / check:4.1f}x one check())")


if __name__ == "__main__":
    main()
