"""The binding's serializer (bindings-python/src/serializer.rs) pinned against the core's
canonical JSON, byte for byte, on every value the conformance corpus produces.

For each corpus case, a test hook (``kiro._kiro._serialized_for_test``) returns one value the
engine produced, twice: as the Python object the binding hands out and as the core's canonical
JSON text of that same value (``decision_to_json`` for decisions, ``serde_json`` for the rest).
The object, written back as JSON the way ``serde_json`` writes (compact, keys in the object's
order, floats in their shortest round-trip form), must be that text exactly: same keys in the
same order, same types (``1`` is not ``1.0``, ``True`` is not ``1``), same digits.

Every value is converted three times: the serializer reuses objects from a process-wide cache
and builds structs from templates recorded by earlier conversions (of this case and of the
cases before it), so the later conversions check the cached paths.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_conformance import CASES, expected_error_of, metrics_of

from kiro import _kiro

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}


def canonical_float(x: float) -> str:
    """A float as ``serde_json`` writes it: Python's ``repr`` has the same shortest round-trip
    digits, and only the layout differs (fixed notation for decimal exponents -5 to 15, else
    ``1.5e-7`` / ``1e+16``)."""
    assert math.isfinite(x), f"a canonical value holds no {x!r}"
    sign, digits, exp = Decimal(repr(x)).normalize().as_tuple()
    text = "".join(map(str, digits))
    lead = len(digits) - 1 + exp  # the decimal exponent of the first digit
    minus = "-" if sign else ""
    if x == 0:
        return minus + "0.0"
    if -5 <= lead <= 15:
        if lead < 0:
            return f"{minus}0.{'0' * (-lead - 1)}{text}"
        if len(text) <= lead + 1:
            return f"{minus}{text}{'0' * (lead + 1 - len(text))}.0"
        return f"{minus}{text[: lead + 1]}.{text[lead + 1 :]}"
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{minus}{mantissa}e{'+' if lead >= 0 else '-'}{abs(lead)}"


def canonical(value: Any, path: str = "$") -> str:
    """``value`` written as compact JSON in the core's canonical layout. Only the exact types
    ``json.loads`` makes are accepted (no tuples, no dict or str subclasses)."""
    kind = type(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return canonical_float(value)
    if kind is str:
        return json.dumps(value, ensure_ascii=False)
    if kind is list:
        return "[" + ",".join(canonical(v, f"{path}[{i}]") for i, v in enumerate(value)) + "]"
    if kind is dict:
        items = []
        for k, v in value.items():
            assert type(k) is str, f"{path}: key {k!r} is not a str"
            items.append(json.dumps(k, ensure_ascii=False) + ":" + canonical(v, f"{path}.{k}"))
        return "{" + ",".join(items) + "}"
    raise AssertionError(f"{path}: a {kind.__name__} is not plain data")


def assert_pinned(what: str, **args: Any) -> None:
    """Converts one value three times and compares each result with the canonical text."""
    for attempt in range(3):
        obj, text = _kiro._serialized_for_test(what, **args)
        assert canonical(obj) == text, f"{what}, conversion {attempt + 1}:\n{canonical(obj)}\n{text}"


def policy_of(spec: dict[str, Any], folder: Path) -> tuple[str, str | None]:
    if "policy" in spec:
        return spec["policy"], spec.get("format")
    file = folder / spec["policy_file"]
    return file.read_text(encoding="utf-8"), spec.get("format") or FORMATS.get(file.suffix)


@pytest.mark.parametrize(
    "x",
    [0.0, -0.0, 1.0, -2.5, 0.1, 1e-5, 1.5e-6, 1e-7, 123456789012345.0, 1e15, 1e16, 1.5e300, 5e-324, 0.9],
)
def test_canonical_float_reads_back(x: float) -> None:
    """The test's own float writer: its text reads back as the same float."""
    assert float(canonical_float(x)) == x
    assert math.copysign(1, float(canonical_float(x))) == math.copysign(1, x)


@pytest.mark.parametrize("x", [1e-5, 1.5e-7, 1e16, 2.5e300, -3e-300, 123456.789, 0.1 + 0.2])
def test_floats_in_every_layout(x: float) -> None:
    """Values in the decision in fixed and in exponent notation (the corpus has no such
    values): the layouts where Python's ``repr`` and ``serde_json`` differ."""
    policy = "name: p\nmetrics: {m: {}}\ngates: [{name: g, kind: custom, criteria: [{name: c, pass: m > 0}]}]"
    assert_pinned("check", policy=policy, metrics={"m": x})


def test_schema() -> None:
    assert_pinned("schema")


@pytest.mark.skipif(not CASES, reason="no conformance corpus")
@pytest.mark.parametrize(("name", "spec", "folder"), CASES, ids=[c[0] for c in CASES])
def test_corpus_values(name: str, spec: dict[str, Any], folder: Path) -> None:
    text, format = policy_of(spec, folder)
    assert_pinned("validate", policy=text, format=format)
    assert_pinned("plan", policy=text, format=format)
    if "run" in spec:
        return  # run results: tests/test_run.py and the conformance runner
    try:
        metrics = metrics_of(spec)
    except pytest.skip.Exception:
        return
    try:
        assert_pinned("check", policy=text, format=format, metrics=metrics, gate=spec.get("gate"), kind=spec.get("kind"))
    except _kiro.KiroError as e:
        # Metrics the binding itself rejects (a NaN, a key that is not a str): no core value.
        assert (expected_error_of(spec) or {}).get("code") == e.code, f"unexpected {e.code}: {e}"
