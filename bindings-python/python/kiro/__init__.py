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

:meth:`Policy.start_release` starts a :class:`Release` through the policy's environments
(docs/releases.md), :meth:`Policy.start_alerts` its :class:`Alerts` engine (docs/alerts.md);
:meth:`Policy.score_risk`, :meth:`Policy.check_at_risk` and :meth:`Policy.blast_radius` explain
a change's risk (docs/risk.md), and :meth:`Policy.health` the dashboard's panels (docs/health.md).

:meth:`Policy.run` runs a policy's pipeline with Python callables (sync or ``async def``) as
the stages' actions; see :mod:`kiro._run`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiro._kiro import (
    Alerts,
    EvaluationError,
    InputError,
    InternalError,
    KiroError,
    Monitor,
    PipelineRun,
    Policy,
    PolicyError,
    Release,
    error_codes,
    evaluate_model,
    fit_model,
    policy_schema,
    read_evidence,
    score_changes,
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
    "KIRO-E054",  # `baseline(…)` written with other than a metric name and an optional known aggregate
    "KIRO-E055",  # `baseline(…)` where no earlier runs can be given (outside gate and stage criteria)
    "KIRO-E056",  # a `baseline:` block that is not valid (`last` below 1 or above the limit, unknown `include`)
    "KIRO-E057",  # the earlier runs given as history are not a list of runs of the expected shape
    "KIRO-E058",  # a value in an earlier run does not fit its metric (NaN, infinite, wrong unit or type)
    "KIRO-E059",  # more earlier runs than kiro reads in one check
    "KIRO-E070",  # a report (JUnit, coverage, SARIF, Lighthouse) is not well-formed or ends too early
    "KIRO-E071",  # a report is of another format than the flag it was passed with, or of no known format
    "KIRO-E072",  # a report of a version kiro does not read
    "KIRO-E073",  # a report is well-formed but a value in it is invalid
    "KIRO-E074",  # two inputs give different values for one metric
    "KIRO-E075",  # a report declares a DTD of its own (entities are never expanded)
    "KIRO-E076",  # a report path or pattern matches no file
    "KIRO-E080",  # a history database written by a newer kiro (a schema version this one does not read)
    "KIRO-E081",  # a file given as a history database is not one, or is damaged
    "KIRO-E082",  # a history database stayed locked by another writer past the wait
    "KIRO-E083",  # a history database cannot be opened, read or written (a missing folder, a read-only disk)
    "KIRO-E084",  # a PostgreSQL history server cannot be reached
    "KIRO-E085",  # a PostgreSQL history server refuses the login or the database
    "KIRO-E086",  # a history URL that cannot be read
    "KIRO-E099",  # an internal error in kiro itself; please report it
    "KIRO-E100",  # environments depend on each other in a cycle
    "KIRO-E101",  # a traffic weight that is not a whole percent from 0 to 100, is above the max weight, or decreases
    "KIRO-E102",  # a deploy window whose cron rule or date range is not valid
    "KIRO-E103",  # a time zone the bundled time zone database does not know
    "KIRO-E104",  # the policy has no environments to release through
    "KIRO-E105",  # an event for a release that is already done
    "KIRO-E106",  # an approval or rejection from a persona the environment does not ask
    "KIRO-E107",  # the author of a change cannot approve it (separation of duties)
    "KIRO-E108",  # the same approval, validation result or event given twice
    "KIRO-E109",  # an event names an environment, persona, check, gate or trigger the release does not know
    "KIRO-E110",  # an event the release does not wait for now
    "KIRO-E111",  # a break-glass override without a reason or a named approver
    "KIRO-E112",  # a promotion past a failed, inconclusive or erroring analysis
    "KIRO-E113",  # a strategy or canary step that is not well-formed
    "KIRO-E160",  # no risk model of that name, or no `risk` section
    "KIRO-E161",  # a risk factor's transform that does not make sense (bounds, bands)
    "KIRO-E162",  # a risk factor's weight that does not make sense (zero, negative, not finite)
    "KIRO-E163",  # risk level thresholds that are not ascending within 0 to 100
    "KIRO-E164",  # a risk factor without exactly one value and one transform that fits it
    "KIRO-E165",  # a risk model that refuses missing inputs found a factor without data
    "KIRO-E166",  # a component that the dependency graph does not have
    "KIRO-E167",  # a dependency graph node with a criticality or traffic weight that does not make sense
    "KIRO-E168",  # a mitigation that does not make sense
    "KIRO-E169",  # the policy has no dependency graph
    "KIRO-E170",  # change data that cannot be used for training or scoring (a bad value, column or date)
    "KIRO-E171",  # training data that cannot give a model (too few rows, one class, a constant column)
    "KIRO-E172",  # a model file from another kiro version or format, or changed since it was written
    "KIRO-E173",  # a risk-based gating rule that names no gate or level
    "KIRO-E174",  # a path that is not a git repository, a shallow clone, or a revision range that names nothing
    "KIRO-E175",  # an informational criterion that is also `key` or has a `weight`
    "KIRO-E176",  # a policy test file that cannot be read as one (a missing or malformed key, a case without expectations)
    "KIRO-E177",  # a policy test names a gate, criterion or metric the policy does not declare
    "KIRO-E178",  # no policy test files where `kiro test` was pointed
    "KIRO-E130",  # a label matcher that cannot be read, or whose regular expression is invalid
    "KIRO-E131",  # a route or escalation level names a receiver that is not declared
    "KIRO-E132",  # inhibition rules whose alerts could mute each other
    "KIRO-E133",  # a silence that would mute everything, has no matchers, no reason or author, or is too long
    "KIRO-E134",  # escalation levels out of order
    "KIRO-E135",  # a template that does not parse or names an unknown field
    "KIRO-E136",  # an acknowledgement or expiry for an alert or silence the engine does not hold
    "KIRO-E137",  # more live alerts, groups or silences than the engine keeps
    "KIRO-E138",  # the policy has no `alerts` section
    "KIRO-E139",  # an alert test file that cannot be run
    "KIRO-E140",  # a report holds the error its tool wrote instead of its results
    "KIRO-E190",  # an imported file that the host did not give or that does not exist
    "KIRO-E191",  # files that import each other in a cycle
    "KIRO-E192",  # two definitions of one name from different files, or an `override` that replaces nothing
    "KIRO-E193",  # a gate uses a template that is not declared or imported
    "KIRO-E194",  # a template argument that is missing, unknown or not a literal of its parameter's unit
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
    "Alerts",
    "VERDICT_CODES",
    "EvaluationError",
    "InputError",
    "InternalError",
    "KiroError",
    "Monitor",
    "PipelineRun",
    "Policy",
    "PolicyError",
    "Release",
    "RunInterrupted",
    "StageContext",
    "__version__",
    "error_codes",
    "evaluate_model",
    "fit_model",
    "policy_schema",
    "read_evidence",
    "score_changes",
    "validate",
    "version",
]
