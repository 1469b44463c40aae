"""What we own, by the record Git keeps of it: every cluster object our reports describe. Pure.

An Experiment is ours to retire only when it carries our label and annotation AND a committed
report of ours records its uid (ARCHITECTURE.md, "Ownership"). The inventory is reports/ itself,
so it needs no state on the cluster (nothing written on an Experiment that Git does not hold), it
survives the reconciler and the cluster, and "in the inventory" and "its report is committed" are
the same fact. An object of ours that no report records yet gets one on its first pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compiler.model.results import Results

CLUSTER = "cluster"


@dataclass(frozen=True)
class Record:
    folder: str  # the report's folder, relative to the repository
    data: Mapping[str, Any]  # its results.json, as JSON
    current: bool  # the experiment's own folder (not revisions/)
    load: Callable[[], Results] = field(repr=False, compare=False)

    @property
    def uid(self) -> str:
        return str((self.data.get("object") or {}).get("uid", ""))

    @property
    def namespace(self) -> str:
        return str(self.data.get("namespace", ""))

    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))

    @property
    def deleted(self) -> bool:
        return self.data.get("deleted") is not None

    @property
    def results(self) -> Results:
        return self.load()


@dataclass(frozen=True)
class Inventory:
    records: tuple[Record, ...]
    _by_uid: dict[str, Record] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, recorded: Sequence[Any]) -> Inventory:
        """From `compiler.reports.recorded`: cluster reports only (local runs own nothing)."""
        records = tuple(
            Record(r.folder, r.data, "/revisions/" not in f"/{r.folder}/", _loader(r))
            for r in recorded
            if r.data.get("backend") == CLUSTER and (r.data.get("object") or {}).get("uid")
        )
        return cls(records, {r.uid: r for r in records})

    def holds(self, obj: Mapping[str, Any]) -> bool:
        return _uid(obj) in self._by_uid

    def report_of(self, obj: Mapping[str, Any]) -> Record | None:
        return self._by_uid.get(_uid(obj))

    def current(self, namespace: str, experiment: str) -> Record | None:
        """The report in the experiment's own folder."""
        return next(
            (
                r
                for r in self.records
                if r.current and r.namespace == namespace and r.name == experiment
            ),
            None,
        )

    @property
    def namespaces(self) -> tuple[str, ...]:
        return tuple(sorted({r.namespace for r in self.records}))


def _loader(recorded: Any) -> Callable[[], Results]:
    def load() -> Results:
        found: Results = recorded.results
        return found

    return load


def _uid(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("uid", ""))
