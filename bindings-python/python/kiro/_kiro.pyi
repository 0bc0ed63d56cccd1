"""Type stubs for the native module ``kiro._kiro`` (re-exported by ``kiro``)."""

from collections.abc import Callable, Coroutine, Mapping, Sequence
from os import PathLike
from typing import Any, Literal, Optional, TypedDict, Union

from typing_extensions import NotRequired, TypeAlias, final

from kiro._run import Action

# The data kiro hands back (decisions, diagnostics, plans, run results) is typed by TypedDicts
# generated from the core's own definitions (scripts/generate-types.sh).
from kiro._types import (
    AlertDecision as AlertDecision,
    AlertEvent as AlertEvent,
    AlertsReplay as AlertsReplay,
    AttemptOutcome as AttemptOutcome,
    BlastRadius as BlastRadius,
    ChangeScore as ChangeScore,
    AttemptRecord as AttemptRecord,
    BatchCounts as BatchCounts,
    CheckOptions as CheckOptions,
    Code as Code,
    CriterionDecision as CriterionDecision,
    Decision as Decision,
    Diagnostic as Diagnostic,
    ErrorKind as ErrorKind,
    Evaluation as Evaluation,
    EvidenceReport as EvidenceReport,
    EvidenceSummary as EvidenceSummary,
    Event as Event,
    GateDecision as GateDecision,
    GateKind as GateKind,
    EarlierRun as EarlierRun,
    HealthReport as HealthReport,
    StatusReport as StatusReport,
    PolicyTestReport as PolicyTestReport,
    Label as Label,
    LogEntry as LogEntry,
    MissingRule as MissingRule,
    MonitorDecision as MonitorDecision,
    MonitorEvent as MonitorEvent,
    MonitorReplay as MonitorReplay,
    Outcome as Outcome,
    PersonaDecision as PersonaDecision,
    Plan as Plan,
    PlannedStage as PlannedStage,
    PolicyRef as PolicyRef,
    Reading as Reading,
    RecordVerdict as RecordVerdict,
    ReleaseDecision as ReleaseDecision,
    ReleaseEvent as ReleaseEvent,
    ReleasePlan as ReleasePlan,
    ReleaseReplay as ReleaseReplay,
    RiskGatedDecision as RiskGatedDecision,
    RiskReport as RiskReport,
    RunResult as RunResult,
    Signoff as Signoff,
    StageOutcome as StageOutcome,
    StageResult as StageResult,
    StartRunOptions as StartRunOptions,
    Thresholds as Thresholds,
    Verdict as Verdict,
    Wait as Wait,
)

Format: TypeAlias = Literal["yaml", "json", "toml"]
#: A metric value: a number in the declared unit, a string with a unit (``"87%"``,
#: ``"420ms"``), a bool, or None for no data. Nested mappings flatten to dotted names.
MetricValue: TypeAlias = Union[int, float, str, bool, None, Mapping[str, "MetricValue"]]

class BatchResult(TypedDict):
    """One verdict code per record (0 pass, 1 warn, 2 fail, 3 error), the counts, and, when
    there are any, warnings about columns the policy does not declare (``KIRO-E011``)."""

    verdicts: bytes
    counts: BatchCounts
    warnings: NotRequired[list[Diagnostic]]

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

@final
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

    def fail(
        self,
        id: int,
        detail: Union[str, BaseException],
        metrics: Optional[Mapping[str, MetricValue]] = None,
        exit_code: Optional[int] = None,
    ) -> None:
        """Attempt ``id`` failed; ``detail`` says how: a string, or the exception the action
        raised (``Type: message``, as in every binding). ``metrics`` are what the failed action
        observed anyway (an exit gate with ``on_action_failure: gate`` decides on them), and
        ``exit_code`` its exit status (for ``retry_on``). Ignored for a cancelled attempt."""

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

