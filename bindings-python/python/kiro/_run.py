"""Running a policy's pipeline with Python callables as the stages' actions: the asyncio glue
behind :meth:`kiro.Policy.run` and :meth:`kiro.Policy.run_async`.

The engine's host-driven run (:class:`kiro._kiro.PipelineRun`) takes every decision: which
stage starts when (``needs``, ``max_parallel``), timeouts, retries and their backoff, exit
gates on the metrics an action returned, fail-fast, interruption. This module only carries
out what it asks for, with asyncio, and tells it what happened:

- **start** an attempt: call the stage's action with a :class:`StageContext`. An ``async def``
  action (a coroutine function, or an object whose ``__call__`` is one) runs as an asyncio
  task on the loop. Any other callable runs in a worker thread of its own, so sync stages run
  in parallel and a timeout fires while a function blocks; if it returns an awaitable, that
  is awaited on the loop.
- **cancel** an attempt (its timeout, fail-fast, an interruption): ``ctx.cancelled`` is set
  and the task cancelled with ``task.cancel()``, so an async action sees ``CancelledError``
  (the run waits for it to finish unwinding before it returns). A thread cannot be stopped
  from outside: a sync action should check ``ctx.cancelled`` (or wait on it) and return
  early; whatever it returns or raises after its cancellation is ignored, and a thread that
  never returns keeps running (it is a daemon thread: it does not hold up the interpreter's
  exit).
- **timers**: ``loop.call_later``; the run's time is ``loop.time()`` since the run started,
  in milliseconds.

What an action returns decides how its attempt ended: ``None`` is a success without metrics,
a mapping a success with those metrics (converted as :meth:`kiro.Policy.check` converts
metrics), an exception a failure with detail ``"Type: message"`` (just ``"Type"`` when the
message is empty). An exception's ``metrics`` attribute (a mapping) is what the failed action
observed anyway, which an exit gate with ``on_action_failure: gate`` decides on, and its
``exit_code`` attribute (an ``int``) the exit status ``retry_on: [{exit: [...]}]`` matches. Anything else, and metrics that cannot be converted, fail the attempt with
the engine's message as detail (``metrics input must be a map of metric names to values,
found a string``): the message ``Policy.check`` gives, in every binding.

Interruption. When the task running :meth:`~kiro.Policy.run_async` is cancelled, the run is
interrupted: running attempts are cancelled (and awaited), pending stages skipped,
``on_event`` receives those events, and the ``CancelledError`` propagates, as asyncio
requires. :meth:`~kiro.Policy.run` under Ctrl-C does the same and raises
:class:`RunInterrupted`, a :class:`KeyboardInterrupt` that carries the interrupted run's
result.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, Optional

if TYPE_CHECKING:
    from kiro._kiro import Event, HostRequest, PipelineRun, Policy, RunResult

__all__ = ["Action", "RunInterrupted", "StageContext", "run", "run_async"]


class StageContext:
    """What an action is called with: which stage and attempt, and whether it was cancelled."""

    __slots__ = ("attempt", "cancelled", "stage")

    def __init__(self, stage: str, attempt: int) -> None:
        #: The stage's name.
        self.stage: str = stage
        #: The attempt, from 1; a retry is the next attempt.
        self.attempt: int = attempt
        #: Set when the attempt is cancelled (its timeout, fail-fast, an interruption). A sync
        #: action should check it, or wait on it instead of sleeping, and return early: its
        #: thread cannot be stopped from outside, and its result is ignored.
        self.cancelled: threading.Event = threading.Event()

    def __repr__(self) -> str:
        cancelled = " cancelled" if self.cancelled.is_set() else ""
        return f"<kiro.StageContext stage={self.stage!r} attempt={self.attempt}{cancelled}>"


#: A stage's action: called with the attempt's :class:`StageContext`; returns ``None`` or a
#: mapping of metric names to values (``async def``: a coroutine of one), or raises.
Action = Callable[[StageContext], Any]


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C interrupted :meth:`kiro.Policy.run`.

    A :class:`KeyboardInterrupt`, so a program stops as it would anyway; :attr:`result` is the
    interrupted run's result (``interrupted`` true, verdict ``fail``, the running stages
    cancelled and the pending ones skipped).
    """

    def __init__(self, result: RunResult) -> None:
        super().__init__(result["summary"])
        #: The interrupted run's result.
        self.result: RunResult = result


