"""The shared conformance corpus (tests/conformance/**/*.yaml) run through the Python binding.

Reads cases exactly like the Rust runner (tests/src/lib.rs): ``policy`` (inline text) or
``policy_file`` (relative to the case file), optional ``format`` and ``imports`` (the texts of
the files the policy imports, by path), ``metrics`` (or
``metrics_text`` + ``metrics_format``), optional ``gate``/``kind``, then ``expect`` (a subset of
the decision: objects key by key, arrays element-wise with equal length, numbers by value) or
``expect_error`` (a code, or ``{code, message, underlined}``, or a list of them for every diagnostic in order: some diagnostic has that code,
exactly that message, and under its labels exactly that policy text, sliced here at the code
point offsets the binding gave; the older ``expect_message`` beside a bare code is the message). With ``plan: true``, ``expect`` is a subset of the
pipeline's plan (:meth:`kiro.Policy.plan`) instead of a decision. With ``run:``, the pipeline
runs through the native :class:`kiro.PipelineRun` with a scripted host on virtual time
(``tests/conformance/run/README.md``, :func:`simulate_run`) and ``expect`` is a subset of the
run's result; ``expect_events`` lists every event as ``"<at_ms> <event> <stage>"``. With
``monitor:``, ``release:`` or ``alerts:``, the events go through the native :class:`kiro.Monitor`,
:class:`kiro.Release` or :class:`kiro.Alerts` as tests/conformance/monitor/README.md specifies
(:func:`simulate_machine`): ``expect`` is a subset of the list of decisions, and ``expect_error``
the refused event's error (at ``error_at``); alert cases check their effects as
tests/conformance/alerts/README.md says (:func:`check_effects`). With ``risk:``, ``expect`` is a
subset of the reports by model, the risk-gated decision or the blast radius
(:func:`risk_answer`); with ``health: true``, of the dashboard's health; with ``evidence:``, of
the reports read and the decision on them (:func:`evidence_answer`).

``metrics_text`` is parsed here with the host's JSON/YAML reader, since the binding takes
metrics as data; a case whose text is meant to be unreadable (``KIRO-E020``) is skipped.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import kiro

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "conformance"


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1 (`yes` is true, `1e3` is a string); the corpus is YAML 1.2 core
    schema, as kiro's reader and the Node runner read it."""


Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:float", "tag:yaml.org,2002:int")]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = loader.construct_scalar(node)
    return int(text, 0) if text.lstrip("+-").startswith(("0o", "0x")) else int(text)


def _construct_float(loader: yaml.SafeLoader, node: yaml.Node) -> float:
    text = str(loader.construct_scalar(node)).lower()
    if text.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    if text == ".nan":
        return math.nan
    return float(text)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def load_cases() -> list[tuple[str, dict[str, Any], Path]]:
    cases = []
    for file in sorted(CORPUS.rglob("*.y*ml")):
        doc = yaml.load(file.read_text(encoding="utf-8"), Loader=Yaml12Loader)
        for spec in (doc or {}).get("cases", []):
            name = f"{file.relative_to(CORPUS)}: {spec.get('name', '(unnamed)')}"
            cases.append((name, spec, file.parent))
    return cases


CASES = load_cases() if CORPUS.is_dir() else []


