"""Policy.run / Policy.run_async: a policy's pipeline with Python callables as the stages'
actions. The engine decides (order, needs, max_parallel, timeouts, retries, exit gates,
fail-fast); these tests check that the asyncio glue carries it out with real threads, tasks
and timers. Times are asserted as order and overlap, never as tight durations."""

from __future__ import annotations

import asyncio
import math
import signal
import threading
import time
from typing import Any

import pytest

import kiro

GATES = """
metrics: {coverage: {unit: "%"}}
gates:
  - {name: tests, kind: pre-merge, criteria: [{name: cov, pass: coverage >= 90%}]}
"""


def pipeline(stages: str) -> kiro.Policy:
    """A policy with the `tests` gate and a pipeline of `stages` (flow-style YAML lines)."""
    lines = "".join(f"    - {line.strip()}\n" for line in stages.strip().splitlines())
    return kiro.Policy.from_text(f"name: ci\n{GATES}pipeline:\n  stages:\n{lines}")


def stage(result: kiro._kiro.RunResult, name: str) -> dict[str, Any]:
    return next(s for s in result["stages"] if s["name"] == name)


def outcomes(result: kiro._kiro.RunResult) -> dict[str, str]:
    return {s["name"]: s["outcome"] for s in result["stages"]}


# -- concurrency ---------------------------------------------------------------------------------


def test_sync_actions_run_in_parallel_threads() -> None:
    spans: dict[str, tuple[float, float]] = {}
    threads: set[str] = set()

    def work(ctx: kiro.StageContext) -> None:
        start = time.monotonic()
        threads.add(threading.current_thread().name)
        time.sleep(0.2)
        spans[ctx.stage] = (start, time.monotonic())

    result = pipeline("{name: a}\n{name: b}").run({"a": work, "b": work})
    assert result["verdict"] == "pass", result["summary"]
    (a0, a1), (b0, b1) = spans["a"], spans["b"]
    assert a0 < b1 and b0 < a1, "the two sleeps overlap"
    assert threading.main_thread().name not in threads and len(threads) == 2


def test_async_actions_run_concurrently_on_the_loop() -> None:
    async def main() -> kiro._kiro.RunResult:
        ready = {"a": asyncio.Event(), "b": asyncio.Event()}
        other = {"a": "b", "b": "a"}

        async def work(ctx: kiro.StageContext) -> dict[str, Any]:
            assert threading.current_thread() is threading.main_thread()
            ready[ctx.stage].set()
            await asyncio.wait_for(ready[other[ctx.stage]].wait(), 2)
            return {"coverage": 95}

        return await pipeline("{name: a, gate: tests}\n{name: b}").run_async({"a": work, "b": work})

    result = asyncio.run(main())
    assert outcomes(result) == {"a": "passed", "b": "passed"}
    assert stage(result, "a")["gate"]["verdict"] == "pass"


def test_callables_that_return_awaitables_are_awaited() -> None:
    class Job:
        async def __call__(self, ctx: kiro.StageContext) -> dict[str, Any]:
            return {"coverage": 91}

    async def later(ctx: kiro.StageContext) -> None:
        await asyncio.sleep(0)

    result = pipeline("{name: a, gate: tests}\n{name: b}").run(
        {"a": Job(), "b": lambda ctx: later(ctx)}
    )
    assert result["verdict"] == "pass", result["summary"]


def test_max_parallel_is_never_exceeded() -> None:
    lock = threading.Lock()
    running = peak = 0

    def work(ctx: kiro.StageContext) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    names = "abcde"
    policy = pipeline("\n".join(f"{{name: {n}}}" for n in names))
    result = policy.run({n: work for n in names}, max_parallel=2)
    assert result["verdict"] == "pass"
    assert peak == 2


def test_stages_start_after_what_they_need() -> None:
    events: list[dict[str, Any]] = []
    policy = pipeline("{name: build}\n{name: lint}\n{name: test, needs: [build]}\n{name: deploy, needs: [test, lint]}")
    result = policy.run({n: lambda ctx: None for n in ("build", "lint", "test", "deploy")}, on_event=events.append)
    assert result["verdict"] == "pass"
    order = [(e["event"], e["stage"]) for e in events if e["event"] in ("started", "passed")]
    for before, after in [("build", "test"), ("test", "deploy"), ("lint", "deploy")]:
        assert order.index(("passed", before)) < order.index(("started", after)), order


