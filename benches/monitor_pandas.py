#!/usr/bin/env python3
"""The triggers of `benches/src/monitor.rs` written with pandas, over the same observations.

The straightforward pandas way to backtest rollback triggers: time-based rolling windows for the
aggregates (mean, max, quantile, counter increase), then the held-for logic vectorised with
NumPy (a run of consecutive hits starts at its first hit; a tier acts at the first observation
of the run whose distance from that start reaches `for`; a `warn` or `pause` stays acted until
the condition clears). The data is rebuilt from the same xorshift sequence, value for value.

Run: `.venv/bin/python benches/monitor_pandas.py` (needs `pip install pandas`): prints the
actions found and the best of 5 timings on 30 days of 15-second observations.

With `--serve` it is the pandas side of `cargo run --release -p kiro-benches --bin
monitor-vs-pandas`: it prints `acts <n> digest <d>` for the stream (so that the bin can check
both sides found the same actions), then answers each `run` line on standard input with
`<wall seconds> <CPU seconds>` of one full backtest.
"""

import sys
import time

import numpy as np
import pandas as pd

MASK = (1 << 64) - 1
STEP_S = 15
THIRTY_DAYS = 30 * 24 * 3600 // STEP_S
NAMES = [
    "error_rate", "availability", "latency", "db_latency", "cpu", "memory", "queue_depth",
    "requests_total", "errors_total", "disk",
] + [f"m{i}" for i in range(10, 20)]


class Xorshift:
    def __init__(self):
        self.x = 0x9E3779B97F4A7C15

    def next(self):
        x = self.x
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        self.x = x
        return x


def series(rng, count, base, noise, incident):
    out = []
    left = 0
    for _ in range(count):
        if left == 0 and rng.next() % 2000 == 0:
            left = 5 + rng.next() % 80
        bump = 0
        if left > 0:
            left -= 1
            bump = incident
        out.append((base + rng.next() % noise + bump) / 100.0)
    return out


def counter(rng, count, per_step, incident):
    total = 0.0
    out = []
    for s in series(rng, count, per_step // 2, per_step, incident):
        total += float(int(s))
        out.append(total)
    return out


def values(count):
    rng = Xorshift()
    out = [
        series(rng, count, 10, 60, 150),
        series(rng, count, 9950, 50, 0),
        series(rng, count, 20000, 20000, 30000),
        series(rng, count, 5000, 10000, 12000),
        series(rng, count, 3000, 4000, 3000),
        series(rng, count, 6000, 1500, 2000),
        series(rng, count, 0, 50000, 60000),
        counter(rng, count, 100_000, 0),
        counter(rng, count, 800, 4000),
        series(rng, count, 4000, 1000, 0),
    ]
    for _ in range(10, 20):
        out.append(series(rng, count, 0, 100_000, 0))
    dips = series(rng, count, 0, 1, 150)
    out[1] = [a - d for a, d in zip(out[1], dips)]
    return out


def frame(count):
    """The observations as a DataFrame indexed by time, in the declared units."""
    index = pd.to_datetime(np.arange(count, dtype=np.int64) * STEP_S * 1000, unit="ms")
    return pd.DataFrame(dict(zip(NAMES, values(count))), index=index)


def acts(cond, t_ms, for_ms):
    """Times at which a held-for tier acts: the first observation of each run of hits whose
    distance from the run's first hit reaches `for_ms`."""
    cond = np.asarray(cond, dtype=bool)
    starts = cond & ~np.r_[False, cond[:-1]]
    run = np.cumsum(starts)
    start_t = np.r_[0, t_ms[starts]][run]
    fire = cond & (t_ms - start_t >= for_ms)
    first = fire & ~np.r_[False, fire[:-1]]
    return t_ms[first]


def increase(s, over):
    """A counter's increase over a trailing window (the counters never reset here)."""
    r = s.rolling(over)
    return r.max() - r.min()


def backtest(df):
    """Every tier's action times, as {(trigger, tier): array of ms}."""
    t = df.index.as_unit("ms").asi8
    err_5m = df["error_rate"].rolling("5min").mean()
    p95_10m = df["latency"].rolling("10min").quantile(0.95, interpolation="linear")
    cpu_max_5m = df["cpu"].rolling("5min").max()
    memory_1h = df["memory"].rolling("1h").mean()
    api_ratio_5m = increase(df["errors_total"], "5min") / increase(df["requests_total"], "5min") * 100
    req = df["requests_total"]
    span = pd.Series(t, index=df.index).rolling("1min")
    req_rate_1m = increase(req, "1min") / ((span.max() - span.min()) / 1000)
    minute = 60_000
    return {
        ("errors", 0): acts(err_5m > 1, t, 5 * minute),
        ("availability", 0): acts(df["availability"] < 99, t, 2 * minute),
        ("latency", 0): acts(p95_10m > 500, t, 5 * minute),
        ("api-errors", 0): acts(api_ratio_5m > 2, t, 2 * minute),
        ("cpu", 0): acts(cpu_max_5m > 90, t, 10 * minute),
        ("memory", 0): acts(memory_1h > 80, t, 0),
        ("queue", 0): acts(df["queue_depth"] > 1000, t, minute),
        ("database", 0): acts(df["db_latency"] > 200, t, 3 * minute),
        ("graduated", 0): acts(df["error_rate"] > 0.5, t, 2 * minute),
        ("graduated", 1): acts(df["error_rate"] > 1.5, t, 5 * minute),
        ("traffic-drop", 0): acts(req_rate_1m < 10, t, 5 * minute),
    }


def digest(found):
    """How many actions, and a digest of (trigger, tier, time) the Rust side computes too."""
    pairs = sorted((int(ms), trigger, tier) for (trigger, tier), times in found.items() for ms in times)
    d = 0
    for ms, trigger, tier in pairs:
        for byte in f"{trigger}/{tier}@{ms};".encode():
            d = ((d ^ byte) * 0x100000001B3) & MASK
    return len(pairs), d


def serve(df):
    n, d = digest(backtest(df))
    print(f"acts {n} digest {d}", flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            continue
        wall, cpu = time.perf_counter(), time.thread_time()
        backtest(df)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        print(f"{wall} {cpu}", flush=True)


def main():
    count = THIRTY_DAYS
    for arg in sys.argv[1:]:
        if arg.startswith("--count="):
            count = int(arg.split("=", 1)[1])
    df = frame(count)
    if "--serve" in sys.argv[1:]:
        serve(df)
        return
    times = []
    for _ in range(5):
        start = time.perf_counter()
        found = backtest(df)
        times.append(time.perf_counter() - start)
    n, d = digest(found)
    print(f"{count} observations, {n} actions (digest {d})")
    print(f"pandas {pd.__version__}: best of 5 {min(times) * 1e3:.1f} ms, "
          f"{count / min(times):,.0f} observations/s")


if __name__ == "__main__":
    main()
