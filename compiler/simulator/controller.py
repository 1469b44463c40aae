"""The simulator: watches Experiments and Trials (all namespaces, or the given ones), queues the
keys that changed, and lets a few workers per controller reconcile them. Nothing polls: every
reconcile is caused by a watch event, an executor's "trial ended", or a requeue after a
conflict or an error."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from compiler.cluster.api import Cluster, WatchEvent
from compiler.cluster.errors import ClusterError, Conflict, NotFound
from compiler.cluster.informer import Informer
from compiler.cluster.kinds import EXPERIMENT, TRIAL, Kind
from compiler.simulator import experiments, trialrun
from compiler.simulator.cache import Store
from compiler.simulator.context import Log, Options, Shared, stderr_log
from compiler.simulator.executor import Executor
from compiler.simulator.names import EXPERIMENT_LABEL, Key, experiment_key_of_trial, key_of
from compiler.simulator.workqueue import WorkQueue


class Simulator:
    def __init__(self, cluster: Cluster, options: Options | None = None, log: Log = stderr_log):
        self.shared = Shared(cluster, options or Options(), log)
        self.exp_queue: WorkQueue[Key] = WorkQueue()
        self.trial_queue: WorkQueue[Key] = WorkQueue()
        self.executor = Executor(self.trial_queue.add, log)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._informers: list[Informer] = []
        self._pending: list[tuple[Informer, Store, Callable[[str, dict[str, Any]], None]]] = []
        self._failures: dict[tuple[str, Key], int] = {}

    @property
    def log(self) -> Log:
        return self.shared.log

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """List everything (the first reconciles are queued), then follow the watches."""
        namespaces: list[str | None] = list(self.shared.options.namespaces) or [None]
        for ns in namespaces:
            selector = self.shared.options.selector
            trials = ",".join(filter(None, (EXPERIMENT_LABEL, selector)))  # labels are copied
            self._follow(EXPERIMENT, ns, self.shared.experiments, self._on_experiment, selector)
            self._follow(TRIAL, ns, self.shared.trials, self._on_trial, trials)
        self.shared.synced.set()  # every Experiment is known: trials without one are orphans
        for inf, store, on_event in self._pending:
            self._spawn(f"watch-{inf.kind.plural}", self._watch, inf, store, on_event)
        workers = max(1, self.shared.options.workers)
        for i in range(workers):
            self._spawn(f"experiments-{i}", self._work, self.exp_queue, self._reconcile_experiment)
            self._spawn(f"trials-{i}", self._work, self.trial_queue, self._reconcile_trial)
        where = ", ".join(self.shared.options.namespaces) or "all namespaces"
        self.log(f"watching Experiments and Trials in {where}")

    def stop(self) -> None:
        """Stop the watches and the workers, and stop every running trial."""
        self._stop.set()
        for inf in self._informers:
            inf.stop()
        self.exp_queue.close()
        self.trial_queue.close()
        self.executor.shutdown()
        for t in self._threads:
            t.join(10.0)
        self.log("stopped")

    def run(self, stop: threading.Event) -> None:
        self.start()
        stop.wait()
        self.stop()

    def _follow(
        self,
        kind: Kind,
        ns: str | None,
        store: Store,
        on_event: Callable[[str, dict[str, Any]], None],
        selector: str = "",
    ) -> None:
        inf = Informer(self.shared.cluster, kind, ns, label_selector=selector)
        inf.list()
        for obj in inf.items():
            store.put(obj)
        for obj in inf.items():
            on_event("ADDED", obj)
        self._informers.append(inf)
        self._pending.append((inf, store, on_event))

    def _watch(
        self, inf: Informer, store: Store, on_event: Callable[[str, dict[str, Any]], None]
    ) -> None:
        def apply(event: WatchEvent) -> None:
            filed = (
                store.remove(event.object) if event.type == "DELETED" else store.put(event.object)
            )
            if filed:
                on_event(event.type, event.object)

        while not self._stop.is_set():
            try:
                inf.run(self._stop, apply)
            except ClusterError as exc:  # Terminal (Forbidden, a CRD gone): say so, try again
                self.log(f"watch {inf.kind.plural}: {exc}; again in 5s")
                self._stop.wait(5.0)

    def _spawn(self, name: str, target: Callable[..., None], *args: Any) -> None:
        t = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(t)
        t.start()

    # --- events ---------------------------------------------------------------------------------

    def _on_experiment(self, kind: str, obj: dict[str, Any]) -> None:
        if kind == "DELETED":
            self.shared.forget_experiment(str(obj["metadata"].get("uid", "")))
            self.log("Experiment/{}/{}: gone".format(*key_of(obj)))
        self.exp_queue.add(key_of(obj))

    def _on_trial(self, kind: str, obj: dict[str, Any]) -> None:
        self.trial_queue.add(key_of(obj))
        owner = experiment_key_of_trial(obj)
        if owner is not None:
            self.exp_queue.add(owner)

    # --- workers --------------------------------------------------------------------------------

    def _work(self, queue: WorkQueue[Key], reconcile: Callable[[Key], None]) -> None:
        while True:
            key = queue.get()
            if key is None:
                return
            try:
                reconcile(key)
                self._failures.pop((reconcile.__name__, key), None)
            except Conflict:
                self._refresh(queue, key)
                queue.add_after(key, 0.05)
            except NotFound:
                pass  # gone meanwhile: its DELETED event follows
            except ClusterError as exc:
                self._retry(queue, reconcile.__name__, key, exc)
            except Exception as exc:  # a bug must not stop the simulator; say so loudly
                self._retry(queue, reconcile.__name__, key, exc)
            finally:
                queue.done(key)

    def _refresh(self, queue: WorkQueue[Key], key: Key) -> None:
        """After a 409 our view is stale: read the object again."""
        kind, store = (
            (EXPERIMENT, self.shared.experiments)
            if queue is self.exp_queue
            else (TRIAL, self.shared.trials)
        )
        try:
            fresh = self.shared.cluster.get(kind, key[0], key[1])
        except ClusterError:
            return
        if fresh is not None:
            store.put(fresh)

    def _retry(self, queue: WorkQueue[Key], what: str, key: Key, exc: Exception) -> None:
        n = self._failures.get((what, key), 0) + 1
        self._failures[(what, key)] = n
        delay = min(0.5 * 2 ** (n - 1), 30.0)
        self.log(f"{key[0]}/{key[1]}: {type(exc).__name__}: {exc}; again in {delay:.1f}s")
        queue.add_after(key, delay)

    def _reconcile_experiment(self, key: Key) -> None:
        experiments.reconcile(self.shared, key)

    def _reconcile_trial(self, key: Key) -> None:
        trialrun.reconcile(self.shared, self.executor, key)
