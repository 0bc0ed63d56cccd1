"""kiro: release governance as code.

One engine decides whether a change may merge or a deployment may proceed, with the same
answer and the same explanation from Rust, the ``kiro`` CLI, Python, Node and WebAssembly.

>>> import kiro
>>> policy = kiro.Policy.from_text('''
... name: demo
... metrics: {coverage: {unit: "%"}}
... gates:
...   - name: tests
...     kind: pre-merge
...     criteria:
...       - {name: coverage, pass: coverage >= 90%}
... ''')
>>> decision = policy.check({"coverage": 87})
>>> decision["verdict"]
'fail'
>>> decision["gates"][0]["criteria"][0]["explanation"]
'coverage 87.0% < 90% (needs +3.0 points)'

Outcomes (a failed gate) are data in the decision. Misuse raises a :class:`KiroError`
subclass carrying ``.code`` (``KIRO-E0xx``) and ``.diagnostics``:

- :class:`PolicyError`: the policy text is malformed or invalid;
- :class:`InputError`: the metrics, batch columns, gate selection or an argument is invalid;
- :class:`EvaluationError`: a condition could not be computed (division by zero, overflow);
- :class:`InternalError`: a bug in kiro (``KIRO-E099``).

:meth:`Policy.start_monitor` starts a :class:`Monitor` of a policy's rollback triggers, fed
observations, ticks, approvals and the end one event at a time (docs/monitor.md).

:meth:`Policy.run` runs a policy's pipeline with Python callables (sync or ``async def``) as
the stages' actions; see :mod:`kiro._run`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiro._kiro import (
    EvaluationError,
    InputError,
    InternalError,
    KiroError,
    Monitor,
    PipelineRun,
    Policy,
    PolicyError,
    error_codes,
    policy_schema,
    validate,
    version,
)

if TYPE_CHECKING:
    from kiro._run import RunInterrupted, StageContext

__version__: str = version()

#: Every error code kiro reports, in order. A drift test compares this list with the engine's
#: own (:func:`error_codes`); when the engine gains a code, add it here and to the docs.
ERROR_CODES: tuple[str, ...] = (
    "KIRO-E001",  # the text is not well-formed YAML, JSON or TOML
    "KIRO-E002",  # a key that the policy format does not have
    "KIRO-E003",  # a value of the wrong type or shape, or a required key is absent
    "KIRO-E004",  # two items share one name
    "KIRO-E005",  # a name refers to something that is not declared
    "KIRO-E006",  # the input is larger or more deeply nested than kiro accepts
    "KIRO-E007",  # the format of the input could not be determined or is not supported
    "KIRO-E008",  # the stages depend on each other in a cycle
    "KIRO-E010",  # a condition is not well-formed
    "KIRO-E011",  # a condition names a metric the policy does not declare
    "KIRO-E012",  # units or types do not fit together
    "KIRO-E013",  # a unit kiro does not know
    "KIRO-E014",  # an unknown function or a wrong number of arguments
    "KIRO-E015",  # a condition is nested too deeply or is too long
    "KIRO-E016",  # a division by zero
    "KIRO-E017",  # arithmetic produced a value that is not a finite number
    "KIRO-E020",  # metrics input is not well-formed
    "KIRO-E021",  # metrics input is not an object of names to values
    "KIRO-E022",  # a metric value is invalid: NaN, infinite, the wrong type or the wrong unit
    "KIRO-E023",  # a command-line metric override is not `name=value`
    "KIRO-E030",  # nothing matches the gate selection
    "KIRO-E031",  # a weight, score threshold or limit is out of range
    "KIRO-E032",  # batch columns differ in length or type
    "KIRO-E033",  # the policy has no pipeline to plan or run
    "KIRO-E040",  # a saved state kiro cannot read: malformed, of another kind, or of an unknown or newer format
    "KIRO-E041",  # a saved state belongs to a different policy
    "KIRO-E042",  # an event is earlier than the last one the state has seen
    "KIRO-E043",  # an event for something the state does not know or does not wait for, or after it is done
    "KIRO-E050",  # two observations of a monitor carry the same time
    "KIRO-E051",  # an approval or rejection by a persona that may not approve that trigger
    "KIRO-E052",  # observations come too densely for a window to hold them
    "KIRO-E053",  # the policy has no triggers to monitor
    "KIRO-E070",  # a report (JUnit, coverage, SARIF, Lighthouse) is not well-formed or ends too early
    "KIRO-E071",  # a report is of another format than the flag it was passed with, or of no known format
    "KIRO-E072",  # a report of a version kiro does not read
    "KIRO-E073",  # a report is well-formed but a value in it is invalid
    "KIRO-E074",  # two inputs give different values for one metric
    "KIRO-E075",  # a report declares a DTD of its own (entities are never expanded)
    "KIRO-E076",  # a report path or pattern matches no file
    "KIRO-E099",  # an internal error in kiro itself; please report it
)

#: Per-record codes in :meth:`Policy.check_batch` results.
VERDICT_CODES: dict[int, str] = {0: "pass", 1: "warn", 2: "fail", 3: "error"}

#: Names imported from :mod:`kiro._run` on first use: it imports asyncio, which takes longer
#: than the rest of ``import kiro`` together.
_RUN_NAMES = ("RunInterrupted", "StageContext")


def __getattr__(name: str) -> Any:
    """Imports :class:`RunInterrupted` and :class:`StageContext` from :mod:`kiro._run` when
    first used."""
    if name in _RUN_NAMES:
        from kiro import _run

        return getattr(_run, name)
    raise AttributeError(f"module 'kiro' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, the lazily imported ones included."""
    return sorted({*globals(), *_RUN_NAMES})


__all__ = [
    "ERROR_CODES",
    "VERDICT_CODES",
    "EvaluationError",
    "InputError",
    "InternalError",
    "KiroError",
    "Monitor",
    "PipelineRun",
    "Policy",
    "PolicyError",
    "RunInterrupted",
    "StageContext",
    "__version__",
    "error_codes",
    "policy_schema",
    "validate",
    "version",
]
