"""Type stubs for the native module ``kiro._kiro`` (re-exported by ``kiro``)."""

from collections.abc import Callable, Coroutine, Mapping
from os import PathLike
from typing import Any, Literal, Optional, TypedDict, Union

from typing_extensions import NotRequired, TypeAlias

from kiro._run import Action

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

StageOutcome: TypeAlias = Literal["passed", "failed", "timed_out", "cancelled", "skipped"]
AttemptOutcome: TypeAlias = Literal["succeeded", "failed", "timed_out", "cancelled"]

class AttemptRecord(TypedDict):
    """One attempt of a stage. Times are whole milliseconds since the run started."""

    #: The attempt, from 1.
    attempt: int
    started_at_ms: int
    duration_ms: int
    outcome: AttemptOutcome
    #: What the action said about it: a failure's detail (``"ValueError: boom"``).
    detail: NotRequired[str]

class StageResult(TypedDict):
    """What happened to one stage in a run."""

    name: str
    outcome: StageOutcome
    #: True when it failed but ``continue_on_failure`` let the pipeline go on.
    allowed_failure: bool
    #: Why it failed, was cancelled or was skipped.
    reason: NotRequired[str]
    #: When its first attempt started.
    started_at_ms: NotRequired[int]
    #: From its first start to its end, retries and backoff included.
    duration_ms: NotRequired[int]
    attempts: list[AttemptRecord]
    #: The decision of its exit gate on the metrics its action returned, when it has one.
    gate: NotRequired[Decision]
    #: Why its exit gate could not be checked (metrics that do not fit the policy).
    diagnostics: NotRequired[list[Diagnostic]]

class RunResult(TypedDict):
    """The result of a pipeline run (the JSON of ``kiro run --format json``)."""

    policy: PolicyRef
    #: pass when every stage passed; warn when a stage failed with ``continue_on_failure`` or
    #: an exit gate warned; fail otherwise, and when the run was interrupted.
    verdict: Verdict
    #: The run in one sentence.
    summary: str
    #: True when the run was interrupted (Ctrl-C, a cancelled task).
    interrupted: bool
    duration_ms: int
    #: Every stage, in policy order.
    stages: list[StageResult]

class QueuedEvent(TypedDict):
    """The stage waits for its needs (every stage, when the run starts)."""

    event: Literal["queued"]
    stage: str
    at_ms: int

class StartedEvent(TypedDict):
    """An attempt started."""

    event: Literal["started"]
    stage: str
    attempt: int
    at_ms: int

class RetriedEvent(TypedDict):
    """An attempt failed; the stage is tried again after ``backoff_ms``."""

    event: Literal["retried"]
    stage: str
    attempt: int
    reason: str
    backoff_ms: int
    at_ms: int

class TimedOutEvent(TypedDict):
    """An attempt ran out of time and was cancelled."""

    event: Literal["timed_out"]
    stage: str
    attempt: int
    timeout_ms: int
    at_ms: int

class PassedEvent(TypedDict):
    """The stage succeeded and its exit gate (if any) did not fail."""

    event: Literal["passed"]
    stage: str
    #: The exit gate's verdict; None without an exit gate.
    verdict: Optional[Verdict]
    duration_ms: int
    at_ms: int

class FailedEvent(TypedDict):
    """The stage failed (its last attempt failed or timed out, or its exit gate failed)."""

    event: Literal["failed"]
    stage: str
    reason: str
    #: True when ``continue_on_failure`` lets the pipeline go on.
    allowed: bool
    at_ms: int

class CancelledEvent(TypedDict):
    """The stage was running and was stopped (fail-fast, an interruption)."""

    event: Literal["cancelled"]
    stage: str
    reason: str
    at_ms: int

class SkippedEvent(TypedDict):
    """The stage never started."""

    event: Literal["skipped"]
    stage: str
    reason: str
    at_ms: int

#: One thing that happened during a run, ``at_ms`` milliseconds after it started; ``event``
#: says which.
Event: TypeAlias = Union[
    QueuedEvent,
    StartedEvent,
    RetriedEvent,
    TimedOutEvent,
    PassedEvent,
    FailedEvent,
    CancelledEvent,
    SkippedEvent,
]

class StartRequest(TypedDict):
    """Start attempt ``attempt`` of ``stage``; report its end with ``complete(id, ...)`` or
    ``fail(id, ...)``."""

    type: Literal["start"]
    id: int
    stage: str
    attempt: int

class CancelRequest(TypedDict):
    """Stop attempt ``id``: its result is no longer wanted."""

    type: Literal["cancel"]
    id: int

class SetTimerRequest(TypedDict):
    """Call ``fire(id)`` after ``ms`` milliseconds (or step at a time past it)."""

    type: Literal["set_timer"]
    id: int
    ms: int

class ClearTimerRequest(TypedDict):
    """Timer ``id`` is no longer needed."""

    type: Literal["clear_timer"]
    id: int

#: Something the host must do for a run to go on; ``type`` says which.
HostRequest: TypeAlias = Union[StartRequest, CancelRequest, SetTimerRequest, ClearTimerRequest]

class HostStep(TypedDict):
    """What one :meth:`PipelineRun.step` produced."""

    #: What to do now, in order.
    requests: list[HostRequest]
    #: What happened since the last step, in order.
    events: list[Event]
    #: True when the run is over (:meth:`PipelineRun.result` holds its result); the requests
    #: of this last step still need carrying out.
    done: bool

