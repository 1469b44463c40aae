"""What both controllers share: the cluster, the caches, the options, the log, and the
per-experiment things worth keeping (the decoded Experiment, its template text, its local
plan, its suggestion service), each keyed by the experiment's uid and generation."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compiler.cluster.api import Cluster
from compiler.cluster.kinds import CONFIGMAP
from compiler.execute.errors import LocalUnsupported
from compiler.execute.plan import Plan
from compiler.execute.sources import derive_seed
from compiler.model.katib import Experiment
from compiler.render.trial import RenderError, trial_template_text
from compiler.simulator.cache import Store
from compiler.simulator.local import Specs
from compiler.simulator.names import Key, experiment_key_of_trial, key_of
from compiler.simulator.search import Search
from compiler.simulator.trials import DecodeError, decode_experiment

Log = Callable[[str], None]


def stderr_log(line: str) -> None:
    stamp = datetime.now(UTC).strftime("%H:%M:%S.%f")[:-3]
    print(f"{stamp} katib-simulator: {line}", file=sys.stderr, flush=True)


def now() -> str:
    """metav1.Time as Go marshals it: RFC 3339, whole seconds, UTC."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Options:
    repo: Path | None = None  # the repository whose specs have `local:` commands
    trial_seconds: float = 0.5  # how long a synthetic trial runs
    seed: int = 0
    namespaces: tuple[str, ...] = ()  # () watches every namespace
    state_dir: Path = Path(".state/simulator")  # local trials' logs and working folders
    workers: int = 4  # per controller
    selector: str = ""  # only Experiments with these labels (tests that share a cluster)


@dataclass
class Prepared:
    """An experiment generation, read once: None fields say why not."""

    model: Experiment | None = None
    text: str | None = None
    plan: Plan | None = None
    problem: str = ""  # why no trial can be rendered


@dataclass
class Shared:
    cluster: Cluster
    options: Options
    log: Log = stderr_log
    experiments: Store = field(default_factory=Store)
    trials: Store = field(default_factory=lambda: Store(index=experiment_key_of_trial))
    synced: threading.Event = field(default_factory=threading.Event)
    _prepared: dict[tuple[str, int], Prepared] = field(default_factory=dict)
    _searches: dict[str, Search] = field(default_factory=dict)
    _series: dict[Key, tuple[float, ...]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.specs = Specs(self.options.repo)

    # --- per experiment generation --------------------------------------------------------------

    def prepared(self, exp: Mapping[str, Any]) -> Prepared:
        meta = exp.get("metadata") or {}
        key = (str(meta.get("uid", "")), int(meta.get("generation") or 0))
        with self._lock:
            found = self._prepared.get(key)
        if found is None:
            found = self._prepare(exp)
            with self._lock:
                self._prepared = {k: v for k, v in self._prepared.items() if k[0] != key[0]}
                self._prepared[key] = found
        return found

    def _prepare(self, exp: Mapping[str, Any]) -> Prepared:
        name = "Experiment/{}/{}".format(*key_of(exp))
        try:
            model = decode_experiment(exp)
            text = trial_template_text(model, self._configmaps(model))
        except (DecodeError, RenderError) as exc:
            self.log(f"{name}: no trial can be rendered: {exc}")
            return Prepared(problem=str(exc))
        meta = exp.get("metadata") or {}
        found = self.specs.local_for(
            dict(meta.get("labels") or {}), dict(meta.get("annotations") or {})
        )
        plan = None
        if found.local is not None:
            ns, exp_name = key_of(exp)
            try:
                plan = Plan(
                    model,
                    found.local,
                    self.specs.repo or Path(),
                    self.options.state_dir / ns / exp_name,
                )
                self.log(f"{name}: trials run the spec's local command")
            except LocalUnsupported as exc:
                self.log(f"{name}: the local command cannot run ({exc}): synthetic metrics")
        elif self.options.repo is not None:
            self.log(f"{name}: synthetic metrics ({found.why})")
        return Prepared(model, text, plan)

    def _configmaps(self, model: Experiment) -> dict[tuple[str, str], dict[str, str]]:
        t = model.spec.trial_template
        if t is None or t.config_map is None:
            return {}
        cm = t.config_map
        obj = self.cluster.get(CONFIGMAP, cm.config_map_namespace, cm.config_map_name) or {}
        data = {str(k): str(v) for k, v in (obj.get("data") or {}).items()}
        return {(cm.config_map_namespace, cm.config_map_name): data} if obj else {}

    # --- per experiment -----------------------------------------------------------------------

    def search(self, exp: Mapping[str, Any], model: Experiment) -> Search:
        meta = exp.get("metadata") or {}
        uid = str(meta.get("uid", ""))
        with self._lock:
            found = self._searches.get(uid)
        if found is None:
            ns, name = key_of(exp)
            seed = derive_seed(self.options.seed, ns, name) or 0
            spec = exp.get("spec") or {}
            parallel = int(spec.get("parallelTrialCount") or 3)
            first = min(parallel, int(spec.get("maxTrialCount") or parallel))
            label = f"Experiment/{ns}/{name}"
            found = Search(model, seed, first, lambda line: self.log(f"{label}: {line}"))
            with self._lock:
                self._searches[uid] = found
        return found

    def forget_experiment(self, uid: str) -> None:
        with self._lock:
            self._searches.pop(uid, None)
            self._prepared = {k: v for k, v in self._prepared.items() if k[0] != uid}

    def record_series(self, key: Key, series: tuple[float, ...]) -> None:
        with self._lock:
            self._series[key] = series

    def series(self, key: Key) -> tuple[float, ...] | None:
        with self._lock:
            return self._series.get(key)
