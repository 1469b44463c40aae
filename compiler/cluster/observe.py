"""What a pass reads from the cluster, in as few requests as the answer allows.

`Listing` reads with LISTs (`reconcile --once`, `plan`, `apply`): one LIST of Experiments across
namespaces (per managed namespace when RBAC allows only that), one of Namespaces, and Trials only
for the experiments whose report must change, a chunk of them at a time: one LIST per namespace
with a set-based selector on Katib's label. `Informed` answers from informers' caches
(`reconcile --watch`): no request at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from compiler.cluster.api import Cluster
from compiler.cluster.errors import Forbidden
from compiler.cluster.kinds import EXPERIMENT, NAMESPACE, TRIAL
from compiler.cluster.status import TRIAL_EXPERIMENT_LABEL

Obj = Mapping[str, Any]


class Observer(Protocol):
    def experiments(self, namespaces: Sequence[str]) -> tuple[Obj, ...]: ...

    def namespaces(self, names: Sequence[str]) -> dict[str, Mapping[str, str]]: ...

    def trials(self, experiments: Sequence[Obj]) -> dict[tuple[str, str], list[Obj]]:
        """(namespace, experiment name) → its Trials."""
        ...


class Listing:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def experiments(self, namespaces: Sequence[str]) -> tuple[Obj, ...]:
        wanted = set(namespaces)
        try:
            items = self.cluster.list(EXPERIMENT).items
        except Forbidden:  # a namespaced role: one LIST per namespace
            items = tuple(
                i for ns in sorted(wanted) for i in self.cluster.list(EXPERIMENT, ns).items
            )
        return tuple(i for i in items if _ns(i) in wanted)

    def namespaces(self, names: Sequence[str]) -> dict[str, Mapping[str, str]]:
        try:
            items = self.cluster.list(NAMESPACE).items
        except Forbidden:
            found = (self.cluster.get(NAMESPACE, None, n) for n in sorted(set(names)))
            items = tuple(i for i in found if i is not None)
        return {_name(i): dict((i.get("metadata") or {}).get("labels") or {}) for i in items}

    def trials(self, experiments: Sequence[Obj]) -> dict[tuple[str, str], list[Obj]]:
        """One LIST per namespace, selecting these experiments' trials by Katib's label (a set:
        `katib.kubeflow.org/experiment in (a,b,...)`)."""
        keys = {(_ns(e), _name(e)) for e in experiments}
        by_namespace: dict[str, list[str]] = {}
        for ns, name in sorted(keys):
            by_namespace.setdefault(ns, []).append(name)
        out: dict[tuple[str, str], list[Obj]] = {k: [] for k in keys}
        for ns, names in by_namespace.items():
            selector = f"{TRIAL_EXPERIMENT_LABEL} in ({','.join(names)})"
            for k, v in group_trials(
                self.cluster.list(TRIAL, ns, label_selector=selector).items, keys
            ).items():
                out[k] = v
        return out


def group_trials(
    trials: Sequence[Obj], keys: set[tuple[str, str]] | None = None
) -> dict[tuple[str, str], list[Obj]]:
    out: dict[tuple[str, str], list[Obj]] = {k: [] for k in keys or ()}
    for t in trials:
        owner = str(((t.get("metadata") or {}).get("labels") or {}).get(TRIAL_EXPERIMENT_LABEL, ""))
        key = (_ns(t), owner)
        if keys is None or key in keys:
            out.setdefault(key, []).append(t)
    return out


def _ns(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("namespace", ""))


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


class Cache(Protocol):
    """What `Informed` needs of an informer (`compiler.cluster.informer.Informer`)."""

    @property
    def generation(self) -> int: ...

    def items(self) -> list[dict[str, Any]]: ...


class Informed:
    """Answers from informers' caches: a pass in `reconcile --watch` sends no request."""

    def __init__(self, experiments: Cache, trials: Cache, namespaces: Cache) -> None:
        self._experiments, self._trials, self._namespaces = experiments, trials, namespaces

    @property
    def generation(self) -> int:
        """Grows with every change any of the caches saw."""
        return sum(c.generation for c in (self._experiments, self._trials, self._namespaces))

    def experiments(self, namespaces: Sequence[str]) -> tuple[Obj, ...]:
        wanted = set(namespaces)
        return tuple(i for i in self._experiments.items() if _ns(i) in wanted)

    def namespaces(self, names: Sequence[str]) -> dict[str, Mapping[str, str]]:
        items = self._namespaces.items()
        return {_name(i): dict((i.get("metadata") or {}).get("labels") or {}) for i in items}

    def trials(self, experiments: Sequence[Obj]) -> dict[tuple[str, str], list[Obj]]:
        keys = {(_ns(e), _name(e)) for e in experiments}
        return group_trials(self._trials.items(), keys) if keys else {}