class PipelineRun:
    """A run of a policy's pipeline driven by the caller's event loop (low level: for event
    loops other than asyncio, and the conformance tests; :meth:`Policy.run` drives one for
    you). Made by :meth:`Policy._start_run`. Every decision is the engine's; the host only
    carries out the requests of each :meth:`step` and reports back."""

    def step(self, now_ms: float) -> HostStep:
        """Moves the run on at ``now_ms`` (milliseconds since any fixed origin; an earlier time
        than the last counts as the last) and returns what to do and what happened. Timers
        due by ``now_ms`` fire."""

    def complete(self, id: int, metrics: Optional[Mapping[str, MetricValue]] = None) -> None:
        """Attempt ``id`` succeeded with ``metrics`` (None: no observations), converted as
        :meth:`Policy.check` converts metrics; metrics that cannot be converted fail the
        attempt with the problem's message as its detail. Ignored for a cancelled attempt."""

    def fail(self, id: int, detail: str) -> None:
        """Attempt ``id`` failed; ``detail`` says how. Ignored for a cancelled attempt."""

    def fire(self, id: int) -> None:
        """Timer ``id`` fired. Ignored for a cleared timer."""

    def interrupt(self) -> None:
        """Interrupts the run: the next :meth:`step` cancels the running attempts, skips the
        pending stages and ends the run as interrupted."""

    def result(self) -> Optional[RunResult]:
        """The run's result once a step said ``done``, else None."""

    def snapshot(self) -> str:
        """The run saved as canonical JSON text as of the last :meth:`step`; continue it with
        :meth:`Policy.restore_run`. Raises :class:`InputError` (``KIRO-E040``) before the
        first step."""

    def log(self) -> str:
        """Every event the run took, as JSON text; :meth:`Policy.replay_run` replays it to the
        same run."""

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

        Raises :class:`InputError` (``KIRO-E033``) when the policy has no ``pipeline`` section.
        """

    def run(
        self,
        actions: Mapping[str, Action],
        *,
        max_parallel: Optional[int] = None,
        fail_fast: Optional[bool] = None,
        on_event: Optional[Callable[[Event], Any]] = None,
    ) -> RunResult:
        """Runs the policy's pipeline with Python callables as the stages' actions and returns
        the result, on a new event loop (``asyncio.run``).

        ``actions`` maps stage names to callables taking a :class:`kiro.StageContext`
        (``stage``, ``attempt``, ``cancelled``); stages without one succeed at once. An
        ``async def`` action runs on the loop and is cancelled with ``task.cancel()``; any
        other callable runs in a thread of its own (``ctx.cancelled`` is set when it is
        cancelled; its late result is ignored). Returning None is a success, a mapping a
        success with those metrics (checked by the stage's exit gate), raising a failure with
        detail ``"Type: message"``. ``max_parallel`` and ``fail_fast`` override the pipeline's;
        ``on_event`` is called with each event as it happens.

        Raises :class:`InputError` before anything runs for an action that names no stage
        (``KIRO-E005``) or a policy without a pipeline (``KIRO-E033``); :class:`RuntimeError`
        when an event loop is running in this thread (use :meth:`run_async`);
        :class:`kiro.RunInterrupted` (a :class:`KeyboardInterrupt` carrying the interrupted
        result) on Ctrl-C.
        """

    def run_async(
        self,
        actions: Mapping[str, Action],
        *,
        max_parallel: Optional[int] = None,
        fail_fast: Optional[bool] = None,
        on_event: Optional[Callable[[Event], Any]] = None,
    ) -> Coroutine[Any, Any, RunResult]:
        """:meth:`run` on the running event loop, as a coroutine. When its task is cancelled
        the run is interrupted (running attempts cancelled and awaited, pending stages
        skipped, ``on_event`` told) and the ``CancelledError`` propagates."""

    def _start_run(
        self,
        actions: list[str],
        max_parallel: Optional[int] = None,
        fail_fast: Optional[bool] = None,
    ) -> PipelineRun:
        """Starts a :class:`PipelineRun` for an event loop of the caller's, with an action for
        each stage named in ``actions`` (the others succeed at once). Raises
        :class:`InputError`: ``KIRO-E005`` for an action that names no stage (with a
        suggestion), ``KIRO-E033`` without a pipeline."""

    def restore_run(self, state: str) -> PipelineRun:
        """Continues a run saved with :meth:`PipelineRun.snapshot` under this policy. Raises
        :class:`InputError`: ``KIRO-E041`` when it was saved under another policy,
        ``KIRO-E040`` for text that is not a saved run."""

    def replay_run(self, log: str) -> PipelineRun:
        """Replays the event log of :meth:`PipelineRun.log` under this policy: the same run,
        byte for byte."""

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

def _serialized_for_test(
    what: Literal["check", "plan", "validate", "schema"],
    policy: Optional[str] = None,
    format: Optional[str] = None,
    metrics: Optional[Mapping[str, Any]] = None,
    gate: Optional[str] = None,
    kind: Optional[str] = None,
) -> tuple[Any, str]:
    """One engine value as the binding's Python object and as the core's canonical JSON text
    (tests pin the serializer with it)."""
