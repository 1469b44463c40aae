"""What we own, by the record Git keeps of it: every cluster object our reports describe. Pure.

An Experiment is ours to retire only when it carries our label and annotation AND a committed
report of ours records its uid (ARCHITECTURE.md, "Ownership"). The inventory is reports/ itself,
so it needs no state on the cluster (nothing written on an Experiment that Git does not hold), it
survives the reconciler and the cluster, and "in the inventory" and "its report is committed" are
the same fact. An object of ours that no report records yet gets one on its first pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.model.results import Results

CLUSTER = "cluster"


@dataclass(frozen=True)
class Record:
    folder: str  # the report's folder, relative to the repository
    results: Results
    current: bool  # the experiment's own folder (not revisions/)

    @property
    def uid(self) -> str:
        return self.results.object.uid


@dataclass(frozen=True)
class Inventory:
    records: tuple[Record, ...]

    @classmethod
    def of(cls, recorded: Sequence[tuple[str, Results]]) -> Inventory:
        """From `compiler.reports.recorded`: cluster reports only (local runs own nothing)."""
        return cls(
            tuple(
                Record(folder, r, "/revisions/" not in f"/{folder}/")
                for folder, r in recorded
                if r.backend == CLUSTER and r.object.uid
            )
        )

    def by_uid(self) -> dict[str, Record]:
        return {r.uid: r for r in self.records}

    def holds(self, obj: Mapping[str, Any]) -> bool:
        return _uid(obj) in self.by_uid()

    def report_of(self, obj: Mapping[str, Any]) -> Record | None:
        return self.by_uid().get(_uid(obj))

    def current(self, namespace: str, experiment: str) -> Record | None:
        """The report in the experiment's own folder."""
        return next(
            (
                r
                for r in self.records
                if r.current and r.results.namespace == namespace and r.results.name == experiment
            ),
            None,
        )

    @property
    def namespaces(self) -> tuple[str, ...]:
        return tuple(sorted({r.results.namespace for r in self.records}))


def _uid(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("uid", ""))
