"""The Python binding: API, conversion edge cases, errors, drift, panics, batches."""

from __future__ import annotations

import array
import collections
import decimal
import fractions
import json
import math
import os
import threading
import time
import types
from typing import Any

import pytest

import kiro

POLICY = """
name: demo
metrics:
  coverage: {unit: "%"}
  p95_latency: {unit: ms}
  tests.failed: {}
  tests.total: {}
  e2e_green: {unit: bool}
gates:
  - name: quality
    kind: pre-merge
    criteria:
      - {name: coverage, pass: coverage >= 90%, warn: coverage >= 80%}
      - {name: latency, pass: p95_latency < 500ms}
  - name: tests
    kind: pre-deploy
    criteria:
      - {name: failure-rate, pass: tests.failed / tests.total < 1%}
      - {name: e2e, pass: e2e_green}
"""

GOOD = {
    "coverage": 95,
    "p95_latency": "420ms",
    "tests": {"failed": 0, "total": 100},
    "e2e_green": True,
}


@pytest.fixture(scope="module")
def policy() -> kiro.Policy:
    return kiro.Policy.from_text(POLICY)


def criterion(decision: dict, gate: str, name: str) -> dict:
    (g,) = [g for g in decision["gates"] if g["name"] == gate]
    (c,) = [c for c in g["criteria"] if c["name"] == name]
    return c


# -- loading -------------------------------------------------------------------------------------


def test_policy_properties(policy: kiro.Policy) -> None:
    assert policy.name == "demo"
    assert policy.hash.startswith("sha256:") and len(policy.hash) == 7 + 64
    assert policy.metric_names == sorted(["coverage", "p95_latency", "tests.failed", "tests.total", "e2e_green"])
    assert policy.gate_names == ["quality", "tests"]
    assert "demo" in repr(policy)


def test_formats_give_the_same_policy(policy: kiro.Policy) -> None:
    as_json = json.dumps(
        {
            "name": "demo",
            "metrics": {
                "coverage": {"unit": "%"},
                "p95_latency": {"unit": "ms"},
                "tests.failed": {},
                "tests.total": {},
                "e2e_green": {"unit": "bool"},
            },
            "gates": [
                {
                    "name": "quality",
                    "kind": "pre-merge",
                    "criteria": [
                        {"name": "coverage", "pass": "coverage >= 90%", "warn": "coverage >= 80%"},
                        {"name": "latency", "pass": "p95_latency < 500ms"},
                    ],
                },
                {
                    "name": "tests",
                    "kind": "pre-deploy",
                    "criteria": [
                        {"name": "failure-rate", "pass": "tests.failed / tests.total < 1%"},
                        {"name": "e2e", "pass": "e2e_green"},
                    ],
                },
            ],
        }
    )
    assert kiro.Policy.from_text(as_json).hash == policy.hash
    assert kiro.Policy.from_text(as_json, format="json").hash == policy.hash
    assert kiro.Policy.from_text(POLICY, format="yaml").hash == policy.hash


