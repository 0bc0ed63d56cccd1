"""Checked with ``mypy --strict`` by .ci/bindings.sh (not run by pytest): the published stubs,
the generated TypedDicts among them, let a typed caller write this without casts or ignores."""

from __future__ import annotations

import kiro
from kiro._kiro import (
    AlertDecision,
    Decision,
    Diagnostic,
    Label,
    MonitorDecision,
    MonitorReplay,
    Plan,
    ReleaseDecision,
    ReleasePlan,
    RiskReport,
    RunResult,
    StatusReport,
    Wait,
)


def summary(decision: Decision) -> str:
    first = decision["gates"][0]
    score: float | None = first["score"]
    return f"{decision['verdict']} {decision['policy']['hash']} {score} {first['criteria'][0]['explanation']}"


def where(diagnostic: Diagnostic) -> list[tuple[int, int, int | None]]:
    labels: list[Label] = diagnostic["labels"]
    return [(label["start"], label["end"], label.get("line")) for label in labels]


def critical(plan: Plan) -> list[str]:
    return plan["critical_path"] + [stage["name"] for stage in plan["stages"]]


def stages(result: RunResult) -> list[str]:
    return [f"{stage['name']} {stage['outcome']}" for stage in result["stages"]]


policy = kiro.Policy.from_text("name: x\ngates: []\n")
print(summary(policy.check({"coverage": 87})), [where(d) for d in kiro.validate("name: [")])


def actions(decision: MonitorDecision) -> list[str]:
    states = [f"{trigger['name']} {trigger['state']}: {trigger['explanation']}" for trigger in decision["triggers"]]
    final = decision["final"]
    return states + ([final["result"]] if final is not None else [])


TRIGGERS = "name: t\nmetrics: {error_rate: {unit: '%'}}\ntriggers:\n  - {name: e, when: error_rate > 1%, action: rollback}\n"
monitor: kiro.Monitor = kiro.Policy.from_text(TRIGGERS).start_monitor()
print(actions(monitor.observe(0, {"error_rate": 0.5})), actions(monitor.step({"type": "tick", "at_ms": 1000})))
replay: MonitorReplay = kiro.Policy.from_text(TRIGGERS).replay_monitor([{"type": "observe", "at_ms": 0, "values": {"error_rate": {"error": "timeout"}}}])
print(len(replay["decisions"]), replay["state"], monitor.ended, monitor.snapshot())


SECTIONS = """
name: t
metrics: {x: {unit: count}}
personas: [{name: devops}]
environments: [{name: production, approval: {personas: [devops]}}]
alerts: {receivers: [{name: ops, channel: slack}], route: {receiver: ops}}
risk: {models: [{name: m, factors: [{name: x, value: x, linear: {from: 0, to: 10}}]}]}
"""
sections = kiro.Policy.from_text(SECTIONS)
release: kiro.Release = sections.start_release()
released: ReleaseDecision = release.step({"type": "start", "at_ms": 0, "version": "2", "author": "ana"})
waiting: Wait | None = release.next
print(released["phase"], waiting["reason"] if waiting is not None else None, release.done, [e["text"] for e in release.log()])
plan: ReleasePlan = sections.release_plan(0)
alerts: kiro.Alerts = sections.start_alerts()
alerted: AlertDecision = alerts.step({"type": "tick", "at_ms": 0})
print(plan["environments"], len(alerted["effects"]), alerts.wake_at_ms, sections.replay_alerts([])["state"])
reports: list[RiskReport] = sections.score_risk({"x": 5}, changed=None, model="m")
print([(r["model"], r["score"]) for r in reports])


def gauges(report: StatusReport) -> list[str]:
    lines = []
    for panel in report["panels"]:
        for metric in panel["metrics"]:
            critical = metric.get("critical")
            lines.append(f"{panel['persona']} {metric['metric']} {metric['status']} {critical['values'] if critical else []}")
    alerts = report["alerts"] or []
    return lines + [f"{a['name']} {a['status']} {a.get('owner')} {a['since_ms']}" for a in alerts]


DASHBOARD = "name: d\nmetrics: {e: {unit: '%'}}\npersonas: [{name: devops}]\nhealth: {panels: [{persona: devops, metrics: [{metric: e, critical: e > 1%}]}]}\n"
dashboard = kiro.Policy.from_text(DASHBOARD)
print(gauges(dashboard.status({"e": 2}, history=[{"type": "observe", "at_ms": 0, "values": {"e": 2}}], at_ms=0)))
print(dashboard.render_status({"e": 2}, format="html")[:15])
