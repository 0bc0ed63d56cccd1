"""kiro.Release, kiro.Alerts, risk and health: what only a Python caller meets. What they decide
is the engine's and runs in the conformance corpus (tests/conformance/release/, alerts/, risk/,
health/, through test_conformance.py); these tests check the properties a release offers
besides ``step``, wrong argument types as coded errors, and saved states of another kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import pytest

import kiro

POLICY = """
name: t
metrics: {x: {unit: count}}
personas: [{name: devops}]
environments:
  - name: production
    approval: {personas: [devops], count: 1}
alerts:
  receivers: [{name: ops, channel: slack}]
  route: {receiver: ops, group_wait: 10s}
risk:
  models:
    - name: m
      factors: [{name: x, value: x, linear: {from: 0, to: 10}}]
  graph:
    components: {api: {depends_on: [db]}, db: {}}
"""


@pytest.fixture
def policy() -> kiro.Policy:
    return kiro.Policy.from_text(POLICY)


def raises(code: str, call, *args, **kwargs) -> kiro.KiroError:  # type: ignore[no-untyped-def]
    with pytest.raises(kiro.InputError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, str(info.value)
    return info.value


def test_a_release_says_what_it_waits_for_and_keeps_a_log(policy: kiro.Policy) -> None:
    release = policy.start_release()
    assert (release.done, release.next, release.log()) == (False, None, [])
    release.step({"type": "start", "at_ms": 0, "version": "2", "author": "ana"})
    assert release.next is not None
    assert (release.next["environment"], release.next["for"]) == ("production", "approval")
    assert [e["kind"] for e in release.log()] == ["start", "instruction"]
    restored = policy.restore_release(release.snapshot())
    decision = restored.step({"type": "approve", "at_ms": 5, "environment": "production", "who": "ben", "persona": "devops"})
    assert decision["phase"] == "deploying"
    assert repr(restored) == "<kiro.Release done=False>"


def test_the_release_plan_takes_a_time_on_the_callers_clock(policy: kiro.Policy) -> None:
    plan = policy.release_plan(0)
    assert [e["name"] for e in plan["environments"]] == ["production"]
    raises("KIRO-E003", policy.release_plan, -1)
    raises("KIRO-E003", policy.release_plan, "now")


def test_the_alert_engine_says_when_to_wake_it(policy: kiro.Policy) -> None:
    alerts = policy.start_alerts()
    assert alerts.wake_at_ms is None
    decision = alerts.step({"type": "external", "at_ms": 0, "alerts": [{"labels": {"alertname": "A"}}]})
    assert [e["type"] for e in decision["effects"]] == ["alert", "routed"]
    assert alerts.wake_at_ms == 10_000
    after = policy.restore_alerts(alerts.snapshot()).step({"type": "tick", "at_ms": 10_000})
    assert any(e["type"] == "notify" for e in after["effects"])


def test_a_state_of_another_kind_or_type_is_refused(policy: kiro.Policy) -> None:
    raises("KIRO-E040", policy.restore_release, policy.start_alerts().snapshot())
    raises("KIRO-E040", policy.restore_alerts, policy.start_release().snapshot())
    raises("KIRO-E003", policy.restore_alerts, 3)
    raises("KIRO-E003", policy.replay_release, "not a list")


def test_risk_arguments_of_the_wrong_type_are_coded_errors(policy: kiro.Policy) -> None:
    assert [r["model"] for r in policy.score_risk({"x": 5})] == ["m"]
    assert policy.blast_radius(["db"])["affected"][1]["component"] == "api"
    raises("KIRO-E003", policy.score_risk, {"x": 5}, changed="api")
    raises("KIRO-E003", policy.check_at_risk, {"x": 5}, 5)
    raises("KIRO-E003", policy.blast_radius, "api")
    raises("KIRO-E166", policy.blast_radius, ["web"])


GATED = """
name: g
metrics: {coverage: {unit: "%"}}
gates:
  - name: merge
    kind: pre-merge
    criteria: [{name: cov, pass: coverage >= 80%}]
"""

TESTS = """
policy: g.yaml
cases:
  - name: covered passes
    metrics: {coverage: 85%}
    expect: {verdict: pass}
  - name: a wrong expectation fails with what the policy said
    metrics: {coverage: 70%}
    expect: {gates: {merge: {verdict: pass, criteria: {cov: pass}}}}