def test_from_path(tmp_path, policy: kiro.Policy) -> None:
    for name in ("kiro.yaml", "kiro.yml", "kiro.txt"):
        path = tmp_path / name
        path.write_text(POLICY, encoding="utf-8")
        assert kiro.Policy.from_path(path).hash == policy.hash
        assert kiro.Policy.from_path(str(path)).hash == policy.hash
    with pytest.raises(FileNotFoundError) as info:
        kiro.Policy.from_path(tmp_path / "missing.yaml")
    assert info.value.filename.endswith("missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"name: \xff\n")
    with pytest.raises(kiro.PolicyError) as info:
        kiro.Policy.from_path(bad)
    assert info.value.code == "KIRO-E001"


def test_the_extension_decides_the_format(tmp_path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(POLICY, encoding="utf-8")  # YAML text in a .json file
    with pytest.raises(kiro.PolicyError) as info:
        kiro.Policy.from_path(path)
    assert info.value.code == "KIRO-E001"
    assert kiro.Policy.from_path(path, format="yaml").name == "demo"


def test_validate() -> None:
    assert kiro.validate(POLICY) == []
    diagnostics = kiro.validate("name: x\nmetrics: {}\ngates: []\nbogus: 1\nalso: 2\n")
    assert [d["code"] for d in diagnostics][:1] == ["KIRO-E002"]
    first = diagnostics[0]
    assert set(first) >= {"code", "message", "severity", "labels"}
    assert first["severity"] == "error"
    assert isinstance(first["labels"][0]["start"], int)


def test_schema_and_version() -> None:
    schema = kiro.policy_schema()
    assert isinstance(schema, dict) and "properties" in schema
    assert "gates" in schema["properties"]
    assert kiro.version() == kiro.__version__
    assert kiro.version().count(".") == 2


# -- check and the decision as native data -----------------------------------------------------------


def test_decision_is_plain_data_equal_to_the_canonical_json(policy: kiro.Policy) -> None:
    decision = policy.check(GOOD)
    assert decision["verdict"] == "pass"
    # Only plain JSON types, and a JSON round trip is the identity.
    assert json.loads(json.dumps(decision)) == decision
    assert list(decision) == ["verdict", "summary", "policy", "gates", "personas"]
    assert decision["policy"] == {"name": "demo", "hash": policy.hash}


PIPELINE = """
name: ci
pipeline:
  stages:
    - {name: build, estimate: 10m}
    - {name: lint, estimate: 5m}
    - {name: test, needs: [build], estimate: 20m}
"""


def test_plan_is_plain_data_with_the_critical_path() -> None:
    pipeline = kiro.Policy.from_text(PIPELINE)
    plan = pipeline.plan()
    assert json.loads(json.dumps(plan)) == plan
    assert list(plan) == ["policy", "stages", "waves", "critical_path", "total_ms"]
    assert plan["policy"] == {"name": "ci", "hash": pipeline.hash}
    assert plan["waves"] == [["build", "lint"], ["test"]]
    assert plan["critical_path"] == ["build", "test"]
    assert plan["total_ms"] == 30 * 60_000 and type(plan["total_ms"]) is int
    assert [s["name"] for s in plan["stages"]] == ["build", "lint", "test"]
    assert list(plan["stages"][0]) == [
        "name", "needs", "personas", "wave", "estimate_ms", "earliest_start_ms",
        "earliest_finish_ms", "latest_start_ms", "latest_finish_ms", "slack_ms", "critical",
    ]
    build, lint, test = plan["stages"]
    assert (build["critical"], lint["critical"], test["critical"]) == (True, False, True)
    assert lint["slack_ms"] == 25 * 60_000
    assert test == {
        "name": "test", "needs": ["build"], "personas": [], "wave": 1, "estimate_ms": 1_200_000,
        "earliest_start_ms": 600_000, "earliest_finish_ms": 1_800_000, "latest_start_ms": 600_000,
        "latest_finish_ms": 1_800_000, "slack_ms": 0, "critical": True,
    }


def test_plan_without_a_pipeline_is_an_input_error(policy: kiro.Policy) -> None:
    with pytest.raises(kiro.InputError) as info:
        policy.plan()
    assert info.value.code == "KIRO-E033"
    assert info.value.diagnostics[0]["message"] == "the policy has no pipeline"


def test_gate_and_kind_select(policy: kiro.Policy) -> None:
    assert [g["name"] for g in policy.check(GOOD, gate="tests")["gates"]] == ["tests"]
    assert [g["name"] for g in policy.check(GOOD, kind="pre-merge")["gates"]] == ["quality"]
    with pytest.raises(kiro.InputError) as info:
        policy.check(GOOD, gate="nope")
    assert info.value.code == "KIRO-E005"
    with pytest.raises(kiro.InputError) as info:
        policy.check(GOOD, kind="post-deploy")
    assert info.value.code == "KIRO-E030"
    with pytest.raises(kiro.InputError) as info:
        policy.check(GOOD, kind="pre-merj")
    assert info.value.code == "KIRO-E003"
    assert "pre-merge" in info.value.diagnostics[0].get("help", "")


def test_int_and_float_are_the_same_number(policy: kiro.Policy) -> None:
    a = policy.check({**GOOD, "coverage": 87})
    b = policy.check({**GOOD, "coverage": 87.0})
    c = policy.check({**GOOD, "coverage": "87%"})
    assert a == b == c
    assert criterion(a, "quality", "coverage")["values"] == {"coverage": 0.87}


def test_none_and_absent_mean_no_data(policy: kiro.Policy) -> None:
    with_none = policy.check({**GOOD, "coverage": None})
    absent = policy.check({k: v for k, v in GOOD.items() if k != "coverage"})
    assert with_none == absent
    c = criterion(with_none, "quality", "coverage")
    assert c["values"] == {"coverage": None}
    assert c["missing_rule_applied"] == "fail"


def test_nested_mappings_flatten_to_dotted_names(policy: kiro.Policy) -> None:
    nested = policy.check({**GOOD, "tests": {"failed": 3, "total": 100}})
    dotted = policy.check({**{k: v for k, v in GOOD.items() if k != "tests"}, "tests.failed": 3, "tests.total": 100})
    assert nested == dotted
    assert criterion(nested, "tests", "failure-rate")["outcome"] == "fail"


def test_any_mapping_and_number_like_values(policy: kiro.Policy) -> None:
    base = policy.check(GOOD)
    proxy = types.MappingProxyType({**GOOD, "coverage": decimal.Decimal("95")})
    assert policy.check(proxy) == base
    ordered = collections.OrderedDict(GOOD)
    ordered["coverage"] = fractions.Fraction(95, 1)
    assert policy.check(ordered) == base


def test_undeclared_metrics_are_not_read_even_many_and_are_warned_about(policy: kiro.Policy) -> None:
    many = {f"extra_{i}": i for i in range(100_000)}
    many.update(GOOD)
    decision = policy.check(many)
    warnings = decision.pop("warnings")
    assert decision == policy.check(GOOD)
    # The first twenty one by one (in name order), the rest counted.
    assert len(warnings) == 21
    assert all(w["code"] == "KIRO-E011" and w["severity"] == "warning" for w in warnings)
    assert warnings[-1]["message"] == "and 99980 more undeclared names"
    with pytest.raises(kiro.InputError) as info:
        policy.check(many, strict=True)
    assert info.value.code == "KIRO-E011"


def test_huge_and_non_finite_numbers(policy: kiro.Policy) -> None:
    for bad in (math.nan, math.inf, -math.inf, 10**400):
        with pytest.raises(kiro.InputError) as info:
            policy.check({**GOOD, "tests": {"failed": bad, "total": 100}})
        assert info.value.code == "KIRO-E022"
        assert "`tests.failed`" in str(info.value)
    # Large but finite ints are numbers.
    decision = policy.check({**GOOD, "tests": {"failed": 2**70, "total": 2**64}})
    assert criterion(decision, "tests", "failure-rate")["outcome"] == "fail"


def test_wrong_types_raise_coded_errors(policy: kiro.Policy) -> None:
    cases = [
        ({**GOOD, "coverage": [1, 2]}, "KIRO-E022"),
        ({**GOOD, "coverage": object()}, "KIRO-E022"),
        ({**GOOD, "coverage": True}, "KIRO-E022"),
        ({**GOOD, "e2e_green": 1}, "KIRO-E022"),
        ({**GOOD, "p95_latency": "5KB"}, "KIRO-E022"),
        ({**GOOD, 7: 1}, "KIRO-E021"),
        ([1, 2, 3], "KIRO-E021"),
        (42, "KIRO-E021"),
        ("coverage: 90", "KIRO-E021"),
        (None, "KIRO-E021"),
    ]
    for metrics, code in cases:
        with pytest.raises(kiro.InputError) as info:
            policy.check(metrics)
        assert info.value.code == code, (metrics, info.value)
        assert info.value.diagnostics[0]["code"] == code


def test_deep_and_self_referencing_metrics(policy: kiro.Policy) -> None:
    deep: dict = {}
    node = deep
    for _ in range(10_000):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(kiro.InputError) as info:
        policy.check(deep)
    assert info.value.code == "KIRO-E006"
    loop: dict = {"coverage": 95}
    loop["self"] = loop
    with pytest.raises(kiro.InputError) as info:
        policy.check(loop)
    assert info.value.code == "KIRO-E006"


def test_runtime_errors_are_evaluation_errors(policy: kiro.Policy) -> None:
    with pytest.raises(kiro.EvaluationError) as info:
        policy.check({**GOOD, "tests": {"failed": 1, "total": 0}})
    assert info.value.code == "KIRO-E016"
    assert info.value.diagnostics[0]["labels"]


# -- errors ------------------------------------------------------------------------------------------


def test_error_hierarchy() -> None:
    for cls in (kiro.PolicyError, kiro.InputError, kiro.EvaluationError, kiro.InternalError):
        assert issubclass(cls, kiro.KiroError)
        assert cls.__module__ == "kiro"
    assert issubclass(kiro.KiroError, Exception)


def test_policy_error_carries_every_diagnostic() -> None:
    text = "name: x\nmetrics: {a: {unit: parsecs}}\ngates:\n  - name: g\n    kind: pre-merge\n    criteria:\n      - {name: c, pass: b > 1}\n"
    with pytest.raises(kiro.PolicyError) as info:
        kiro.Policy.from_text(text)
    error = info.value
    codes = [d["code"] for d in error.diagnostics]
    assert error.code == codes[0]
    assert len(codes) >= 2 and "KIRO-E013" in codes and "KIRO-E011" in codes
    assert str(error).startswith(error.code)
    assert all(set(d) >= {"code", "message", "severity", "labels"} for d in error.diagnostics)
    assert kiro.validate(text) == error.diagnostics


def test_an_exception_says_where_the_problem_is_and_how_to_fix_it() -> None:
    with pytest.raises(kiro.PolicyError) as info:
        kiro.Policy.from_text("name: t\ngatse: []\n")
    assert str(info.value).splitlines() == [
        "KIRO-E002: unknown field `gatse`",
        "  --> policy:2:1",
        "   |",
        " 2 | gatse: []",
        "   | ^^^^^ unknown field",
        "  = help: did you mean `gates`?",
    ]


@pytest.mark.parametrize(
    ("call", "cls", "kind"),
    [
        (lambda: kiro.Policy.from_text("name: t\ngatse: []\n"), kiro.PolicyError, "policy"),
        (lambda: kiro.Policy.from_text(POLICY, format="xml"), kiro.InputError, "input"),
    ],
)
def test_every_exception_has_code_kind_and_diagnostics(call: Any, cls: type, kind: str) -> None:
    with pytest.raises(cls) as info:
        call()
    error = info.value
    assert isinstance(error, kiro.KiroError)
    assert error.kind == kind
    assert error.code == error.diagnostics[0]["code"]


def test_the_caret_counts_characters_after_non_ascii_text() -> None:
    with pytest.raises(kiro.PolicyError) as info:
        kiro.Policy.from_text("name: größe 🚀\nmetrics: {x: {unit: furlongs}}\n")
    lines = str(info.value).splitlines()
    assert lines[2:5] == [
        "   |",
        " 2 | metrics: {x: {unit: furlongs}}",
        "   |                     ^^^^^^^^ unknown unit",
    ], lines


def test_bad_format_argument_is_an_input_error() -> None:
    with pytest.raises(kiro.InputError) as info:
        kiro.Policy.from_text(POLICY, format="xml")
    assert info.value.code == "KIRO-E007"
    with pytest.raises(kiro.InputError):
        kiro.validate(POLICY, format="ini")


def test_panics_become_internal_errors() -> None:
    with pytest.raises(kiro.InternalError) as info:
        kiro._kiro._panic_for_test()
    assert info.value.code == "KIRO-E099"
    assert "panic requested" in str(info.value)
    assert info.value.diagnostics[0]["code"] == "KIRO-E099"
    # The module still works afterwards.
    assert kiro.Policy.from_text(POLICY).name == "demo"


def test_error_codes_do_not_drift() -> None:
    """The Python-side list must equal the engine's `Code::ALL`."""
    assert list(kiro.ERROR_CODES) == kiro.error_codes()
    assert len(set(kiro.ERROR_CODES)) == len(kiro.ERROR_CODES)


def test_stub_declares_everything_exported() -> None:
    stub = (os.path.dirname(kiro.__file__) + "/_kiro.pyi")
    text = open(stub, encoding="utf-8").read()
    public = [n for n in dir(kiro._kiro) if not n.startswith("__")]
    for name in public:
        assert f"def {name}(" in text or f"class {name}" in text, f"{name} is missing from _kiro.pyi"
    assert os.path.exists(os.path.dirname(kiro.__file__) + "/py.typed")


# -- batches -------------------------------------------------------------------------------------------


def test_batch_matches_single_checks(policy: kiro.Policy) -> None:
    columns = {
        "coverage": [95, 85, 70, None, 91],
        "p95_latency": [100, 200, 100, 100, 900],
        "tests.failed": [0, 0, 0, 0, 0],
        "tests.total": [10, 10, 10, 10, 10],
        "e2e_green": [True, True, False, True, None],
    }
    result = policy.check_batch(columns)
    assert isinstance(result["verdicts"], bytes)
    expected = []
    for i in range(5):
        metrics = {name: values[i] for name, values in columns.items()}
        expected.append(policy.check(metrics)["verdict"])
    assert [kiro.VERDICT_CODES[v] for v in result["verdicts"]] == expected
    counts = result["counts"]
    assert counts == {v: expected.count(v) for v in ("pass", "warn", "fail")} | {"error": 0}


def test_batch_from_buffers(policy: kiro.Policy) -> None:
    n = 1000
    coverage = array.array("d", [0.95 * 100] * n)
    latency = array.array("i", [100] * n)  # ints through the buffer protocol
    failed = memoryview(array.array("d", [0.0] * n))
    total = array.array("f", [10.0] * n)
    result = policy.check_batch(
        {"coverage": coverage, "p95_latency": latency, "tests.failed": failed, "tests.total": total, "e2e_green": [True] * n},
        gate="quality",
    )
    assert result["verdicts"] == bytes(n)
    assert result["counts"]["pass"] == n


def test_batch_runtime_errors_are_per_record(policy: kiro.Policy) -> None:
    result = policy.check_batch({"tests.failed": [0, 1], "tests.total": [10, 0], "e2e_green": [True, True]}, gate="tests")
    assert list(result["verdicts"]) == [0, 3]
    assert result["counts"]["error"] == 1


def test_batch_undeclared_columns_are_warnings_or_with_strict_an_error(policy: kiro.Policy) -> None:
    columns = {"tests.failed": [0], "tests.total": [10], "e2e_green": [True], "e2e_gren": [True]}
    result = policy.check_batch(columns, gate="tests")
    assert list(result["verdicts"]) == [0]
    [warning] = result["warnings"]
    assert (warning["code"], warning["source"], warning["help"]) == ("KIRO-E011", "batch", "did you mean `e2e_green`?")
    assert "warnings" not in policy.check_batch({"tests.failed": [0]}, gate="tests")
    with pytest.raises(kiro.InputError) as info:
        policy.check_batch(columns, gate="tests", strict=True)
    assert info.value.code == "KIRO-E011"


def test_batch_errors(policy: kiro.Policy) -> None:
    bad = [
        ({"coverage": [1, 2], "p95_latency": [1]}, "KIRO-E032"),
        ({"coverage": [1, True]}, "KIRO-E032"),
        ({"coverage": ["87%"]}, "KIRO-E032"),
        ({"coverage": "87"}, "KIRO-E032"),
        ({"coverage": 87}, "KIRO-E032"),
        ({"coverage": memoryview(bytes(8)).cast("B", (2, 4))}, "KIRO-E032"),
        ([1, 2], "KIRO-E032"),
        ({"e2e_green": [1.0]}, "KIRO-E022"),
    ]
    for columns, code in bad:
        with pytest.raises(kiro.InputError) as info:
            policy.check_batch(columns)
        assert info.value.code == code, (columns, info.value)


def test_a_bad_record_gets_its_own_code(policy: kiro.Policy) -> None:
    # NaN or an infinity in one record: that record is an error (3), the others are judged.
    for bad in (math.nan, math.inf):
        good = policy.check_batch({"coverage": [95.0]})["verdicts"][0]
        result = policy.check_batch({"coverage": [95.0, bad, 95.0]})
        assert list(result["verdicts"]) == [good, 3, good]
        assert result["counts"]["error"] == 1


def test_empty_batch(policy: kiro.Policy) -> None:
    assert policy.check_batch({}) == {"verdicts": b"", "counts": {"pass": 0, "warn": 0, "fail": 0, "error": 0}}


def test_numpy_arrays_if_available(policy: kiro.Policy) -> None:
    np = pytest.importorskip("numpy")
    n = 100
    result = policy.check_batch(
        {
            "coverage": np.full(n, 95.0),
            "p95_latency": np.arange(n, dtype=np.int64),
            "tests.failed": np.zeros(n),
            "tests.total": np.full(n, 10.0)[::1],
            "e2e_green": np.ones(n, dtype=bool),
        }
    )
    assert result["counts"]["pass"] == n


def test_batch_releases_the_gil() -> None:
    # Many criteria over two columns: the engine's part of a call (GIL released) is far longer
    # than reading the columns (GIL held), whatever the machine.
    criteria = "".join(
        f"      - {{name: c{i}, pass: 'coverage >= {i % 90}% and latency < {100 + i}ms', warn: 'coverage >= 1%'}}\n"
        for i in range(200)
    )
    policy = kiro.Policy.from_text(
        "name: gil\nmetrics: {coverage: {unit: '%'}, latency: {unit: ms}}\n"
        f"gates:\n  - name: g\n    kind: pre-merge\n    criteria:\n{criteria}"
    )
    n = 500_000
    columns = {"coverage": array.array("d", [95.0]) * n, "latency": array.array("d", [50.0]) * n}
    took: list[float] = []

    def work() -> None:
        # Several calls, so the thread below watches long enough however fast the engine is.
        while sum(took) < 0.5:
            start = time.perf_counter()
            policy.check_batch(columns)
            took.append(time.perf_counter() - start)

    worker = threading.Thread(target=work)
    worker.start()
    gaps, last = [], time.perf_counter()
    while worker.is_alive():
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    worker.join()
    shortest = min(took)
    if shortest < 0.03:
        pytest.skip(f"one batch took only {shortest * 1000:.0f} ms; too short to tell")
    # Holding the GIL for a whole engine run would stall this thread for at least that long.
    assert max(gaps) < shortest * 0.6, (max(gaps), took)


def test_threads_share_a_policy(policy: kiro.Policy) -> None:
    results: list[dict] = []

    def work() -> None:
        for _ in range(200):
            results.append(policy.check(GOOD))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 800 and all(r == results[0] for r in results)


