#!/usr/bin/env python3
"""networkx on the graph of `benches/benches/pipeline.rs`: a topological sort and the longest
(critical) path of a 100,000-stage random DAG, built with the same xorshift generator.

Run: `.venv/bin/python benches/networkx_plan.py` (needs `pip install networkx`). It prints the
graph's shape (to check it is the same graph the Rust bench plans) and the best of 5 timings,
wall clock and CPU time (the latter is steadier on a shared machine).

With `--serve` it is the networkx side of `cargo run --release -p kiro-benches --bin
plan-vs-networkx`, which times kiro and networkx turn about in the same run: it builds the
graph, prints `edges <n> path <stages> total <seconds>`, then for each `plan` line on standard
input plans once and prints `<wall seconds> <CPU seconds>`.
"""

import sys
import time

import networkx as nx

MASK = (1 << 64) - 1


def random_dag(n):
    """Stage i: up to 3 needs among the 1,000 stages before it, an estimate of 1 to 600 s."""
    x = 0x9E3779B97F4A7C15

    def nxt():
        nonlocal x
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        return x

    graph = []
    for i in range(n):
        k = 0 if i == 0 else nxt() % 4
        needs = sorted({i - 1 - nxt() % min(i, 1000) for _ in range(k)})
        graph.append((needs, 1 + nxt() % 600))
    return graph


def build(graph):
    """Node weights as edge weights: an edge u -> v weighs v's estimate; a source node reaches
    every stage, so the longest path from it is the critical path with its first stage."""
    g = nx.DiGraph()
    for i, (needs, secs) in enumerate(graph):
        g.add_edge("start", i, weight=secs)
        for j in needs:
            g.add_edge(j, i, weight=secs)
    return g


def plan(g):
    order = list(nx.topological_sort(g))
    path = nx.dag_longest_path(g, weight="weight", topo_order=order)
    total = nx.path_weight(g, path, weight="weight")
    return order, path, total


def best(f, runs=5, clock=time.perf_counter):
    """The least time of `runs` calls of `f` on `clock`, and f's result."""
    times = []
    out = None
    for _ in range(runs):
        t = clock()
        out = f()
        times.append(clock() - t)
    return min(times), out


def serve(graph):
    """Answer `plan` lines with one timed plan each (wall clock, then this thread's CPU time)."""
    g = build(graph)
    _, path, total = plan(g)
    edges = sum(len(n) for n, _ in graph)
    print(f"edges {edges} path {len(path) - 1} total {total}", flush=True)
    for line in sys.stdin:
        if line.strip() != "plan":
            continue
        wall, cpu = time.perf_counter(), time.thread_time()
        plan(g)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        print(f"{wall} {cpu}", flush=True)


def main():
    graph = random_dag(100_000)
    if "--serve" in sys.argv[1:]:
        serve(graph)
        return
    edges = sum(len(n) for n, _ in graph)
    build_time, g = best(lambda: build(graph))
    plan_time, (order, path, total) = best(lambda: plan(g))
    cpu_time, _ = best(lambda: plan(g), clock=time.process_time)
    cpu_build, _ = best(lambda: build(graph), clock=time.process_time)
    print(f"100,000-stage DAG: {edges} edges, critical path of {len(path) - 1} stages, total {total}s")
    print(f"networkx {nx.__version__}: build {build_time * 1e3:.1f} ms, "
          f"topological sort + longest path {plan_time * 1e3:.1f} ms, "
          f"together {(build_time + plan_time) * 1e3:.1f} ms; "
          f"in CPU time: build {cpu_build * 1e3:.1f} ms, "
          f"topological sort + longest path {cpu_time * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
