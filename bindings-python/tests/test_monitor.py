"""kiro.Monitor: the host-specific parts of the monitor in Python. What the monitor decides is
the engine's and runs in the conformance corpus (tests/conformance/monitor/, through
test_conformance.py); these tests check what only a Python caller meets: the convenience
methods, Python values as readings (``float("nan")``), wrong argument types as coded errors,
and states that belong to another policy."""

from __future__ import annotations

import math
from typing import Any

import pytest

import kiro

TRIGGERS = """
name: deploy
metrics: {error_rate: {unit: "%"}, p95: {unit: ms}}
personas: [{name: performance}]
triggers:
  - {name: errors, when: error_rate > 1%, for: 1m, action: rollback}
  - {name: latency, when: p95 > 500ms, action: rollback, mode: manual, approvers: [performance], timeout: 15m}
"""


@pytest.fixture
def policy() -> kiro.Policy:
    return kiro.Policy.from_text(TRIGGERS)


def states(decision: Any) -> dict[str, str]:
    return {t["name"]: t["state"] for t in decision["triggers"]}


def test_the_convenience_methods_are_the_events_given_to_step(policy: kiro.Policy) -> None:
    by_method = policy.start_monitor()
    by_step = policy.start_monitor()
    calls = [
        (lambda m: m.observe(0, {"error_rate": 2, "p95": "600ms"}), {"type": "observe", "at_ms": 0, "values": {"error_rate": 2, "p95": "600ms"}}),
        (lambda m: m.tick(30_000), {"type": "tick", "at_ms": 30_000}),
        (lambda m: m.reject(40_000, "latency", "ana", "performance"), {"type": "reject", "at_ms": 40_000, "trigger": "latency", "who": "ana", "persona": "performance"}),
        (lambda m: m.observe(50_000, {"p95": 700}), {"type": "observe", "at_ms": 50_000, "values": {"p95": 700}}),
        (lambda m: m.approve(60_000, "latency", "ana", "performance"), {"type": "approve", "at_ms": 60_000, "trigger": "latency", "who": "ana", "persona": "performance"}),
    ]
    for method, event in calls:
        assert method(by_method) == by_step.step(event)
    assert by_method.snapshot() == by_step.snapshot()
    assert by_method.ended and by_step.ended
    assert repr(by_method) == "<kiro.Monitor ended=True>"


def test_abort_and_end_carry_the_final_verdict(policy: kiro.Policy) -> None:
    aborted = policy.start_monitor().abort(0, "stopped by hand")
    assert aborted["final"]["reason"] == "abort"
    assert aborted["final"]["detail"] == "stopped by hand"
    assert policy.start_monitor().abort(0)["final"]["detail"] is None
    ended = policy.start_monitor()
    ended.observe(0, {"error_rate": 0.5})
    assert ended.end(60_000)["final"]["reason"] == "end"
    with pytest.raises(kiro.InputError) as error:
        ended.tick(70_000)
    assert error.value.code == "KIRO-E043"


def test_a_python_nan_is_not_a_number_never_no_data(policy: kiro.Policy) -> None:
    nan = policy.start_monitor().observe(0, {"error_rate": math.nan})
    text = policy.start_monitor().observe(0, {"error_rate": "NaN"})
    none = policy.start_monitor().observe(0, {"error_rate": None})
    assert nan == text
    assert nan["triggers"][0]["tiers"][0]["observed"] == "nan"
    assert none["triggers"][0]["tiers"][0]["observed"] == "missing"
    with pytest.raises(kiro.InputError) as error:
        policy.start_monitor().observe(0, {"error_rate": math.inf})
    assert error.value.code == "KIRO-E022"
    assert error.value.diagnostics[0]["message"] == "metric `error_rate` is not a finite number"


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda m: m.step("observe"), "KIRO-E003"),
        (lambda m: m.step({"type": "observe", "at_ms": "soon"}), "KIRO-E003"),
        (lambda m: m.step({"type": "tick", "at_ms": 1.5}), "KIRO-E003"),
        (lambda m: m.step({1: "tick"}), "KIRO-E003"),
        (lambda m: m.tick(-1), "KIRO-E003"),
        (lambda m: m.tick(object()), "KIRO-E003"),
        (lambda m: m.observe(0, {"error_rate": object()}), "KIRO-E003"),
        (lambda m: m.observe(0, {"eror_rate": 2}), "KIRO-E011"),
        (lambda m: m.observe(0, [("error_rate", 2)]), "KIRO-E003"),
        (lambda m: m.approve(0, "latency", "ana", 7), "KIRO-E003"),
        (lambda m: m.approve(0, "latency", "ana", "performance"), "KIRO-E043"),
        (lambda m: m.abort(0, 42), "KIRO-E003"),
    ],
)
def test_wrong_arguments_are_coded_errors_and_change_nothing(policy: kiro.Policy, call: Any, code: str) -> None:
    monitor = policy.start_monitor()
    before = monitor.snapshot()
    with pytest.raises(kiro.InputError) as error:
        call(monitor)
    assert error.value.code == code, error.value
    assert error.value.diagnostics[0]["code"] == code
    assert monitor.snapshot() == before


def test_a_state_belongs_to_its_policy(policy: kiro.Policy) -> None:
    monitor = policy.start_monitor()
    monitor.observe(0, {"error_rate": 2})
    saved = monitor.snapshot()
    assert policy.restore_monitor(saved).snapshot() == saved
    other = kiro.Policy.from_text(TRIGGERS.replace("for: 1m", "for: 2m"))
    with pytest.raises(kiro.InputError) as error:
        other.restore_monitor(saved)
    assert error.value.code == "KIRO-E041"
    for text, code in [("{}", "KIRO-E040"), ("not json", "KIRO-E040"), (b"{}", "KIRO-E003"), (None, "KIRO-E003")]:
        with pytest.raises(kiro.InputError) as error:
            policy.restore_monitor(text)  # type: ignore[arg-type]
        assert error.value.code == code, text


def test_a_policy_without_triggers_has_no_monitor() -> None:
    gates = kiro.Policy.from_text("name: g\nmetrics: {c: {}}\ngates:\n  - {name: g, kind: pre-merge, criteria: [{name: c, pass: c == 0}]}\n")
    for start in (gates.start_monitor, lambda: gates.replay_monitor([])):
        with pytest.raises(kiro.InputError) as error:
            start()
        assert error.value.code == "KIRO-E053"


def test_replay_gives_the_decisions_and_state_of_stepping(policy: kiro.Policy) -> None:
    events = [
        {"type": "observe", "at_ms": 0, "values": {"error_rate": 2}},
        {"type": "observe", "at_ms": 60_000, "values": {"error_rate": 3}},
    ]
    monitor = policy.start_monitor()
    decisions = [monitor.step(e) for e in events]
    for log in (events, tuple(events)):
        replay = policy.replay_monitor(log)
        assert replay == {"decisions": decisions, "state": monitor.snapshot()}
    with pytest.raises(kiro.InputError) as error:
        policy.replay_monitor([events[1], events[0]])
    assert error.value.code == "KIRO-E042"
    assert error.value.diagnostics[0]["message"].startswith("event 1: time went backwards")
    with pytest.raises(kiro.InputError) as error:
        policy.replay_monitor({"events": events})
    assert error.value.code == "KIRO-E003"