"""


def test_policy_tests_run_against_the_policy_and_report_mismatches() -> None:
    report = kiro.Policy.from_text(GATED).test(TESTS)
    assert (report["passed"], report["failed"]) == (1, 1)
    failed = report["cases"][1]
    assert not failed["passed"] and failed["got"].startswith("fail")
    assert failed["mismatches"], failed
    bad = raises("KIRO-E177", kiro.Policy.from_text(GATED).test, TESTS.replace("merge:", "merg:"))
    assert bad.diagnostics[0].get("help") == "did you mean `merge`?", bad.diagnostics
    raises("KIRO-E176", kiro.Policy.from_text(GATED).test, "policy: g.yaml\ncases: []\n")


def test_health_without_a_health_section_is_e030(policy: kiro.Policy) -> None:
    raises("KIRO-E030", policy.health, {"x": 1})


ROOT = Path(__file__).resolve().parents[2]


def golden(name: str) -> str:
    """The CLI's rendering of the same decision (an insta snapshot of cli/tests/cli.rs)."""
    text = (ROOT / "cli/tests/snapshots" / f"cli__{name}.snap").read_text(encoding="utf-8")
    return text.split("---\n", 2)[2]


@pytest.mark.parametrize(
    ("metrics", "format", "snapshot"),
    [
        ("fail", "markdown", "check_fail_markdown"),
        ("fail", "junit", "check_fail_junit"),
        ("warn", None, "check_warn_human"),
        ("warn", "json", "check_warn_json"),
    ],
)
def test_a_decision_renders_as_the_cli_renders_it(metrics: str, format: Optional[str], snapshot: str) -> None:
    policy = kiro.Policy.from_path(ROOT / "examples/kova/kiro.yaml")
    values = json.loads((ROOT / f"examples/kova/metrics/{metrics}.json").read_text(encoding="utf-8"))
    rendered = policy.render(policy.check(values), format)  # type: ignore[arg-type]
    assert rendered.rstrip("\n") == golden(snapshot).rstrip("\n")


def test_render_refuses_another_policys_decision_and_unknown_formats() -> None:
    policy = kiro.Policy.from_path(ROOT / "examples/kova/kiro.yaml")
    other = kiro.Policy.from_text(GATED)
    decision = other.check({"coverage": "90%"})
    raises("KIRO-E003", policy.render, decision)
    bad = raises("KIRO-E003", other.render, decision, "markdwon")
    assert bad.diagnostics[0].get("help") == "did you mean `markdown`?"
    raises("KIRO-E020", other.render, {"verdict": "pass"})


def kova_history() -> list[dict[str, object]]:
    """The example's recorded samples as the alert engine's observations."""
    from datetime import datetime

    lines = (ROOT / "examples/kova/alerts-samples.csv").read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if line and not line.startswith("#")]
    names = rows[0].split(",")[1:]
    events: list[dict[str, object]] = []
    for row in rows[1:]:
        cells = row.split(",")
        at = datetime.fromisoformat(cells[0].replace("Z", "+00:00"))
        values = {name: float(cell) for name, cell in zip(names, cells[1:])}
        events.append({"type": "observe", "at_ms": int(at.timestamp() * 1000), "values": values})
    return events


INCIDENT_MS = 1_796_227_920_000  # 2026-12-02T16:12:00Z, the `--at` of cli/tests/status.rs


@pytest.mark.parametrize(("format", "snapshot"), [(None, "human"), ("markdown", "markdown"), ("html", "html")])
def test_the_dashboard_renders_as_kiro_status_renders_it(format: Optional[str], snapshot: str) -> None:
    policy = kiro.Policy.from_path(ROOT / "examples/kova/alerts.yaml")
    metrics = json.loads((ROOT / "cli/tests/fixtures/status/incident.json").read_text(encoding="utf-8"))
    rendered = policy.render_status(metrics, history=kova_history(), at_ms=INCIDENT_MS, format=format)  # type: ignore[arg-type]
    text = (ROOT / "cli/tests/snapshots" / f"status__status_{snapshot}.snap").read_text(encoding="utf-8")
    assert rendered.rstrip("\n") == text.split("---\n", 2)[2].rstrip("\n")


def test_the_status_report_lists_the_engines_alerts() -> None:
    policy = kiro.Policy.from_path(ROOT / "examples/kova/alerts.yaml")
    metrics = json.loads((ROOT / "cli/tests/fixtures/status/incident.json").read_text(encoding="utf-8"))
    report = policy.status(metrics, history=kova_history(), at_ms=INCIDENT_MS)
    assert report["status"] == "critical"
    assert [(a["name"], a["status"]) for a in report["alerts"] or []] == [
        ("HighErrorRate", "firing"),
        ("SlowResponses", "pending"),
    ]
    no_history = policy.status(metrics)
    assert no_history["alerts"] is None and no_history["history"] is None
    raises("KIRO-E003", policy.render_status, metrics, format="pdf")
    raises("KIRO-E003", policy.status, metrics, history=[{"type": "observe"}])
    raises("KIRO-E030", kiro.Policy.from_text(GATED).status, {"coverage": "90%"})
