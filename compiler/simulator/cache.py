"""What the simulator knows of the cluster: what the informers (`compiler.cluster.informer`:
list once, then watch) report, plus what the simulator's own writes return, so that it never
acts on a view older than its last write. An object replaces a filed one only when its
resourceVersion is not smaller (the API server's resourceVersions are etcd revisions; comparing
them as numbers is what lets the two sources be merged). Trials are indexed by experiment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from compiler.simulator.names import Key, key_of


def _rv(obj: Mapping[str, Any]) -> int:
    text = str((obj.get("metadata") or {}).get("resourceVersion") or "0")
    return int(text) if text.isdigit() else 0


class Store:
    """Objects of one kind by (namespace, name), thread-safe, optionally indexed by a key that
    `index` computes (the trials by their experiment)."""

    def __init__(self, index: Callable[[Mapping[str, Any]], Key | None] | None = None) -> None:
        self._lock = threading.Lock()
        self._items: dict[Key, dict[str, Any]] = {}
        self._gone: dict[Key, int] = {}  # deleted keys and the rv they were deleted at
        self._index_of = index
        self._index: dict[Key, set[Key]] = {}

    def by_index(self, value: Key) -> list[dict[str, Any]]:
        with self._lock:
            return [self._items[k] for k in self._index.get(value, ()) if k in self._items]

    def _file(self, key: Key, obj: dict[str, Any] | None) -> None:
        """Set or drop one entry, keeping the index in step (the lock is held)."""
        old = self._items.pop(key, None)
        if old is not None and self._index_of is not None:
            where = self._index_of(old)
            if where is not None:
                self._index.get(where, set()).discard(key)
                if not self._index.get(where, True):
                    self._index.pop(where, None)
        if obj is not None:
            self._items[key] = obj
            where = self._index_of(obj) if self._index_of is not None else None
            if where is not None:
                self._index.setdefault(where, set()).add(key)

    def get(self, key: Key) -> dict[str, Any] | None:
        with self._lock:
            return self._items.get(key)

    def items(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._items.values())

    def put(self, obj: dict[str, Any]) -> bool:
        """File `obj` unless what is filed is newer; True when it was filed."""
        key = key_of(obj)
        with self._lock:
            old = self._items.get(key)
            if old is not None and _rv(old) > _rv(obj):
                return False
            if old is None and self._gone.get(key, -1) >= _rv(obj):
                return False  # an old view of something already deleted
            self._file(key, obj)
            self._gone.pop(key, None)
            return True

    def remove(self, obj: Mapping[str, Any]) -> bool:
        """Forget `obj` unless what is filed is newer (a later object of that name)."""
        key = key_of(obj)
        with self._lock:
            old = self._items.get(key)
            if old is not None and _rv(old) > _rv(obj):
                return False
            self._file(key, None)
            self._gone[key] = _rv(obj)
            if len(self._gone) > 100_000:  # tombstones only guard against late echoes
                self._gone.clear()
            return True