def test_on_event_sees_every_event_in_order() -> None:
    events: list[dict[str, Any]] = []
    result = pipeline("{name: build}\n{name: test, needs: [build]}").run(
        {"build": lambda ctx: None, "test": lambda ctx: None}, on_event=events.append
    )
    assert [(e["event"], e["stage"]) for e in events] == [
        ("queued", "build"),
        ("queued", "test"),
        ("started", "build"),
        ("passed", "build"),
        ("started", "test"),
        ("passed", "test"),
    ]
    times = [e["at_ms"] for e in events]
    assert times == sorted(times) and times[-1] <= result["duration_ms"]


# -- outcomes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("coverage", "outcome"), [(95, "passed"), (70, "failed")])
def test_the_exit_gate_checks_the_returned_metrics(coverage: int, outcome: str) -> None:
    policy = pipeline("{name: test, gate: tests}\n{name: deploy, needs: [test]}")
    result = policy.run({"test": lambda ctx: {"coverage": coverage}})
    assert stage(result, "test")["outcome"] == outcome
    assert stage(result, "test")["gate"]["gates"][0]["criteria"][0]["values"] == {"coverage": pytest.approx(coverage / 100)}
    assert stage(result, "deploy")["outcome"] == ("passed" if outcome == "passed" else "skipped")
    if outcome == "failed":
        assert stage(result, "test")["reason"].startswith("exit gate `tests` failed")


def test_exceptions_fail_the_attempt_with_their_type_and_message() -> None:
    def sync(ctx: kiro.StageContext) -> None:
        raise ValueError("boom")

    async def asynchronous(ctx: kiro.StageContext) -> None:
        raise RuntimeError()

    result = pipeline("{name: a}\n{name: b}").run({"a": sync, "b": asynchronous}, fail_fast=False)
    assert stage(result, "a")["reason"] == "ValueError: boom"
    assert stage(result, "a")["attempts"] == [
        {**stage(result, "a")["attempts"][0], "outcome": "failed", "detail": "ValueError: boom"}
    ]
    assert stage(result, "b")["reason"] == "RuntimeError"
    assert result["verdict"] == "fail"


class _Red(Exception):
    """A failed test suite that still measured something."""

    def __init__(self, message: str, metrics: Any = None, exit_code: Any = None) -> None:
        super().__init__(message)
        self.metrics = metrics
        self.exit_code = exit_code


def test_an_exceptions_metrics_let_the_exit_gate_decide_and_its_exit_code_meets_retry_on() -> None:
    policy = pipeline(
        "{name: test, gate: tests, on_action_failure: gate, retries: 2}\n"
        "{name: fetch, retries: 3, retry_on: [{exit: [75]}]}"
    )
    seen = {"test": 0, "fetch": 0}

    def test(ctx: kiro.StageContext) -> None:
        seen["test"] += 1
        raise _Red("3 tests failed", metrics={"coverage": 95}, exit_code=1)

    def fetch(ctx: kiro.StageContext) -> None:
        seen["fetch"] += 1
        raise _Red("unavailable", exit_code=75 if ctx.attempt == 1 else 1)

    result = policy.run({"test": test, "fetch": fetch}, fail_fast=False)
    assert seen == {"test": 1, "fetch": 2}
    assert stage(result, "test")["outcome"] == "passed"
    assert stage(result, "test")["gate"]["verdict"] == "pass"
    assert stage(result, "test")["reason"] == "_Red: 3 tests failed; exit gate `tests` pass"
    assert stage(result, "fetch")["reason"] == "_Red: unavailable (after 2 attempts)"
    # Metrics that are not metrics leave the failure with the problem; a bool is no exit code.
    def odd_test(ctx: kiro.StageContext) -> None:
        raise _Red("red", metrics=[1], exit_code=True)

    odd = policy.run({"test": odd_test})
    assert stage(odd, "test")["outcome"] == "failed"
    assert stage(odd, "test")["reason"].startswith("_Red: red; ")


def test_retries_wait_a_doubling_backoff() -> None:
    seen: list[int] = []
    events: list[dict[str, Any]] = []

    def flaky(ctx: kiro.StageContext) -> None:
        seen.append(ctx.attempt)
        if ctx.attempt < 3:
            raise OSError("connection reset")

    result = pipeline("{name: flaky, retries: 2, backoff: 10ms}").run({"flaky": flaky}, on_event=events.append)
    assert seen == [1, 2, 3]
    assert [e["backoff_ms"] for e in events if e["event"] == "retried"] == [10, 20]
    attempts = stage(result, "flaky")["attempts"]
    assert [a["outcome"] for a in attempts] == ["failed", "failed", "succeeded"]
    assert attempts[1]["started_at_ms"] >= attempts[0]["started_at_ms"] + attempts[0]["duration_ms"] + 10
    assert attempts[2]["started_at_ms"] >= attempts[1]["started_at_ms"] + attempts[1]["duration_ms"] + 20
    assert result["verdict"] == "pass"


