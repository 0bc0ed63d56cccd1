"""Hostile host values: nothing a Python value does while kiro reads it makes a Rust panic escape
(`pyo3_runtime.PanicException`, which `except Exception` does not catch); NumPy columns of
every dtype are converted or refused with a coded error; `Policy.from_path` reads only regular
files, and at most 16 MiB of them. The tables are generated: each hostile behaviour in each
place a host value is read."""

from __future__ import annotations

import collections.abc
import errno
import itertools
import os
import subprocess
import sys
import textwrap
from typing import Any, Callable, Dict, Iterator

import pytest

import kiro

POLICY = """
name: hostile
metrics:
  c: {}
  a.b: {}
gates:
  - name: g
    kind: pre-merge
    criteria:
      - {name: c, pass: c >= 0, on_missing: pass}
      - {name: b, pass: a.b >= 0, on_missing: pass}
"""

PIPELINE = "name: ci\npipeline: {stages: [{name: a, gate: g}]}\n" + POLICY.split("\n", 2)[2]


@pytest.fixture(scope="module")
def policy() -> kiro.Policy:
    return kiro.Policy.from_text(POLICY)


# -- values whose methods change the mapping being read ---------------------------------------

# How a value changes the dict that holds it (`target`) while kiro reads it.
MUTATIONS: Dict[str, Callable[[Dict[Any, Any]], None]] = {
    "add keys": lambda d: d.update({f"k{i}": i for i in range(len(d), len(d) + 50)}),
    "delete a key": lambda d: d.pop(next(iter(d)), None),
    "clear": lambda d: d.clear(),
    "replace the values": lambda d: d.update({k: "x" for k in list(d)}),
}


def hostile_number(method: str, mutate: Callable[[Dict[Any, Any]], None], target: Dict[Any, Any]) -> Any:
    """A number-like object (`__float__` or `__index__`) that changes `target` before answering."""

    def answer(self: Any) -> Any:
        mutate(target)
        return 1.0 if method == "__float__" else 1

    return type("Hostile", (), {method: answer})()


def hostile_key(method: str, mutate: Callable[[Dict[Any, Any]], None], target: Dict[Any, Any]) -> Any:
    """A `str` subclass (a metric name) whose `__str__`, `__eq__` or `__hash__` changes `target`,
    once armed (after it is in `target`)."""

    def answer(self: Any, *args: Any) -> Any:
        if self.armed:
            mutate(target)
        if method == "__str__":
            return "c"
        if method == "__eq__":
            return str.__eq__(self, *args)
        return str.__hash__(self)

    key = type("HostileKey", (str,), {method: answer, "__hash__": answer if method == "__hash__" else str.__hash__})("c")
    key.armed = False
    return key


class MutatingMapping(collections.abc.Mapping):  # type: ignore[type-arg]
    """A mapping whose `items()` changes the dict it reads from."""

    def __init__(self, data: Dict[str, Any], mutate: Callable[[Dict[Any, Any]], None]) -> None:
        self.data = data
        self.mutate = mutate

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        self.mutate(self.data)
        return iter(list(self.data))

    def __len__(self) -> int:
        return len(self.data)


def metrics_cases() -> Iterator[Any]:
    """Every hostile behaviour, in every place of a metrics mapping: (label, metrics)."""
    for (method, (mutation, mutate)) in itertools.product(["__float__", "__index__"], MUTATIONS.items()):
        top: Dict[Any, Any] = {"c": 1, "x": 2, "y": 3}
        top["v"] = hostile_number(method, mutate, top)
        yield f"{method} {mutation} (top)", top
        inner: Dict[Any, Any] = {"b": 1, "z": 2}
        inner["w"] = hostile_number(method, mutate, inner)
        yield f"{method} {mutation} (nested)", {"a": inner, "c": 1}
        outer: Dict[Any, Any] = {"c": 1, "a": {}}
        outer["a"] = {"b": hostile_number(method, mutate, outer)}
        yield f"{method} {mutation} (outer from nested)", outer
    for (method, (mutation, mutate)) in itertools.product(["__str__", "__eq__", "__hash__"], MUTATIONS.items()):
        keyed: Dict[Any, Any] = {"x": 1, "y": 2}
        key = hostile_key(method, mutate, keyed)
        keyed[key] = 1
        key.armed = True
        yield f"key {method} {mutation}", keyed
    for mutation, mutate in MUTATIONS.items():
        yield f"Mapping {mutation}", MutatingMapping({"c": 1, "x": 2}, mutate)


