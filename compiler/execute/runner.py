"""The study loop: Katib's experiment controller, trial controller and suggestion client in
one process, driven by the journal (every decision is a rule from `rules.py`).

Each round: record the trials that ended (§5.6 outcome), check termination (§5.7: goal, max
failed, max trials), ask the algorithm for `min(parallel, max - completedForScheduling) -
active` new trials, put them in the journal, then start them. Trials still running when the
experiment completes run to their end, as in Katib. A resumed run first kills what the previous
runner left running and restarts its unfinished trials, same names and values.
"""

from __future__ import annotations

import contextlib
import random
import secrets
import select
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from compiler.execute import rules
from compiler.execute.errors import StateError, SuggestionError
from compiler.execute.journal import Event, Journal
from compiler.execute.medianstop import MedianStop
from compiler.execute.metrics import CollectionError, number, observe
from compiler.execute.plan import Plan
from compiler.execute.process import (
    Exit,
    TailPrinter,
    TrialProcess,
    kill_group,
    kill_leftovers,
    log_tail,
)
from compiler.execute.sources import Source, TrialView, derive_seed
from compiler.execute.state import RunState, TrialRecord, apply, fold
from compiler.execute.watch import Watcher
from compiler.model.katib import Experiment, ObjectiveSpec

NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # Kubernetes util/rand (§4.4)
_TAILED = (rules.FAILED, rules.UNAVAILABLE_STATE)  # outcomes whose log's last lines are shown