def test_a_timeout_cancels_an_async_action() -> None:
    cancelled: list[kiro.StageContext] = []

    async def slow(ctx: kiro.StageContext) -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(ctx)
            raise

    result = pipeline("{name: slow, timeout: 50ms}").run({"slow": slow})
    assert stage(result, "slow")["outcome"] == "timed_out"
    assert stage(result, "slow")["reason"] == "timed out after 50ms"
    assert len(cancelled) == 1 and cancelled[0].cancelled.is_set(), "unwound before run() returned"


def test_a_timeout_sets_cancelled_for_a_sync_action_and_ignores_its_late_result() -> None:
    noticed = threading.Event()

    def slow(ctx: kiro.StageContext) -> dict[str, Any]:
        if ctx.cancelled.wait(5):
            noticed.set()
        return {"coverage": 100}  # too late: ignored

    start = time.monotonic()
    result = pipeline("{name: slow, timeout: 50ms, gate: tests}").run({"slow": slow})
    assert time.monotonic() - start < 2
    assert noticed.wait(2)
    assert stage(result, "slow")["outcome"] == "timed_out"
    assert "gate" not in stage(result, "slow")


def test_fail_fast_cancels_the_running_stages() -> None:
    unwound = threading.Event()
    noticed = threading.Event()

    async def build(ctx: kiro.StageContext) -> None:
        try:
            await asyncio.sleep(10)
        finally:
            unwound.set()

    def package(ctx: kiro.StageContext) -> None:
        if ctx.cancelled.wait(5):
            noticed.set()

    async def lint(ctx: kiro.StageContext) -> None:
        await asyncio.sleep(0.02)
        raise AssertionError("3 lint errors")

    policy = pipeline("{name: build}\n{name: package}\n{name: lint}\n{name: test, needs: [build]}")
    result = policy.run({"build": build, "package": package, "lint": lint, "test": lambda ctx: None})
    assert outcomes(result) == {"build": "cancelled", "package": "cancelled", "lint": "failed", "test": "skipped"}
    assert stage(result, "build")["reason"] == "stage `lint` failed and fail_fast is on"
    assert unwound.is_set() and noticed.wait(2)


# -- metrics an action returns -------------------------------------------------------------------


def test_unconvertible_metrics_fail_the_attempt_with_the_check_message() -> None:
    policy = pipeline("{name: test, gate: tests}")
    with pytest.raises(kiro.InputError) as check:
        policy.check({"coverage": math.nan})
    result = policy.run({"test": lambda ctx: {"coverage": math.nan}})
    attempt = stage(result, "test")["attempts"][0]
    assert attempt["outcome"] == "failed"
    assert attempt["detail"] == check.value.diagnostics[0]["message"]


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ([1, 2], "metrics input must be a map of metric names to values, found a sequence"),
        ({1: 2}, "metric names must be strings, not `int`"),
        ("ok", "metrics input must be a map of metric names to values, found a string"),
    ],
)
def test_other_return_values_fail_the_attempt(value: Any, detail: str) -> None:
    result = pipeline("{name: test}").run({"test": lambda ctx: value})
    assert stage(result, "test")["attempts"][0]["detail"] == detail


def test_metrics_that_do_not_fit_the_exit_gate_fail_the_stage() -> None:
    result = pipeline("{name: test, gate: tests}").run({"test": lambda ctx: {"coverage": "5ms"}})
    test = stage(result, "test")
    assert test["outcome"] == "failed"
    assert test["reason"].startswith("exit gate `tests` could not be checked: ")
    assert test["diagnostics"][0]["code"] == "KIRO-E022"


# -- misuse --------------------------------------------------------------------------------------


def test_an_action_for_no_stage_fails_before_anything_runs() -> None:
    called: list[str] = []
    with pytest.raises(kiro.InputError) as info:
        pipeline("{name: build}\n{name: test}").run({"test": called.append, "biuld": called.append})
    assert info.value.code == "KIRO-E005"
    assert info.value.diagnostics[0]["help"] == "did you mean `build`?"
    assert called == []


def test_a_policy_without_a_pipeline_cannot_run() -> None:
    with pytest.raises(kiro.InputError) as info:
        kiro.Policy.from_text("name: t\n").run({})
    assert info.value.code == "KIRO-E033"


