"""Trials run for real, as `katib-gitops run` runs them: the experiment's spec is found in the
repository through the annotation `katib-gitops.dev/spec`, compiled with the pipeline, and its
`local:` block drives the local backend (`compiler.execute`: plan, process, collector,
metrics, rules).

The annotation comes from the cluster, so it is checked like any input: it must name a spec
file under the repository's specs/ folder. A spec whose revision differs from the experiment's
(`katib-gitops.dev/revision`) describes another experiment, so its local settings are not used.
"""

from __future__ import annotations

import select
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from compiler.errors import KatibGitopsError
from compiler.execute import rules
from compiler.execute.metrics import CollectionError, number, observe
from compiler.execute.plan import Plan
from compiler.execute.process import TrialProcess
from compiler.execute.runner import now as journal_now
from compiler.execute.watch import Watcher
from compiler.load.specs import SPEC_SUFFIXES, discover
from compiler.model.katib import EarlyStoppingRule, Experiment
from compiler.model.results import TrialMetric
from compiler.model.spec import Local
from compiler.render.manifests import EXPERIMENT_LABEL, REVISION_ANNOTATION, SPEC_ANNOTATION
from compiler.simulator.outcome import Outcome, worded


@dataclass(frozen=True)
class Found:
    local: Local | None
    why: str  # why there is no local command, for the log


class Specs:
    """The repository's specs, compiled on demand and kept by (path, modification time)."""

    def __init__(self, repo: Path | None) -> None:
        self.repo = repo.resolve() if repo else None
        self._cache: dict[tuple[str, float], list[tuple[str, str, Local | None]]] = {}
        self._lock = threading.Lock()

    def local_for(self, labels: dict[str, str], annotations: dict[str, str]) -> Found:
        if self.repo is None:
            return Found(None, "no --repo")
        rel = annotations.get(SPEC_ANNOTATION, "")
        if not rel:
            return Found(None, f"no {SPEC_ANNOTATION} annotation")
        path = (self.repo / rel).resolve()
        specs = self.repo / "specs"
        if not path.is_relative_to(specs) or path.suffix not in SPEC_SUFFIXES:
            return Found(None, f"{SPEC_ANNOTATION} {rel!r} is not a spec under specs/")
        if not path.is_file():
            return Found(None, f"{rel}: no such spec in {self.repo}")
        try:
            compiled = self._compiled(path)
        except (KatibGitopsError, OSError) as exc:
            return Found(None, f"{rel} does not compile: {exc}")
        wanted = labels.get(EXPERIMENT_LABEL)
        chosen = [c for c in compiled if wanted is None or c[0] == wanted]
        if len(chosen) != 1:
            return Found(None, f"{rel} has no single experiment named {wanted!r}")
        _, revision, local = chosen[0]
        expected = annotations.get(REVISION_ANNOTATION)
        if expected and revision != expected:
            return Found(None, f"{rel} is now revision {revision}, the experiment is {expected}")
        if local is None or not local.command:
            return Found(None, f"{rel} has no local command")
        return Found(local, "")

    def _compiled(self, path: Path) -> list[tuple[str, str, Local | None]]:
        key = (str(path), path.stat().st_mtime)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = _compile(self.repo or Path(), path)
            return self._cache[key]


def _compile(repo: Path, path: Path) -> list[tuple[str, str, Local | None]]:
    """(spec name, revision, local block) of each experiment the spec compiles to."""
    from compiler.admission.katibconfig import default_config
    from compiler.load.specs import read_yaml_spec
    from compiler.normalize import SpecContext
    from compiler.pipeline import compile_document

    spec_file = discover(repo, "specs", [str(path)])[0]
    if path.suffix == ".py":
        from compiler.load.python_spec import read_python_spec

        docs = read_python_spec(spec_file)
    else:
        docs = read_yaml_spec(spec_file)
    ctx = SpecContext(spec_file.rel, spec_file.namespace)
    config = default_config()
    out = []
    for doc in docs:
        c = compile_document(doc, ctx, config, {}, spec_file.stem if len(docs) == 1 else None)
        if c.ok and c.spec is not None:
            out.append((c.name, c.revision, c.spec.local))
    return out


def run_trial(
    plan: Plan,
    exp: Experiment,
    name: str,
    assignments: dict[str, str],
    *,
    early: list[EarlyStoppingRule],
    job_kind: str,
    stop: threading.Event,
) -> Outcome | None:
    """One trial through the local backend, as `katib-gitops run`'s study loop runs it; None
    when it was stopped from outside (the trial is being deleted, or we are shutting down)."""
    objective = exp.spec.objective
    assert objective is not None
    launch = plan.launch(name, assignments)
    proc = TrialProcess(launch)
    watcher = Watcher(plan.collector, objective)
    if early:
        watcher.add(name, launch, early)
    poller = select.poll()
    poller.register(proc.fd, select.POLLIN)
    while not poller.poll(_timeout(proc, watcher)):
        proc.tick(time.monotonic())
        if watcher.poll() or stop.is_set():
            proc.stop()
    done = proc.reap()
    stopped_early = watcher.stopped(name)
    if stop.is_set():
        return None
    failure = done.failure
    metrics: tuple[TrialMetric, ...] = ()
    problems: list[str] = []
    if failure is None:
        try:
            logs, problems = plan.collector.collect(
                launch.log, launch.mount, launch.cwd, journal_now()[:19] + "Z"
            )
            metrics = observe(logs, plan.collector.observed)
        except CollectionError as exc:
            failure = f"MetricsCollectorFailed: {exc}"
    state, _, _ = rules.trial_outcome(
        failure, stopped_early, metrics, objective.objective_metric_name
    )
    reason, message = worded(state, job_kind, failure)
    series = _objective_series(metrics, objective.objective_metric_name)
    detail = "; ".join([*(p for p in problems), *([failure] if failure else [])])
    return Outcome(state, reason, message, metrics, series, detail)


def _timeout(proc: TrialProcess, watcher: Watcher) -> int:
    """Milliseconds until something is due: a deadline, a kill, an early-stopping check, or the
    next look at the stop flag."""
    soon = time.monotonic() + (0.5 if watcher.active else 0.25)
    wake = proc.wakeup()
    due = min(soon, wake) if wake is not None else soon
    return max(0, int((due - time.monotonic()) * 1000))


def _objective_series(metrics: tuple[TrialMetric, ...], objective: str) -> tuple[float, ...]:
    for m in metrics:
        if m.name == objective:
            values = [number(p.value) for p in m.series]
            return tuple(v for v in values if v is not None)
    return ()
