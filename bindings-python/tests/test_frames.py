"""Batches in the data-frame libraries' own terms: a pandas, Polars or pyarrow frame is accepted as
it is, and what each library calls missing (pandas' NaN and ``pd.NA``, Arrow and Polars nulls, a
NumPy masked array's mask) is no data; ``nan=`` says what a NaN means everywhere else. The
answer must be the one ``check()`` gives record by record with ``None`` for no data."""

from __future__ import annotations

from typing import Any, Optional

import pytest

import kiro

POLICY = """
name: frames
metrics:
  coverage: {unit: "%"}
  green: {unit: bool}
gates:
  - name: g
    kind: pre-merge
    criteria:
      - {name: cov, pass: coverage >= 80%, on_missing: warn}
      - {name: ok, pass: green, on_missing: pass}
"""

# The records every frame below holds; None is no data.
COVERAGE: list[Optional[float]] = [90.0, None, 70.0, 85.0]
GREEN: list[Optional[bool]] = [True, True, None, False]
# What check() says of each record: pass, warn (no coverage), fail (70%), fail (not green).
EXPECTED = bytes([0, 1, 2, 2])


@pytest.fixture(scope="module")
def policy() -> kiro.Policy:
    return kiro.Policy.from_text(POLICY)


def by_record(policy: kiro.Policy) -> bytes:
    codes = {"pass": 0, "warn": 1, "fail": 2}
    return bytes(
        codes[policy.check({"coverage": c, "green": g})["verdict"]] for c, g in zip(COVERAGE, GREEN)
    )


def test_the_expectation_is_what_check_says(policy: kiro.Policy) -> None:
    assert by_record(policy) == EXPECTED


def test_a_pandas_frame_with_nan_and_na(policy: kiro.Policy) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "coverage": [90.0, float("nan"), 70.0, 85.0],  # NaN: pandas' missing
            "green": pd.array(GREEN, dtype="boolean"),  # pd.NA
        }
    )
    assert policy.check_batch(frame)["verdicts"] == EXPECTED
    # A nullable integer column, and a Series per column in a dict.
    frame["coverage"] = pd.array([90, None, 70, 85], dtype="Int64")
    assert policy.check_batch(frame)["verdicts"] == EXPECTED
    assert policy.check_batch({name: frame[name] for name in frame.columns})["verdicts"] == EXPECTED


def test_nan_error_makes_pandas_nan_not_a_number(policy: kiro.Policy) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"coverage": [90.0, float("nan")], "green": [True, True]})
    assert policy.check_batch(frame, nan="error")["verdicts"] == bytes([0, 3])
    assert policy.check_batch(frame, nan="missing")["verdicts"] == bytes([0, 1])


def test_a_pyarrow_table_with_nulls(policy: kiro.Policy) -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"coverage": COVERAGE, "green": GREEN})
    assert policy.check_batch(table)["verdicts"] == EXPECTED


def test_a_polars_frame_with_nulls(policy: kiro.Policy) -> None:
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"coverage": COVERAGE, "green": GREEN})
    assert policy.check_batch(frame)["verdicts"] == EXPECTED


def test_arrow_and_polars_nan_is_a_value_unless_nan_missing(policy: kiro.Policy) -> None:
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    for frame in (
        pa.table({"coverage": [90.0, float("nan"), None], "green": [True, True, True]}),
        pl.DataFrame({"coverage": [90.0, float("nan"), None], "green": [True, True, True]}),
    ):
        # NaN is not null there: not a number (3); null is no data (warn).
        assert policy.check_batch(frame)["verdicts"] == bytes([0, 3, 1])
        assert policy.check_batch(frame, nan="missing")["verdicts"] == bytes([0, 1, 1])


def test_a_numpy_masked_array_and_nan_in_plain_arrays(policy: kiro.Policy) -> None:
    np = pytest.importorskip("numpy")
    masked = np.ma.masked_array([90.0, 0.0, 70.0, 85.0], mask=[False, True, False, False])
    green: Any = [True, True, None, False]
    assert policy.check_batch({"coverage": masked, "green": green})["verdicts"] == EXPECTED
    plain = np.array([90.0, np.nan, 70.0, 85.0])
    assert policy.check_batch({"coverage": plain, "green": green})["verdicts"] == bytes([0, 3, 2, 2])
    assert policy.check_batch({"coverage": plain, "green": green}, nan="missing")["verdicts"] == EXPECTED


def test_a_bad_nan_argument_or_frame_is_an_input_error(policy: kiro.Policy) -> None:
    with pytest.raises(kiro.InputError) as info:
        policy.check_batch({"coverage": [1.0]}, nan="zero")  # type: ignore[arg-type]
    assert info.value.code == "KIRO-E003"
    with pytest.raises(kiro.InputError) as info:
        policy.check_batch(42)
    assert "pandas, Polars or pyarrow frame" in str(info.value)