@final
class Monitor:
    """A monitor of a policy's rollback triggers, fed the caller's events one at a time (made
    by :meth:`Policy.start_monitor` or :meth:`Policy.restore_monitor`). Every method takes one
    event and returns the decision at it: every trigger's state, the action it calls for and
    why, the effects for the host to carry out, and at the end the final verdict. A refused
    event raises :class:`InputError` with its code (``KIRO-E042`` time went backwards,
    ``KIRO-E043`` after the end, ``KIRO-E050`` two observations at one time, ``KIRO-E051`` not
    an approver, ``KIRO-E003`` not an event) and leaves the monitor as it was. Times are whole
    milliseconds on the caller's clock."""

    def step(self, event: MonitorEvent) -> MonitorDecision:
        """Takes one event in its JSON form (``{"type": "observe", "at_ms": 0, "values":
        {...}}``, see docs/monitor.md)."""

    def observe(self, at_ms: int, values: Mapping[str, Reading]) -> MonitorDecision:
        """Readings observed at ``at_ms``: per metric a value in its declared unit, a string
        with a unit, a bool, None (no data), ``float("nan")`` or ``"NaN"`` (not a number), or
        ``{"error": "..."}`` (the source failed). A declared metric not listed has no data."""

    def tick(self, at_ms: int) -> MonitorDecision:
        """Time passes without an observation: approval timeouts are decided."""

    def approve(self, at_ms: int, trigger: str, who: str, persona: str) -> MonitorDecision:
        """``who`` approves, as ``persona``, the action the manual ``trigger`` waits for."""

    def reject(self, at_ms: int, trigger: str, who: str, persona: str) -> MonitorDecision:
        """``who`` rejects, as ``persona``, the action the manual ``trigger`` waits for; the
        trigger starts over."""

    def abort(self, at_ms: int, reason: Optional[str] = None) -> MonitorDecision:
        """The analysis is stopped from outside; the final verdict says what was seen."""

    def end(self, at_ms: int) -> MonitorDecision:
        """The analysis reaches its planned end; the final verdict says what was seen."""

    def snapshot(self) -> str:
        """The monitor saved as canonical JSON text; continue it with
        :meth:`Policy.restore_monitor`."""

    @property
    def ended(self) -> bool:
        """Whether the monitor has ended (a rollback or promotion acted, an abort or the
        end); it takes no more events."""

@final
class Release:
    """A release of a change through the policy's environments, fed the caller's events
    (gate verdicts, deployments, validations, approvals, analyses, ticks …) one at a time (made
    by :meth:`Policy.start_release` or :meth:`Policy.restore_release`). Each event returns the
    decision at it: the next instruction and why. A refused event raises :class:`InputError`
    with its code and leaves the release as it was. Times are whole milliseconds on the
    caller's clock (docs/releases.md)."""

    def step(self, event: ReleaseEvent) -> ReleaseDecision:
        """Takes one event in its JSON form (``{"type": "approve", "at_ms": 0, ...}``)."""

    def snapshot(self) -> str:
        """The release saved as canonical JSON text; continue it with
        :meth:`Policy.restore_release`."""

    @property
    def done(self) -> bool:
        """Whether the release is done (released everywhere, or rejected)."""

    @property
    def next(self) -> Optional[Wait]:
        """What the release waits for now and what would unblock it; None when done."""

    def log(self) -> list[LogEntry]:
        """Every approval, rejection, override, human action and instruction so far."""

@final
class Alerts:
    """The policy's alert engine, fed the caller's events (observations, external alerts,
    acknowledgements, silences, ticks) one at a time (made by :meth:`Policy.start_alerts` or
    :meth:`Policy.restore_alerts`). Each event returns the decision at it, with the
    notifications, escalations and other effects for the caller to carry out. A refused event
    raises :class:`InputError` with its code and leaves the engine as it was (docs/alerts.md)."""

    def step(self, event: AlertEvent) -> AlertDecision:
        """Takes one event in its JSON form (``{"type": "tick", "at_ms": 0}``)."""

    def snapshot(self) -> str:
        """The engine saved as canonical JSON text; continue it with
        :meth:`Policy.restore_alerts`."""

    @property
    def wake_at_ms(self) -> Optional[int]:
        """When the caller should send the next tick at the latest; None without a timer."""

class KiroError(Exception):
    """Base class of every error kiro raises."""

    #: The first diagnostic's stable code, ``KIRO-E0xx``.
    code: str
    #: What could not be used: ``policy``, ``input``, ``evaluation`` or ``internal`` (the
    #: subclass says the same).
    kind: Literal["policy", "input", "evaluation", "internal"]
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

