"""Type stubs for the native module ``kiro._kiro`` (re-exported by ``kiro``)."""

from collections.abc import Mapping
from os import PathLike
from typing import Any, Literal, Optional, TypedDict, Union

from typing_extensions import NotRequired, TypeAlias

Format: TypeAlias = Literal["yaml", "json", "toml"]
GateKind: TypeAlias = Literal["pre-commit", "pre-merge", "pre-deploy", "post-deploy", "custom"]
Verdict: TypeAlias = Literal["pass", "warn", "fail"]
Outcome: TypeAlias = Literal["pass", "warn", "fail", "unknown"]
Signoff: TypeAlias = Literal["approved", "approved_with_conditions", "rejected"]
MissingRule: TypeAlias = Literal["fail", "pass", "warn", "inconclusive", "hold"]

#: A metric value: a number in the declared unit, a string with a unit (``"87%"``,
#: ``"420ms"``), a bool, or None for no data. Nested mappings flatten to dotted names.
MetricValue: TypeAlias = Union[int, float, str, bool, None, Mapping[str, "MetricValue"]]

class Label(TypedDict):
    """A labelled byte range of the source a diagnostic points at."""

    start: int
    end: int
    label: str

class Diagnostic(TypedDict):
    """One problem found in an input."""

    code: str
    message: str
    help: NotRequired[str]
    severity: Literal["error", "warning"]
    labels: list[Label]
    source: NotRequired[str]

class PolicyRef(TypedDict):
    name: str
    hash: str

# Functional syntax: "pass" is a Python keyword.
Thresholds = TypedDict("Thresholds", {"pass": float, "warn": float})

class CriterionDecision(TypedDict):
    name: str
    condition: str
    warn_condition: NotRequired[str]
    outcome: Outcome
    values: dict[str, Union[float, bool, None]]
    weight: float
    earned: float
    key: bool
    missing_rule_applied: Optional[MissingRule]
    explanation: str

class GateDecision(TypedDict):
    name: str
    kind: GateKind
    verdict: Verdict
    mode: Literal["strict", "scored"]
    score: Optional[float]
    thresholds: NotRequired[Thresholds]
    reason: str
    owners: list[str]
    criteria: list[CriterionDecision]

class PersonaDecision(TypedDict):
    name: str
    signoff: Signoff
    required: bool
    conditions: list[str]
    reasons: list[str]

class Decision(TypedDict):
    """Everything kiro concluded for one evaluation (the core's canonical decision JSON)."""

    verdict: Verdict
    summary: str
    policy: PolicyRef
    gates: list[GateDecision]
    personas: list[PersonaDecision]

BatchCounts = TypedDict("BatchCounts", {"pass": int, "warn": int, "fail": int, "error": int})

class BatchResult(TypedDict):
    """One verdict code per record (0 pass, 1 warn, 2 fail, 3 error) and the counts."""

    verdicts: bytes
    counts: BatchCounts

class PlannedStage(TypedDict):
    """One stage in a plan. Times are whole milliseconds from the pipeline's start."""

    name: str
    needs: list[str]
    personas: list[str]
    wave: int
    estimate_ms: int
    earliest_start_ms: int
    earliest_finish_ms: int
    latest_start_ms: int
    latest_finish_ms: int
    slack_ms: int
    critical: bool

class Plan(TypedDict):
    """The plan of a pipeline (the core's canonical plan JSON)."""

    policy: PolicyRef
    #: Every stage, in policy order.
    stages: list[PlannedStage]
    #: Stages that may run at the same time: wave 0 needs nothing, wave k needs wave k - 1.
    waves: list[list[str]]
    #: The longest chain of stages by estimate, first to last.
    critical_path: list[str]
    #: The earliest the whole pipeline can finish, from its estimates.
    total_ms: int

class KiroError(Exception):
    """Base class of every error kiro raises."""

    #: The first diagnostic's stable code, ``KIRO-E0xx``.
    code: str
    #: Every problem found; never empty.
    diagnostics: list[Diagnostic]

class PolicyError(KiroError):
    """The policy text could not be read, validated or compiled."""

class InputError(KiroError):
    """The metrics, batch columns, gate selection or an argument such as ``format`` is invalid."""

class EvaluationError(KiroError):
    """A condition could not be computed on the values given (division by zero, overflow)."""

class InternalError(KiroError):
    """A bug in kiro (``KIRO-E099``); please report it."""

class Policy:
    """A compiled policy: load it once, check many times. Immutable and thread-safe."""

    @staticmethod
    def from_text(text: str, format: Optional[Format] = None) -> Policy:
        """Compiles a policy from text; ``format=None`` detects it from the text.

        Raises :class:`PolicyError` with every problem found, :class:`InputError` for an
        unknown ``format``.
        """

    @staticmethod
    def from_path(path: Union[str, PathLike[str]], format: Optional[Format] = None) -> Policy:
        """Compiles a policy from a file; the format comes from ``format``, else the extension
        (``.yaml``, ``.yml``, ``.json``, ``.toml``), else the text.

        Raises :class:`OSError` (e.g. :class:`FileNotFoundError`) when the file cannot be read.
        """

    @property
    def name(self) -> str:
        """The policy's name."""

    @property
    def hash(self) -> str:
        """``sha256:`` and the hex SHA-256 of the policy's canonical JSON."""

    @property
    def metric_names(self) -> list[str]:
        """The declared metric names, sorted."""

    @property
    def gate_names(self) -> list[str]:
        """The gate names, in policy order."""

    def check(
        self,
        metrics: Mapping[str, MetricValue],
        gate: Optional[str] = None,
        kind: Optional[GateKind] = None,
    ) -> Decision:
        """Checks one set of metrics against the selected gates (all by default).

        Raises :class:`InputError` for values that do not fit their metrics or a selection
        that matches nothing, :class:`EvaluationError` when a condition cannot be computed.
        """

    def check_batch(
        self,
        columns: Mapping[str, Any],
        gate: Optional[str] = None,
        kind: Optional[GateKind] = None,
    ) -> BatchResult:
        """Checks many records given as columns: metric name to a sequence of numbers, bools
        and None, or any buffer-protocol object (``array.array``, a NumPy array; float64 is
        read without conversion). Releases the GIL while the engine runs.

        A record whose condition cannot be computed gets code 3 instead of raising.
        """

    def plan(self) -> Plan:
        """The plan of the policy's pipeline: parallel waves, each stage's earliest and latest
        times and slack, the critical path and the total time, from the stages' estimates.

        Raises :class:`InputError` (``KIRO-E030``) when the policy has no ``pipeline`` section.
        """

def validate(text: str, format: Optional[Format] = None) -> list[Diagnostic]:
    """Every problem in a policy text; empty when it is valid."""

def policy_schema() -> dict[str, Any]:
    """The JSON Schema of the policy format."""

def version() -> str:
    """The version of the kiro engine."""

def error_codes() -> list[str]:
    """Every error code the engine can report, in order."""

def _panic_for_test() -> None:
    """Panics inside the binding's panic guard (tests check it raises InternalError)."""