class Observer(Protocol):
    def update(self, state: RunState, running: int) -> None: ...

    def event(self, text: str) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Budget:
    parallel: int
    max_trials: int | None
    max_failed: int | None


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Runner:
    def __init__(
        self,
        exp: Experiment,
        plan: Plan,
        *,
        make_source: Callable[[], Source],
        journal: Journal,
        budget: Budget,
        header: dict[str, Any],
        observer: Observer,
    ) -> None:
        self.exp, self.plan, self.journal, self.budget = exp, plan, journal, budget
        objective = exp.spec.objective
        assert objective is not None
        self.objective: ObjectiveSpec = objective
        self.header, self.observer = header, observer
        self.state = fold(journal.events)
        self.source = make_source()
        self.source.restore(self.state.source)
        self.median = MedianStop.of(exp)
        self.running: dict[str, TrialProcess] = {}
        self.watcher = Watcher(plan.collector, self.objective)
        self._buffer: list[Event] = []
        self.seed = header.get("seed")
        self._tails = TailPrinter(plan.root)

    # --- the journal --------------------------------------------------------------------------

    def record(self, event: Event) -> None:
        event = {"event": event.pop("event"), "at": now(), **event}
        apply(self.state, event)
        self._buffer.append(event)

    def flush(self, lazy: bool = False) -> None:
        """Write what was recorded. `lazy`: "started" events alone can wait for the next
        write (a resumed run restarts any trial without a "finished" event anyway)."""
        if lazy and all(e["event"] == "started" for e in self._buffer):
            return
        self.journal.append(self._buffer)
        self._buffer = []

    # --- the loop -------------------------------------------------------------------------------

    def run(self) -> RunState:
        try:
            self._begin()
            while True:
                self._finish_exits(block=False)
                self._check_termination()
                if not self.state.completed:
                    self._schedule()
                self.flush(lazy=bool(self.running))
                self.observer.update(self.state, len(self.running))
                if not self.running:
                    if self.state.completed:
                        break
                    raise SuggestionError.stuck(self.exp)
                self._finish_exits(block=True)
        finally:
            self._shutdown()
        return self.state

    def _begin(self) -> None:
        if not self.journal.events:
            self.record({"event": "run", **self.header})
            self.record(
                {
                    "event": "condition",
                    "type": "Created",
                    "status": "True",
                    "reason": "ExperimentCreated",
                    "message": "Experiment is created",
                }
            )
            self._running_condition()
        elif self.state.header.get("revision") != self.header.get("revision"):
            raise StateError(
                f"the state folder holds revision {self.state.header.get('revision')} of this "
                f"experiment, and the spec is now revision {self.header.get('revision')}: Katib "
                "cannot change these fields in place",
                "start it again with --fresh, or give the experiment a new name",
            )
        self._record_budget()
        if self.state.completed:
            self._maybe_restart()
        kill_leftovers(self.plan.state_dir)
        for t in self.state.ordered():
            if (not t.finished and not self.state.completed) or not t.finished:
                self._start(t)
        self.flush()

    def _running_condition(self) -> None:
        self.record(
            {
                "event": "condition",
                "type": "Running",
                "status": "True",
                "reason": "ExperimentRunning",
                "message": "Experiment is running",
            }
        )

    def _record_budget(self) -> None:
        b = {
            "parallel": self.budget.parallel,
            "max": self.budget.max_trials,
            "maxFailed": self.budget.max_failed,
        }
        if self.state.budget != b:
            self.record({"event": "budget", **b})

    def _maybe_restart(self) -> None:
        """§3.3 and §7.1: a completed experiment continues only from Succeeded with
        MaxTrialsReached, with resumePolicy LongRunning or FromVolume, and a larger budget."""
        counts = rules.count(self.state.ordered())
        reason = self.state.condition("Succeeded")
        more = self.budget.max_trials is None or self.budget.max_trials > counts.completed
        if not more:
            return
        policy = self.exp.spec.resume_policy or "Never"
        if reason is None or reason.reason != "ExperimentMaxTrialsReached" or policy == "Never":
            why = f"resumePolicy {policy}" if policy == "Never" else "it did not end by max trials"
            raise StateError(
                f"the experiment has completed and Katib would not restart it: {why}",
                "set `resume: LongRunning` to continue by raising trials.max, or use --fresh",
            )
        for kind in ("Succeeded", "Failed"):
            self.record({"event": "condition", "type": kind, "status": "False", "remove": True})
        self.record(
            {
                "event": "condition",
                "type": "Restarting",
                "status": "True",
                "reason": "ExperimentRestarting",
                "message": "Experiment is restarted",
            }
        )
        self._running_condition()
        self.observer.event("restarted: maxTrialCount raised (Katib's LongRunning resume)")

    def _check_termination(self) -> None:
        if self.state.completed:
            return
        trials = self.state.ordered()
        best = rules.best_trial(trials, self.objective)
        verdict = rules.termination(
            rules.count(trials),
            best,
            self.objective,
            self.budget.max_trials,
            self.budget.max_failed,
        )
        if verdict is None:
            return
        kind, reason, message = verdict
        running = self.state.condition("Running")
        self.record(
            {
                "event": "condition",
                "type": "Running",
                "status": "False",
                "reason": running.reason if running else "ExperimentRunning",
                "message": running.message if running else "Experiment is running",
            }
        )
        self.record(
            {
                "event": "condition",
                "type": kind,
                "status": "True",
                "reason": reason,
                "message": message,
            }
        )
        self.observer.event(f"{kind}: {reason}")

    def _schedule(self) -> None:
        counts = rules.count(self.state.ordered())
        n = rules.to_create(counts, self.budget.parallel, self.budget.max_trials)
        if n <= 0:
            return
        views = [self._view(t) for t in self.state.ordered()]
        made = self.source.suggest(n, views)
        trial_rules = self._rules()
        created = []
        for s in made[:n]:
            index = len(self.state.trials)
            name = s.name or self._name(index)
            self.record(
                {
                    "event": "created",
                    "name": name,
                    "index": index,
                    "assignments": s.assignments,
                    "labels": s.labels,
                    "memo": s.memo,
                    "rules": [r.model_dump(by_alias=True) for r in trial_rules],
                }
            )
            created.append(self.state.trials[name])
        if made:
            self.record({"event": "source", "state": self.source.state()})
        self.flush()  # on disk before any process starts
        for t in created:
            self._start(t)

    def _rules(self) -> list[Any]:
        if self.median is None or self.plan.collector.kind not in ("StdOut", "File"):
            return []
        name = self.median.objective
        series = []
        for t in self.state.ordered():
            metric = next((m for m in t.metrics if m.name == name), None)
            if t.state == rules.SUCCEEDED and metric is not None:
                values = [number(p.value) for p in metric.series]
                series.append([v for v in values if v is not None])
        return list(self.median.rules(series))

    def _name(self, index: int) -> str:
        seed = derive_seed(self.seed, "name", index)
        # names, not secrets: a seeded run repeats its trial names
        rng = random.Random(seed) if seed is not None else secrets.SystemRandom()  # noqa: S311
        while True:
            name = f"{self.exp.metadata.name}-" + "".join(
                rng.choice(NAME_ALPHABET) for _ in range(8)
            )
            if name not in self.state.trials:
                return name

    def _view(self, t: TrialRecord) -> TrialView:
        value = None
        if t.state in (rules.SUCCEEDED, rules.EARLY_STOPPED):
            text = rules.trial_objective(t, self.objective)
            value = number(text) if text is not None else None
        return TrialView(t.index, t.name, t.assignments, t.state, value, t.memo, t.labels)

    def _start(self, t: TrialRecord) -> None:
        if self.plan.volume is not None:  # pbt: the trial's checkpoint folder, once (§6.8)
            note = self.plan.volume.prepare(t.name, t.labels)
            if note:
                self.observer.event(f"note: {note}")
        launch = self.plan.launch(t.name, t.assignments)
        self.record({"event": "started", "name": t.name, "attempt": t.attempts + 1})
        self.running[t.name] = TrialProcess(launch)
        if t.rules:
            self.watcher.add(t.name, launch, list(t.rules))
        self.observer.event(
            f"started {t.name} " + " ".join(f"{k}={v}" for k, v in t.assignments.items())
        )

    def _finish_exits(self, block: bool) -> None:
        """Record every trial that has ended; with `block`, first sleep until one ends, a
        deadline passes, or an early-stopping check is due."""
        while True:
            now = time.monotonic()
            for proc in self.running.values():
                proc.tick(now)
            for name in self.watcher.poll():
                self.running[name].stop()
            ended = self._wait(block)
            for proc in ended:
                self._finish(proc.reap(), proc)
            if ended or not block or not self.running:
                return

    def _wait(self, block: bool) -> list[TrialProcess]:
        by_fd = {p.fd: p for p in self.running.values()}
        if not by_fd:
            return []
        timeout: float | None = 0.0
        if block:
            wakeups = [w for w in (p.wakeup() for p in by_fd.values()) if w is not None]
            if self.watcher.active:
                wakeups.append(time.monotonic() + 0.5)
            timeout = max(0.0, min(wakeups) - time.monotonic()) if wakeups else None
        poller = select.poll()
        for fd in by_fd:
            poller.register(fd, select.POLLIN)
        ready = poller.poll(None if timeout is None else timeout * 1000)
        return [by_fd[fd] for fd, _ in ready]

    def _finish(self, done: Exit, proc: TrialProcess) -> None:
        self.running.pop(done.name)
        early = self.watcher.stopped(done.name)
        launch = proc.launch
        metrics: tuple[Any, ...] = ()
        failure = done.failure
        if failure is None:
            try:
                logs, problems = self.plan.collector.collect(
                    launch.log, launch.mount, launch.cwd, now()[:19] + "Z"
                )
                metrics = observe(logs, self.plan.collector.observed)
                for p in problems:
                    self.observer.event(f"{done.name}: {p}")
            except CollectionError as exc:
                failure = f"MetricsCollectorFailed: {exc}"
        state, reason, message = rules.trial_outcome(
            failure, early, metrics, self.objective.objective_metric_name
        )
        tail = log_tail(launch, self.plan.root) if state in _TAILED else ()
        self.record(
            {
                "event": "finished",
                "name": done.name,
                "state": state,
                "reason": reason,
                "message": message,
                "exitCode": done.code,
                "metrics": [m.model_dump(by_alias=True) for m in metrics],
                **({"logTail": list(tail)} if tail else {}),
            }
        )
        self.observer.event(
            f"{state.lower()} {done.name}"
            + (f": {message}" if state == rules.FAILED else "")
            + self._tails.text(done.name, launch.log, tail)
        )

    def _shutdown(self) -> None:
        """On an error or an interrupt: stop every trial (they stay unfinished in the journal
        and run again on resume), and keep what was decided."""
        for proc in self.running.values():
            proc.stop()
        grace = max((p.launch.grace for p in self.running.values()), default=0.0)
        deadline = time.monotonic() + grace
        for proc in self.running.values():
            try:
                proc.popen.wait(timeout=max(0.0, deadline - time.monotonic()) + 1)
            except subprocess.TimeoutExpired:
                kill_group(proc.pid, signal.SIGKILL)
                proc.popen.wait()
        self.running.clear()
        with contextlib.suppress(OSError):
            self.flush()