def run(
    policy: Policy,
    actions: Mapping[str, Action],
    *,
    max_parallel: Optional[int] = None,
    fail_fast: Optional[bool] = None,
    on_event: Optional[Callable[[Event], Any]] = None,
) -> RunResult:
    """:meth:`kiro.Policy.run`: runs the pipeline on a new event loop (``asyncio.run``)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError(
            "Policy.run() cannot be called while an event loop is running in this thread; "
            "use `await policy.run_async(...)` instead"
        )
    driver = _Driver(policy, actions, max_parallel, fail_fast, on_event)
    try:
        return asyncio.run(driver.drive())
    except KeyboardInterrupt:
        result = driver.result
        if result is not None and result["interrupted"]:
            raise RunInterrupted(result) from None
        raise


async def run_async(
    policy: Policy,
    actions: Mapping[str, Action],
    *,
    max_parallel: Optional[int] = None,
    fail_fast: Optional[bool] = None,
    on_event: Optional[Callable[[Event], Any]] = None,
) -> RunResult:
    """:meth:`kiro.Policy.run_async`: runs the pipeline on the running event loop."""
    return await _Driver(policy, actions, max_parallel, fail_fast, on_event).drive()


class _Driver:
    """One run: steps the engine's run, carries out its requests, reports back."""

    def __init__(
        self,
        policy: Policy,
        actions: Mapping[str, Action],
        max_parallel: Optional[int],
        fail_fast: Optional[bool],
        on_event: Optional[Callable[[Event], Any]],
    ) -> None:
        if not isinstance(actions, Mapping):
            raise TypeError(
                f"actions must be a mapping of stage names to callables, not "
                f"`{type(actions).__name__}`"
            )
        for name, action in actions.items():
            if not isinstance(name, str):
                raise TypeError(f"stage names must be strings, not `{type(name).__name__}`")
            if not callable(action):
                raise TypeError(
                    f"the action for stage `{name}` is a `{type(action).__name__}`, not a callable"
                )
        if on_event is not None and not callable(on_event):
            raise TypeError(f"on_event must be a callable, not `{type(on_event).__name__}`")
        if on_event is not None and _is_async(on_event):
            raise TypeError(
                "on_event must be a plain function: it is called on the event loop as each "
                "event happens, and nothing would await a coroutine"
            )
        self._actions = dict(actions)
        # Raises InputError for an action that names no stage, before anything runs.
        self._run: PipelineRun = policy._start_run(list(self._actions), max_parallel, fail_fast)
        self._on_event = on_event
        #: The run's result, once it is over (interrupted or not).
        self.result: Optional[RunResult] = None
        self._attempts: dict[int, tuple[asyncio.Task[None], StageContext]] = {}
        self._cancelled: set[asyncio.Task[None]] = set()
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._error: Optional[BaseException] = None

    async def drive(self) -> RunResult:
        """Runs to the end and returns the result; on cancellation (or an error from
        ``on_event``) interrupts the run, cleans up and re-raises."""
        # Loop objects are made here, on the running loop (Python 3.9 binds them when made).
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._origin = self._loop.time()
        try:
            while not self._step():
                await self._wake.wait()
                self._wake.clear()
                if self._error is not None:
                    raise self._error
        except BaseException:
            await self._abort()
            raise
        await self._settle()
        assert self.result is not None
        return self.result

    def _step(self) -> bool:
        step = self._run.step((self._loop.time() - self._origin) * 1000.0)
        # Requests first: an error from on_event must not lose one (a cancel, say).
        for request in step["requests"]:
            self._apply(request)
        for event in step["events"]:
            self._notify(event)
        if step["done"]:
            self.result = self._run.result()
        return step["done"]

    def _notify(self, event: Event) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except BaseException:
            self._on_event = None  # not called again, not even for the interruption's events
            raise

    def _apply(self, request: HostRequest) -> None:
        kind, ident = request["type"], request["id"]
        if kind == "start":
            stage, attempt = request["stage"], request["attempt"]  # type: ignore[typeddict-item]
            ctx = StageContext(stage, attempt)
            task = self._loop.create_task(
                self._attempt(ident, self._actions[stage], ctx), name=f"kiro {stage} #{attempt}"
            )
            self._attempts[ident] = (task, ctx)
        elif kind == "cancel":
            self._cancel(ident)
        elif kind == "set_timer":
            ms = request["ms"]  # type: ignore[typeddict-item]
            self._timers[ident] = self._loop.call_later(ms / 1000.0, self._fire, ident)
        elif kind == "clear_timer":
            handle = self._timers.pop(ident, None)
            if handle is not None:
                handle.cancel()

    def _fire(self, timer: int) -> None:
        self._timers.pop(timer, None)
        self._report(lambda: self._run.fire(timer))

    def _cancel(self, attempt: int) -> None:
        entry = self._attempts.pop(attempt, None)
        if entry is None:
            return  # it has ended already
        task, ctx = entry
        ctx.cancelled.set()
        task.cancel()
        self._cancelled.add(task)
        task.add_done_callback(self._cancelled.discard)

    def _report(self, report: Callable[[], None]) -> None:
        """Tells the run something happened and wakes the loop; an error (a bug in kiro) stops
        the run and is raised by :meth:`drive`."""
        try:
            report()
        except BaseException as error:
            if self._error is None:
                self._error = error
        self._wake.set()

    async def _attempt(self, attempt: int, action: Action, ctx: StageContext) -> None:
        """Runs one attempt and reports how it ended (unless the run cancelled it)."""
        try:
            if _is_async(action):
                value = await action(ctx)
            else:
                ok, value = await _in_thread(self._loop, action, ctx)
                if not ok:
                    raise value
                if inspect.isawaitable(value):
                    value = await value
        except asyncio.CancelledError as error:
            if not ctx.cancelled.is_set():
                # Not the run's doing (the action raised it, or someone cancelled the task).
                self._end(attempt, lambda: self._run.fail(attempt, error))
            raise
        except BaseException as error:
            if isinstance(error, (KeyboardInterrupt, SystemExit)) and _is_async(action):
                raise  # raised on the loop's thread: not the action's failure to report
            self._end(attempt, lambda: _fail(self._run, attempt, error))
        else:
            # Anything but None or a mapping fails the attempt with the engine's message.
            self._end(attempt, lambda: self._run.complete(attempt, value))

    def _end(self, attempt: int, report: Callable[[], None]) -> None:
        if self._attempts.pop(attempt, None) is not None:
            self._report(report)

    async def _abort(self) -> None:
        """Interrupts the run (if it is not over), carries out the last step's requests and
        waits for what was cancelled."""
        try:
            if self.result is None:
                self._run.interrupt()
                self._step()
        finally:
            await self._settle()

    async def _settle(self) -> None:
        """Clears the timers left, cancels the attempts left (none, once the run is over) and
        waits for the cancelled tasks to finish."""
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        for attempt in list(self._attempts):
            self._cancel(attempt)
        if self._cancelled:
            await asyncio.wait(list(self._cancelled))