def subset(path: str, expected: Any, actual: Any) -> None:
    """Fails unless `expected` is a subset of `actual` (the Rust runner's rule)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key}: missing in the decision"
            subset(f"{path}.{key}", value, actual[key])
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected an array, got {actual!r}"
        assert len(expected) == len(actual), f"{path}: expected {len(expected)} items, got {len(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            subset(f"{path}[{i}]", e, a)
    elif isinstance(expected, bool) or isinstance(actual, bool) or expected is None or actual is None:
        assert type(expected) is type(actual) and expected == actual, f"{path}: expected {expected!r}, got {actual!r}"
    elif isinstance(expected, (int, float)):
        assert isinstance(actual, (int, float)) and float(expected) == float(actual), (
            f"{path}: expected {expected!r}, got {actual!r}"
        )
    else:
        assert expected == actual, f"{path}: expected {expected!r}, got {actual!r}"


def metrics_of(spec: dict[str, Any]) -> Any:
    text = spec.get("metrics_text")
    if text is None:
        return spec.get("metrics", {})
    try:
        if spec.get("metrics_format", "json") == "json":
            return json.loads(text)
        return yaml.load(text, Loader=Yaml12Loader)
    except (ValueError, yaml.YAMLError):
        if (expected_error_of(spec) or {}).get("code") == "KIRO-E020":
            pytest.skip("unreadable metrics text is the host reader's business in this binding")
        raise


def simulate_run(policy: kiro.Policy, spec: dict[str, Any]) -> tuple[Any, list[str]]:
    """Runs a ``run:`` case as tests/conformance/run/README.md specifies, and checks that a
    run saved and restored after every step, and the run replayed from its event log, give the
    same result, events and saved state. Returns the result and the events."""
    live, result, events = simulate(policy, spec, restore=False)
    _, again, again_events = simulate(policy, spec, restore=True)
    assert (again, again_events) == (result, events), "a run restored after every step differs"
    replayed = policy.replay_run(live.log())
    assert replayed.snapshot() == live.snapshot(), "the replayed run's state differs"
    assert replayed.result() == result, "the replayed run's result differs"
    return result, events


def simulate(
    policy: kiro.Policy, spec: dict[str, Any], restore: bool
) -> tuple[kiro.PipelineRun, Any, list[str]]:
    """The simulation of tests/conformance/run/README.md: a scripted host on virtual time,
    through the native run (not the asyncio glue); with ``restore``, the run is saved and
    restored after every step. Returns the run, its result and its events as
    ``"<at_ms> <event> <stage>"``."""
    options = spec.get("options") or {}
    actions = spec.get("actions") or {}
    run = policy._start_run(list(actions), options.get("max_parallel"), options.get("fail_fast"))
    interrupt_at = spec.get("interrupt_at_ms")
    now = 0
    ends: dict[int, tuple[int, dict[str, Any]]] = {}  # attempt id -> (due, attempt entry)
    timers: dict[int, int] = {}  # timer id -> due
    events: list[str] = []
    while True:
        for id in sorted(i for i, (due, _) in ends.items() if due <= now):
            entry = ends.pop(id)[1]
            if "fail" in entry:
                run.fail(id, entry["fail"], entry.get("metrics"), entry.get("exit"))
            else:
                run.complete(id, entry["ok"])
        if interrupt_at is not None and interrupt_at <= now:
            run.interrupt()
            interrupt_at = None
        step = run.step(now)
        if restore:
            run = policy.restore_run(run.snapshot())
        events += [f"{e['at_ms']} {e['event']} {e['stage']}" for e in step["events"]]
        for request in step["requests"]:
            kind, id = request["type"], request["id"]
            if kind == "start":
                attempts = actions[request["stage"]]
                entry = attempts[min(request["attempt"], len(attempts)) - 1]
                if not entry.get("hang"):
                    ends[id] = (now + entry.get("ms", 0), entry)
            elif kind == "cancel":
                ends.pop(id, None)
            elif kind == "set_timer":
                timers[id] = now + request["ms"]
            elif kind == "clear_timer":
                timers.pop(id, None)
        if step["done"]:
            break
        timers = {id: due for id, due in timers.items() if due > now}  # the step fired them
        candidates = [due for due, _ in ends.values()] + list(timers.values())
        if interrupt_at is not None:
            candidates.append(interrupt_at)
        assert candidates, f"the run would wait forever; events so far: {events}"
        now = max(now, min(candidates))
    return run, run.result(), events


def canonical(decision: Any) -> str:
    """A decision as JSON text, keys in the order the binding gave them: the Rust runner's
    canonical bytes, for comparing decisions byte for byte."""
    return json.dumps(decision, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def simulate_machine(
    policy: kiro.Policy, kind: str, spec: dict[str, Any]
) -> tuple[list[Any], kiro.KiroError | None, int]:
    """The simulation of tests/conformance/monitor/README.md for the state machine ``kind``
    (``monitor``, ``release`` or ``alerts``: :meth:`kiro.Policy.start_monitor` and its
    siblings): every event goes to a machine saved and restored after each event and to one
    never stopped, which must decide the same bytes; a refused event must leave the saved state
    as it was; without a refused event, a replay of the log must give the same decisions and
    state. Returns the decisions before the refused event (all of them when none was), its
    error and its index (None and -1 when none was)."""
    start = getattr(policy, f"start_{kind}")
    restore = getattr(policy, f"restore_{kind}")
    events = spec["events"]
    restored = start()
    straight = start()
    decisions: list[Any] = []
    for i, event in enumerate(events):
        before = restored.snapshot()
        answers: list[Any] = []
        for machine in (restored, straight):
            try:
                answers.append(machine.step(event))
            except kiro.KiroError as error:
                answers.append(error)
        a, b = answers
        if isinstance(a, kiro.KiroError) and isinstance(b, kiro.KiroError):
            assert restored.snapshot() == before, f"event {i}: a refused event changed the state"
            return decisions, a, i
        assert not isinstance(a, kiro.KiroError) and not isinstance(b, kiro.KiroError), (
            f"event {i}: restored and straight machines disagree: {a!r} / {b!r}"
        )
        assert canonical(a) == canonical(b), f"event {i}: a restored machine decided differently"
        decisions.append(a)
        text = restored.snapshot()
        restored = restore(text)
        assert restored.snapshot() == text, f"event {i}: save -> restore -> save changed the state"
    replay = getattr(policy, f"replay_{kind}")(events)
    assert [canonical(d) for d in replay["decisions"]] == [canonical(d) for d in decisions], (
        "replaying the log gave other decisions"
    )
    assert replay["state"] == straight.snapshot(), "replaying the log gave another state"
    return decisions, None, -1


def check_effects(spec: dict[str, Any], decisions: list[Any]) -> None:
    """The expectations of tests/conformance/alerts/README.md on the effects of every decision:
    ``expect_notifications`` and ``expect_escalations`` are the exact lists of ``notify`` and
    ``escalate`` effects, ``expect_effects`` appear among all effects in that order."""
    effects = [e for d in decisions for e in d.get("effects", [])]
    for key, kind in (("expect_notifications", "notify"), ("expect_escalations", "escalate")):
        if key in spec:
            subset(f"${key}", spec[key], [e for e in effects if e.get("type") == kind])
    position = 0
    for n, want in enumerate(spec.get("expect_effects", [])):
        for at in range(position, len(effects)):
            try:
                subset("$", want, effects[at])
            except AssertionError:
                continue
            position = at + 1
            break
        else:
            raise AssertionError(f"expect_effects[{n}] {want} not found in order; effects: {effects}")
    assert any(k in spec for k in ("expect_notifications", "expect_escalations", "expect_effects", "expect_error")), (
        "the case expects nothing"
    )


def risk_answer(policy: kiro.Policy, spec: dict[str, Any], folder: Path) -> Any:
    """The answer of a ``risk:`` case (tests/conformance/risk/README.md): a fit of the
    defect-risk model (``{"same"}``: the model text equals ``defect_model``'s), a model's
    evaluation on the labelled ``evaluate`` data, changes scored with a model, the blast radius, the risk-gated decision, or the reports by model name.
    ``fit_file``, ``evaluate_file`` and ``defect_model_file`` are read relative to the case
    file."""

    def text(key: str) -> str | None:
        if key in spec:
            return str(spec[key])
        file = spec.get(f"{key}_file")
        return None if file is None else (folder / file).read_text(encoding="utf-8")

    csv, model, labelled = text("fit"), text("defect_model"), text("evaluate")
    if csv is not None:
        return {"same": kiro.fit_model(csv) == model}
    if model is not None and labelled is not None:
        return kiro.evaluate_model(model, labelled)
    if model is not None:
        return kiro.score_changes(model, spec.get("changes"))
    if "blast" in spec:
        return policy.blast_radius(spec["blast"])
    metrics = spec.get("metrics", {})
    if "check" in spec:
        return policy.check_at_risk(metrics, spec.get("model", ""), changed=spec.get("changed"), gate=(spec["check"] or {}).get("gate"))
    reports = policy.score_risk(metrics, changed=spec.get("changed"), model=spec.get("model"))
    return {r["model"]: r for r in reports}


def evidence_answer(policy: kiro.Policy, spec: dict[str, Any], folder: Path) -> Any:
    """The answer of an ``evidence:`` case (tests/conformance/evidence/README.md): the reports
    read and merged, and the policy checked on them; a report without ``text`` is read from its
    ``file``, relative to the case file."""
    reports = [
        {**r, "text": r["text"] if "text" in r else (folder / r["file"]).read_text(encoding="utf-8")}
        for r in spec["evidence"]
    ]
    return {
        "evidence": kiro.read_evidence(reports),
        "decision": policy.check_evidence(reports, spec.get("metrics", {}), gate=spec.get("gate")),
    }


def check_and_verdict(policy: kiro.Policy, spec: dict[str, Any]) -> Any:
    """``check`` of a plain case, and the verdict path (:meth:`kiro.Policy.verdict`) on the same
    input, which must agree with it: the decision's verdict and every criterion's outcome, or
    an error of the same code."""
    metrics = metrics_of(spec)
    baseline = spec.get("baseline") or {}
    options = {
        "gate": spec.get("gate"),
        "kind": spec.get("kind"),
        "strict": spec.get("strict"),
        "history": baseline.get("history"),
        "branch": baseline.get("branch"),
    }
    try:
        decision = policy.check(metrics, **options)
    except kiro.KiroError as error:
        with pytest.raises(kiro.KiroError) as refused:
            policy.verdict(metrics, **options)
        assert refused.value.code == error.code, "the verdict path raised another error than check"
        raise
    verdict = policy.verdict(metrics, **options)
    outcomes = [c["outcome"] for g in decision["gates"] for c in g["criteria"]]
    assert (verdict["verdict"], verdict["criteria"]) == (decision["verdict"], outcomes), f"verdict path: {verdict}"
    return decision


#: The sections that feed one of the core's state machines a timeline of events.
MACHINES = ("monitor", "release", "alerts")


def expected_error_of(spec: dict[str, Any]) -> dict[str, Any] | None:
    """What ``expect_error`` asks for (tests/conformance/README.md), or None."""
    expected = spec.get("expect_error")
    if expected is None:
        return None
    if isinstance(expected, list):
        every = [expected_error_of({"expect_error": item}) for item in expected]
        return {**every[0], "every": every}
    if isinstance(expected, str):
        return {"code": expected, "message": spec.get("expect_message")}
    return {**expected, "message": expected.get("message", spec.get("expect_message"))}


def underlined_of(diagnostic: dict[str, Any], texts: dict[str, str]) -> list[str] | None:
    """The text under each label (Python slices by code points): of the policy (source
    ``policy``) or of the imported file the diagnostic names."""
    text = texts.get(diagnostic.get("source") or "")
    if text is None:
        return None
    return [text[label["start"] : label["end"]] for label in diagnostic["labels"]]


def assert_expected_error(expected: dict[str, Any], diagnostics: list[Any], texts: dict[str, str]) -> None:
    found = [
        {
            "code": d["code"],
            "message": d["message"],
            "underlined": underlined_of(d, texts),
            "help": d.get("help"),
            "source": d.get("source"),
        }
        for d in diagnostics
    ]
    if "every" in expected:
        assert len(found) == len(expected["every"]), f"expected {expected['every']}, got {found}"
        for one, d in zip(expected["every"], diagnostics):
            assert_expected_error(one, [d], texts)
        return
    assert any(
        d["code"] == expected["code"]
        and (expected.get("message") is None or d["message"] == expected["message"])
        and ("underlined" not in expected or d["underlined"] == expected["underlined"])
        and (expected.get("help") is None or d["help"] == expected["help"])
        and (expected.get("source") is None or d["source"] == expected["source"])
        for d in found
    ), f"expected {expected}, got {found}"


@pytest.mark.skipif(not CASES, reason=f"no conformance corpus at {CORPUS}")
@pytest.mark.parametrize(("name", "spec", "folder"), CASES, ids=[c[0] for c in CASES])
def test_case(name: str, spec: dict[str, Any], folder: Path) -> None:
    expected_error = expected_error_of(spec)
    policy_text = spec["policy"] if "policy" in spec else (folder / spec["policy_file"]).read_text(encoding="utf-8")
    try:
        if "policy" in spec:
            policy = kiro.Policy.from_text(spec["policy"], spec.get("format"), imports=spec.get("imports"))
        else:
            policy = kiro.Policy.from_path(folder / spec["policy_file"], spec.get("format"))
        if spec.get("plan") is True:
            actual = policy.plan()
        elif any(kind in spec for kind in MACHINES):
            kind = next(kind for kind in MACHINES if kind in spec)
            actual, refused, at = simulate_machine(policy, kind, spec[kind])
            if kind == "alerts":
                check_effects(spec, actual)
                if refused is None:
                    assert expected_error is None, f"expected error {expected_error}, got none"
                    return
            if refused is not None:
                assert spec.get("error_at", at) == at, f"expected the error at event {spec['error_at']}, got it at {at}"
                if "expect" in spec:
                    subset("$", spec["expect"], actual)
                raise refused
        elif "evidence" in spec:
            actual = evidence_answer(policy, spec, folder)
        elif "risk" in spec:
            actual = risk_answer(policy, spec["risk"], folder)
            assert canonical(actual) == canonical(risk_answer(policy, spec["risk"], folder)), "two runs differ"
        elif spec.get("health") is True:
            actual = policy.health(spec.get("metrics", {}))
        elif "run" in spec:
            actual, events = simulate_run(policy, spec["run"])
            if "expect_events" in spec:
                assert events == spec["expect_events"], f"events: {events}"
        else:
            actual = check_and_verdict(policy, spec)
    except kiro.KiroError as e:
        assert e.code == e.diagnostics[0]["code"]
        assert expected_error is not None, f"unexpected error: {e}"
        assert_expected_error(expected_error, e.diagnostics, {**spec.get("imports", {}), "policy": policy_text})
        return
    assert expected_error is None, f"expected error {expected_error}, got: {actual}"
    assert "expect" in spec, "the case has neither `expect` nor `expect_error`"
    subset("$", spec["expect"], actual)