def assert_no_panic(call: Callable[[], Any]) -> Any:
    """Runs `call`: a result or a KiroError, never a panic (a BaseException) or another error."""
    try:
        return call()
    except kiro.KiroError:
        return None
    except BaseException as error:  # noqa: BLE001 - a PanicException is what this test looks for
        pytest.fail(f"{type(error).__module__}.{type(error).__name__}: {error}")


@pytest.mark.parametrize(("label", "metrics"), list(metrics_cases()), ids=[c[0] for c in metrics_cases()])
def test_values_that_change_the_metrics_while_read_never_panic(policy: kiro.Policy, label: str, metrics: Any) -> None:
    decision = assert_no_panic(lambda: policy.check(metrics))
    if decision is not None:
        assert decision["verdict"] in ("pass", "warn", "fail", "error"), label


@pytest.mark.parametrize(("label", "metrics"), list(metrics_cases()), ids=[c[0] for c in metrics_cases()])
def test_a_run_action_returning_them_never_panics(label: str, metrics: Any) -> None:
    pipeline = kiro.Policy.from_text(PIPELINE)
    result = assert_no_panic(lambda: pipeline.run({"a": lambda ctx: metrics}))
    assert result is not None, label
    assert result["stages"][0]["outcome"] in ("passed", "failed"), label


def test_options_whose_keys_change_them_never_panic(policy: kiro.Policy) -> None:
    for mutation, mutate in MUTATIONS.items():
        options: Dict[Any, Any] = {"x": 1}
        key = hostile_key("__str__", mutate, options)
        options[key] = 1
        key.armed = True
        assert_no_panic(lambda: kiro.Policy.from_text(PIPELINE)._start_run([], max_parallel=options))
        with pytest.raises(kiro.InputError):
            policy.check({"c": 1}, gate=options)


# -- NumPy columns ----------------------------------------------------------------------------


def test_numpy_columns_of_every_numeric_dtype_are_converted(policy: kiro.Policy) -> None:
    np = pytest.importorskip("numpy")
    for dtype in [">f8", "<f8", "f4", ">f4", "f2", ">f2", "i1", "i2", ">i2", "i4", ">i4", "i8", ">i8"]:
        column = np.array([2, -1, 0, 1], dtype=dtype)
        assert policy.check_batch({"c": column})["verdicts"] == bytes([0, 2, 0, 0]), dtype
    for dtype in ["u1", "u2", ">u2", "u4", ">u4", "u8", ">u8"]:
        column = np.array([2, 0, 1, 3], dtype=dtype)
        assert policy.check_batch({"c": column})["verdicts"] == bytes([0, 0, 0, 0]), dtype
    # float16 values as float64 has them: the nearest half is read, not rounded again.
    assert policy.check_batch({"c": np.array([-0.0001, 0.0001], dtype="f2")})["verdicts"] == bytes([2, 0])
    # Non-contiguous and big-endian together.
    strided = np.array([2, 9, -1, 9, 0, 9, 1, 9], dtype=">f8")[::2]
    assert policy.check_batch({"c": strided})["verdicts"] == bytes([0, 2, 0, 0])
    # Booleans (a criterion on a boolean metric).
    flags = kiro.Policy.from_text(
        "name: f\nmetrics: {ok: {unit: bool}}\ngates:\n  - {name: g, kind: pre-merge, criteria: [{name: ok, pass: ok}]}\n"
    )
    assert flags.check_batch({"ok": np.array([True, False])})["verdicts"] == bytes([0, 2])