def test_actions_and_on_event_must_be_plain_callables() -> None:
    with pytest.raises(TypeError, match="the action for stage `build` is a `int`"):
        pipeline("{name: build}").run({"build": 3})

    async def on_event(event: dict[str, Any]) -> None:
        pass

    with pytest.raises(TypeError, match="on_event must be a plain function"):
        pipeline("{name: build}").run({}, on_event=on_event)


def test_run_inside_a_running_loop_says_to_await_run_async() -> None:
    async def main() -> None:
        pipeline("{name: build}").run({"build": lambda ctx: None})

    with pytest.raises(RuntimeError, match=r"await policy\.run_async"):
        asyncio.run(main())


def test_run_async_runs_side_by_side_with_gather() -> None:
    async def main() -> list[kiro._kiro.RunResult]:
        first, second = asyncio.Event(), asyncio.Event()

        async def a(ctx: kiro.StageContext) -> None:
            first.set()
            await asyncio.wait_for(second.wait(), 2)

        async def b(ctx: kiro.StageContext) -> None:
            second.set()
            await asyncio.wait_for(first.wait(), 2)

        policy = pipeline("{name: build}")
        return await asyncio.gather(policy.run_async({"build": a}), policy.run_async({"build": b}))

    assert [r["verdict"] for r in asyncio.run(main())] == ["pass", "pass"]


def test_an_error_from_on_event_stops_the_run_and_propagates() -> None:
    unwound = threading.Event()

    async def build(ctx: kiro.StageContext) -> None:
        try:
            await asyncio.sleep(10)
        finally:
            unwound.set()

    def on_event(event: dict[str, Any]) -> None:
        if event["event"] == "passed":
            raise LookupError("observer broke")

    with pytest.raises(LookupError, match="observer broke"):
        pipeline("{name: build}\n{name: lint}").run({"build": build, "lint": lambda ctx: None}, on_event=on_event)
    assert unwound.is_set()


# -- interruption --------------------------------------------------------------------------------


def test_cancelling_run_async_interrupts_the_run() -> None:
    events: list[dict[str, Any]] = []
    unwound: list[str] = []

    async def main() -> None:
        started = asyncio.Event()

        async def build(ctx: kiro.StageContext) -> None:
            started.set()
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                unwound.append(ctx.stage)
                raise

        policy = pipeline("{name: build}\n{name: test, needs: [build]}")
        task = asyncio.ensure_future(policy.run_async({"build": build}, on_event=events.append))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert unwound == ["build"]
    assert [(e["event"], e["stage"]) for e in events[-2:]] == [("cancelled", "build"), ("skipped", "test")]
    assert events[-1]["reason"] == "the run was interrupted"


@pytest.mark.skipif(
    signal.getsignal(signal.SIGINT) is not signal.default_int_handler,
    reason="needs Python's default SIGINT handler",
)
def test_ctrl_c_raises_run_interrupted_with_the_result() -> None:
    unwound = threading.Event()

    async def build(ctx: kiro.StageContext) -> None:
        signal.raise_signal(signal.SIGINT)
        try:
            await asyncio.sleep(10)
        finally:
            unwound.set()

    policy = pipeline("{name: build}\n{name: test, needs: [build]}")
    caught: BaseException | None = None
    try:
        policy.run({"build": build})
    except KeyboardInterrupt as error:  # not pytest.raises: a stray KeyboardInterrupt would end the session
        caught = error
    assert isinstance(caught, kiro.RunInterrupted), repr(caught)
    result = caught.result
    assert result["interrupted"] is True and result["verdict"] == "fail"
    assert outcomes(result) == {"build": "cancelled", "test": "skipped"}
    assert unwound.is_set()


# -- the native run ------------------------------------------------------------------------------


def test_the_native_run_speaks_the_core_json() -> None:
    run = pipeline("{name: build, timeout: 2s}")._start_run(["build"])
    assert run.result() is None
    step = run.step(0)
    assert step["requests"] == [
        {"type": "start", "id": 1, "stage": "build", "attempt": 1},
        {"type": "set_timer", "id": 2, "ms": 2000},
    ]
    assert not step["done"]
    run.complete(1, {"coverage": 95})
    step = run.step(10.5)
    assert step["done"] and step["requests"] == [{"type": "clear_timer", "id": 2}]
    assert run.result()["stages"][0]["duration_ms"] == 10
    assert repr(run) == "<kiro.PipelineRun done=True>"
    run.complete(1, None)  # a late report changes nothing
    assert run.step(20)["done"]