def _fail(run: PipelineRun, attempt: int, error: BaseException) -> None:
    """Reports that ``attempt`` failed with ``error``, with the exception's ``metrics`` (what
    the failed action observed, for an exit gate with ``on_action_failure: gate``) and
    ``exit_code`` (an ``int``, for ``retry_on``) when it has them. Attributes that cannot be
    read leave the failure alone."""
    try:
        metrics = getattr(error, "metrics", None)
        exit_code = getattr(error, "exit_code", None)
    except Exception:
        metrics, exit_code = None, None
    if not isinstance(exit_code, int) or isinstance(exit_code, bool):
        exit_code = None
    try:
        run.fail(attempt, error, metrics, exit_code)
    except Exception:
        if metrics is None:
            raise
        run.fail(attempt, error, None, exit_code)  # metrics whose own methods raised


def _is_async(action: Callable[..., Any]) -> bool:
    """Whether calling `action` makes a coroutine to run on the loop."""
    return inspect.iscoroutinefunction(action) or inspect.iscoroutinefunction(
        getattr(action, "__call__", None)
    )


def _in_thread(
    loop: asyncio.AbstractEventLoop, action: Action, ctx: StageContext
) -> asyncio.Future[tuple[bool, Any]]:
    """Calls ``action(ctx)`` in a new daemon thread (with the caller's context variables);
    the future gets ``(True, value)`` or ``(False, exception)``.

    A thread per attempt rather than the loop's default executor: that pool is bounded (a
    thread still running after its attempt was cancelled would hold a worker and delay the
    next stages), and ``asyncio.run`` waits for it to drain before it returns.
    """
    future: asyncio.Future[tuple[bool, Any]] = loop.create_future()
    context = contextvars.copy_context()

    def settle(outcome: tuple[bool, Any]) -> None:
        if not future.done():  # a cancelled attempt's outcome is ignored
            future.set_result(outcome)

    def work() -> None:
        outcome: tuple[bool, Any]
        try:
            outcome = (True, context.run(action, ctx))
        except BaseException as error:  # SystemExit in a thread is the action's failure too
            outcome = (False, error)
        try:
            loop.call_soon_threadsafe(settle, outcome)
        except RuntimeError:
            pass  # the loop is closed: the run is over and nobody waits for this

    thread = threading.Thread(target=work, name=f"kiro {ctx.stage} #{ctx.attempt}", daemon=True)
    thread.start()
    return future