@final
class Policy:
    """A compiled policy: load it once, check many times. Immutable and thread-safe."""

    @staticmethod
    def from_text(
        text: str, format: Optional[Format] = None, imports: Optional[Mapping[str, str]] = None
    ) -> Policy:
        """Compiles a policy from text; ``format=None`` detects it from the text. ``imports``
        maps each path the policy imports to its text (docs/composition.md).

        Raises :class:`PolicyError` with every problem found, :class:`InputError` for an
        unknown ``format``.
        """

    @staticmethod
    def from_path(path: Union[str, PathLike[str]], format: Optional[Format] = None) -> Policy:
        """Compiles a policy from a file; the format comes from ``format``, else the extension
        (``.yaml``, ``.yml``, ``.json``, ``.toml``), else the text.

        Raises :class:`OSError` (e.g. :class:`FileNotFoundError`) when the file cannot be read,
        with ``errno.EINVAL`` at once for a file that is not regular (a FIFO, a device: never
        waited on), and :class:`PolicyError` (``KIRO-E006``) for one over 16 MiB.
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
        strict: Optional[bool] = None,
        history: Optional[Sequence[EarlierRun]] = None,
        branch: Optional[str] = None,
    ) -> Decision:
        """Checks one set of metrics against the selected gates (all by default).

        Names the policy does not declare are listed in the decision's ``warnings``
        (``KIRO-E011``, with did-you-mean); with ``strict=True`` they raise :class:`InputError`.
        ``history`` (earlier runs) and ``branch`` feed ``baseline(metric)`` in conditions
        (docs/baselines.md).

        Raises :class:`InputError` for values that do not fit their metrics or a selection
        that matches nothing, :class:`EvaluationError` when a condition cannot be computed.
        """

    def verdict(
        self,
        metrics: Mapping[str, MetricValue],
        gate: Optional[str] = None,
        kind: Optional[GateKind] = None,
        strict: Optional[bool] = None,
        history: Optional[Sequence[EarlierRun]] = None,
        branch: Optional[str] = None,
    ) -> RecordVerdict:
        """The verdict of one set of metrics and each criterion's outcome, without
        explanations: the verdict :meth:`check` gives, faster, for loops over records. The same
        errors as :meth:`check` for the same input."""

    def check_batch(
        self,
        columns: Any,
        gate: Optional[str] = None,
        kind: Optional[GateKind] = None,
        strict: Optional[bool] = None,
        nan: Optional[Literal["missing", "error"]] = None,
    ) -> BatchResult:
        """Checks many records given as columns: metric name to a sequence of numbers, bools
        and None, or any buffer-protocol object (``array.array``, a NumPy array; float64 is
        read without conversion; big-endian, float16 and other numeric NumPy dtypes are
        converted by NumPy, ``object`` arrays read item by item, other dtypes raise
        :class:`InputError` ``KIRO-E032``); or a pandas, Polars or pyarrow frame, whose nulls
        (pandas' ``isna()``, which includes NaN; Polars' and Arrow's ``is_null()``; a NumPy
        masked array's mask) are no data. ``nan="missing"`` makes every NaN no data,
        ``nan="error"`` none (a NaN record gets code 3). Releases the GIL while the engine
        runs.

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

    def start_monitor(self) -> Monitor:
        """Starts a :class:`Monitor` of the policy's rollback triggers. Raises
        :class:`InputError` (``KIRO-E053``) when the policy has no triggers."""

    def restore_monitor(self, state: str) -> Monitor:
        """Continues a monitor saved with :meth:`Monitor.snapshot` under this policy. Raises
        :class:`InputError`: ``KIRO-E041`` when it was saved under another policy,
        ``KIRO-E040`` for text that is not a saved monitor."""

    def replay_monitor(self, events: Sequence[MonitorEvent]) -> MonitorReplay:
        """Runs recorded events from a new monitor: every decision and the saved state, the
        same, byte for byte, as stepping a monitor through them (an error names the refused
        event's index)."""

    def start_release(self) -> Release:
        """Starts a :class:`Release` through the policy's environments. Raises
        :class:`InputError` (``KIRO-E104``) when the policy has no environments."""

    def restore_release(self, state: str) -> Release:
        """Continues a release saved with :meth:`Release.snapshot` under this policy."""

    def replay_release(self, events: Sequence[ReleaseEvent]) -> ReleaseReplay:
        """Runs recorded events from a new release: every decision and the saved state."""

    def release_plan(self, at_ms: int) -> ReleasePlan:
        """The whole path a release takes, with every window shown at ``at_ms`` (ms since
        the Unix epoch)."""

    def start_alerts(self) -> Alerts:
        """Starts the policy's :class:`Alerts` engine. Raises :class:`InputError`
        (``KIRO-E138``) when the policy has no ``alerts``."""

    def restore_alerts(self, state: str) -> Alerts:
        """Continues an alert engine saved with :meth:`Alerts.snapshot` under this policy."""

    def replay_alerts(self, events: Sequence[AlertEvent]) -> AlertsReplay:
        """Runs recorded events from a new alert engine: every decision and the saved state."""

    def score_risk(
        self,
        metrics: Mapping[str, MetricValue],
        changed: Optional[Sequence[str]] = None,
        model: Optional[str] = None,
    ) -> list[RiskReport]:
        """Scores the policy's risk models (all, or ``model``), every factor's contribution
        explained; ``changed`` are the components the change touches (for its blast radius)."""

    def check_at_risk(
        self,
        metrics: Mapping[str, MetricValue],
        model: str,
        changed: Optional[Sequence[str]] = None,
        gate: Optional[str] = None,
    ) -> RiskGatedDecision:
        """Checks the gates at the risk level ``model`` gives the change: the decision with
        every bypass and the level that allowed it."""

    def blast_radius(self, changed: Sequence[str]) -> BlastRadius:
        """The services a change to ``changed`` can break, from the policy's graph."""

    def check_evidence(
        self,
        reports: Sequence[EvidenceReport],
        metrics: Optional[Mapping[str, MetricValue]] = None,
        gate: Optional[str] = None,
        kind: Optional[GateKind] = None,
        strict: Optional[bool] = None,
        history: Optional[Sequence[EarlierRun]] = None,
        branch: Optional[str] = None,
    ) -> Decision:
        """Checks the metrics read from ``reports`` (see :func:`read_evidence`), with
        ``metrics`` beside them."""

    def render(
        self,
        saved: Union[Decision, RunResult],
        format: Optional[Literal["human", "markdown", "junit", "json"]] = None,
    ) -> str:
        """A decision or run result of this policy rendered as the CLI renders it (``kiro
        render``): ``"human"`` (the default), ``"markdown"``, ``"junit"`` or ``"json"``."""

    def test(self, text: str) -> PolicyTestReport:
        """Runs the cases of a policy test file's text (docs/testing-policies.md) against this
        policy. A failed case is a result; a malformed test file raises :class:`InputError`."""

    def health(self, metrics: Mapping[str, MetricValue]) -> HealthReport:
        """The dashboard's health: every persona panel and shared metric. Raises
        :class:`InputError` (``KIRO-E030``) when the policy has no ``health``."""

    def status(
        self,
        metrics: Mapping[str, MetricValue],
        *,
        history: Optional[Sequence[AlertEvent]] = None,
        at_ms: Optional[int] = None,
    ) -> StatusReport:
        """The unified dashboard (``kiro status``): the persona panels with their thresholds,
        the shared metrics, the alerts firing or pending at ``at_ms`` (default: the history's
        last time) after ``history`` (alert events in time order) and each metric's history.
        Raises :class:`InputError` (``KIRO-E030``) when the policy has no ``health``."""

    def render_status(
        self,
        metrics: Mapping[str, MetricValue],
        *,
        history: Optional[Sequence[AlertEvent]] = None,
        at_ms: Optional[int] = None,
        format: Optional[Literal["human", "markdown", "html", "json"]] = None,
    ) -> str:
        """:meth:`status` rendered as ``kiro status`` renders it: ``"human"`` (the default),
        ``"markdown"``, ``"html"`` (a self-contained page with gauges and charts) or
        ``"json"``."""

def validate(text: str, format: Optional[Format] = None) -> list[Diagnostic]:
    """Every problem in a policy text; empty when it is valid."""

def read_evidence(reports: Sequence[EvidenceReport]) -> EvidenceSummary:
    """The reports (``{"kind", "file", "text"}``: JUnit, coverage, SARIF or Lighthouse reports
    the caller read) read and merged: the metrics each gives, with the file and place every
    value came from. A report that cannot be read raises :class:`InputError` naming it."""

def fit_model(csv: str, normalised: bool = False) -> str:
    """Fits a defect-risk model on change data given as CSV text (as ``kiro risk fit`` reads
    it): the model file's text, byte for byte what the CLI writes."""

def score_changes(model: str, changes: Union[Mapping[str, float], Sequence[Mapping[str, float]]]) -> list[ChangeScore]:
    """Scores changes with a model file's text: each change's probability, level, every
    metric's contribution and mitigations."""

def evaluate_model(model: str, csv: str) -> Evaluation:
    """Evaluates a model file's text on labelled change data given as CSV text (as ``kiro risk
    evaluate`` reads it): the model's and the lines-added baseline's figures on every row."""

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