def test_numpy_object_columns_are_read_item_by_item(policy: kiro.Policy) -> None:
    np = pytest.importorskip("numpy")
    column = np.array([1.5, None, -1, 2], dtype=object)
    assert policy.check_batch({"c": column})["verdicts"] == bytes([0, 0, 2, 0])
    with pytest.raises(kiro.InputError) as caught:
        policy.check_batch({"c": np.array([1, "x"], dtype=object)})
    assert caught.value.code == "KIRO-E032"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda np: np.array([1 + 2j]), "column `c` is a NumPy array of `complex128`; batch values are numbers, booleans or None"),
        (lambda np: np.array(["2020-01-01"], dtype="M8[D]"), "column `c` is a NumPy array of `datetime64[D]`; batch values are numbers, booleans or None"),
        (lambda np: np.array([1], dtype="m8[s]"), "column `c` is a NumPy array of `timedelta64[s]`; batch values are numbers, booleans or None"),
        (lambda np: np.array(["1"]), "column `c` is a NumPy array of `str32`; batch values are numbers, booleans or None"),
        (lambda np: np.zeros((2, 2)), "column `c` has 2 dimensions; a batch column has one"),
    ],
    ids=["complex", "datetime", "timedelta", "str", "2-D"],
)
def test_numpy_columns_of_other_dtypes_are_coded_errors(policy: kiro.Policy, make: Any, message: str) -> None:
    np = pytest.importorskip("numpy")
    with pytest.raises(kiro.InputError) as caught:
        policy.check_batch({"c": make(np)})
    assert caught.value.code == "KIRO-E032"
    assert caught.value.diagnostics[0]["message"] == message


def test_buffers_of_formats_kiro_cannot_read_are_coded_errors(policy: kiro.Policy) -> None:
    import ctypes

    class Pair(ctypes.Structure):
        _fields_ = [("x", ctypes.c_double), ("y", ctypes.c_double)]

    with pytest.raises(kiro.InputError) as caught:
        policy.check_batch({"c": (Pair * 2)()})
    assert caught.value.code == "KIRO-E032"
    assert "which kiro cannot read" in caught.value.diagnostics[0]["message"]


# -- Policy.from_path -------------------------------------------------------------------------


def test_from_path_refuses_devices_and_directories(tmp_path: Any) -> None:
    with pytest.raises(OSError) as caught:
        kiro.Policy.from_path("/dev/zero")
    assert caught.value.errno == errno.EINVAL
    assert "it is a character device, not a regular file" in str(caught.value)
    assert caught.value.filename == "/dev/zero"
    with pytest.raises(IsADirectoryError):
        kiro.Policy.from_path(tmp_path)


def test_from_path_refuses_a_file_over_16_mib_before_reading(tmp_path: Any) -> None:
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(16 * 1024 * 1024 + 1)  # sparse: no disk used
    with pytest.raises(kiro.PolicyError) as caught:
        kiro.Policy.from_path(big)
    assert caught.value.code == "KIRO-E006"
    assert caught.value.diagnostics[0]["message"] == f"policy file `{big}` is too large: 16.0 MiB, more than the limit of 16 MiB"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_from_path_does_not_wait_for_a_fifo_writer(tmp_path: Any) -> None:
    fifo = tmp_path / "policy.yaml"
    os.mkfifo(fifo)
    # In a child process with a deadline: a wait for a writer would otherwise hang the suite.
    script = textwrap.dedent(
        f"""
        import kiro
        try:
            kiro.Policy.from_path({str(fifo)!r})
        except OSError as e:
            print(e.errno, e.strerror)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == f"{errno.EINVAL} it is a FIFO, not a regular file"
