"""An in-memory API server behind the `Cluster` protocol, for the simulator's unit tests.

It behaves as kube-apiserver does for custom resources with a status subresource, as far as the
simulator can tell: every write bumps one global resourceVersion; create refuses a taken name
(409 AlreadyExists) and ignores `status`; the main resource ignores `status` and the status
subresource ignores everything else; a stale resourceVersion is a 409 Conflict; spec changes
bump `metadata.generation`; delete with finalizers only sets `deletionTimestamp`, and the object
goes once the last finalizer is removed; a uid precondition that does not match is a 409;
watches see every change after their resourceVersion, and an older one than the compaction
point raises Expired (410).
"""

from __future__ import annotations

import bisect
import copy
import itertools
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from compiler.cluster.api import Listing, WatchEvent
from compiler.cluster.errors import Conflict, Expired, Invalid, NotFound
from compiler.cluster.kinds import Kind, kind_of

ObjKey = tuple[str, str, str]  # (plural, namespace, name)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def matches(labels: Mapping[str, str], selector: str) -> bool:
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            k, v = term.split("!=", 1)
            if labels.get(k) == v:
                return False
        elif "=" in term:
            k, v = term.replace("==", "=").split("=", 1)
            if labels.get(k) != v:
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


class _Stream:
    def __init__(
        self,
        fake: FakeCluster,
        kind: Kind,
        ns: str | None,
        rv: int,
        *,
        selector: str,
        timeout: float,
    ) -> None:
        self.fake, self.kind, self.ns, self.rv = fake, kind, ns, rv
        self.selector, self.deadline = selector, time.monotonic() + timeout
        self.closed = False

    def __iter__(self) -> Iterator[WatchEvent]:
        return self

    def __next__(self) -> WatchEvent:
        with self.fake.cv:
            while True:
                if self.closed or self.fake.closed:
                    raise StopIteration
                if self.rv < self.fake.compacted:
                    raise Expired("too old resource version", status=410)
                start = bisect.bisect_right(self.fake.events, self.rv, key=lambda e: e[0])
                for rv, plural, kind, obj in self.fake.events[start:]:
                    if plural == self.kind.plural and self._wanted(obj):
                        self.rv = rv
                        return WatchEvent(kind, copy.deepcopy(obj))  # type: ignore[arg-type]
                if self.fake.events:
                    self.rv = max(self.rv, self.fake.events[-1][0])
                left = self.deadline - time.monotonic()
                if left <= 0:
                    raise StopIteration
                self.fake.cv.wait(min(left, 0.2))

    def _wanted(self, obj: Mapping[str, Any]) -> bool:
        meta = obj.get("metadata") or {}
        if self.ns is not None and meta.get("namespace") != self.ns:
            return False
        return matches(meta.get("labels") or {}, self.selector)

    def close(self) -> None:
        with self.fake.cv:
            self.closed = True
            self.fake.cv.notify_all()


class FakeCluster:
    def __init__(self) -> None:
        self.cv = threading.Condition()
        self.objects: dict[ObjKey, dict[str, Any]] = {}
        self.events: list[tuple[int, str, str, dict[str, Any]]] = []
        self.rv = itertools.count(100)
        self.last_rv = 99
        self.compacted = 0
        self.closed = False
        self.calls: list[str] = []

    # --- helpers for tests ------------------------------------------------------------------

    def close(self) -> None:
        with self.cv:
            self.closed = True
            self.cv.notify_all()

    def compact(self) -> None:
        """Forget the event history: watches from an older resourceVersion get Expired."""
        with self.cv:
            self.compacted = self.last_rv + 1
            self.events.clear()

    def all(self, kind: Kind, namespace: str | None = None) -> list[dict[str, Any]]:
        return list(self.list(kind, namespace).items)

    # --- the protocol -------------------------------------------------------------------------

    def list(
        self,
        kind: Kind,
        namespace: str | None = None,
        *,
        label_selector: str = "",
        field_selector: str = "",
    ) -> Listing:
        with self.cv:
            self.calls.append(f"list {kind.plural}")
            items = [
                copy.deepcopy(o)
                for (plural, ns, _), o in sorted(self.objects.items())
                if plural == kind.plural
                and (namespace is None or ns == namespace)
                and matches(o["metadata"].get("labels") or {}, label_selector)
            ]
            return Listing(tuple(items), str(self.last_rv))

    def get(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any] | None:
        with self.cv:
            found = self.objects.get((kind.plural, namespace or "", name))
            return copy.deepcopy(found) if found is not None else None

    def watch(
        self,
        kind: Kind,
        namespace: str | None,
        resource_version: str,
        *,
        label_selector: str = "",
        timeout_seconds: int = 300,
    ) -> _Stream:
        with self.cv:
            rv = int(resource_version or self.last_rv)
            if rv < self.compacted:
                raise Expired("too old resource version", status=410)
            return _Stream(
                self, kind, namespace, rv, selector=label_selector, timeout=timeout_seconds
            )

    def create(self, obj: Mapping[str, Any], *, dry_run: bool = False) -> dict[str, Any]:
        kind = kind_of(dict(obj))
        meta = obj.get("metadata") or {}
        key = (kind.plural, str(meta.get("namespace") or ""), str(meta.get("name") or ""))
        with self.cv:
            self.calls.append(f"create {kind.plural}")
            if not key[2]:
                raise Invalid("metadata.name: Required value", status=422)
            if key in self.objects:
                raise Conflict(
                    f'{kind.plural} "{key[2]}" already exists', status=409, reason="AlreadyExists"
                )
            new = {k: copy.deepcopy(v) for k, v in obj.items() if k != "status"}
            new["metadata"] = {
                **copy.deepcopy(dict(meta)),
                "uid": str(uuid.uuid4()),
                "generation": 1,
                "creationTimestamp": _now(),
            }
            if dry_run:
                return new
            return self._store(key, new, "ADDED")

    def apply(
        self, obj: Mapping[str, Any], *, dry_run: bool = False, force: bool = False
    ) -> dict[str, Any]:
        """Server-side apply, as far as tests use it: create, or take the applied spec,
        labels and annotations."""
        kind = kind_of(dict(obj))
        meta = obj.get("metadata") or {}
        key = (kind.plural, str(meta.get("namespace") or ""), str(meta.get("name") or ""))
        with self.cv:
            old = self.objects.get(key)
            if old is None:
                return self.create(obj, dry_run=dry_run)
            new = copy.deepcopy(old)
            if "spec" in obj:
                new["spec"] = copy.deepcopy(obj["spec"])
            for field in ("labels", "annotations"):
                if field in meta:
                    new["metadata"][field] = {**old["metadata"].get(field, {}), **meta[field]}
            return self._update(key, old, new)

    def replace_status(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        kind = kind_of(dict(obj))
        meta = obj.get("metadata") or {}
        key = (kind.plural, str(meta.get("namespace") or ""), str(meta.get("name") or ""))
        with self.cv:
            self.calls.append(f"status {kind.plural}")
            old = self._existing(key)
            if str(meta.get("resourceVersion")) != old["metadata"]["resourceVersion"]:
                raise Conflict("the object has been modified", status=409, reason="Conflict")
            new = copy.deepcopy(old)
            new["status"] = copy.deepcopy(obj.get("status"))
            if new["status"] is None:
                new.pop("status")
            return self._store(key, new, "MODIFIED")

    def patch(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        patch: Any,
        *,
        patch_type: str = "merge",
        subresource: str = "",
    ) -> dict[str, Any]:
        key = (kind.plural, namespace or "", name)
        with self.cv:
            self.calls.append(f"patch {kind.plural}")
            old = self._existing(key)
            if patch_type != "merge":
                raise NotImplementedError(patch_type)
            wanted = (patch.get("metadata") or {}).get("resourceVersion")
            if wanted is not None and str(wanted) != old["metadata"]["resourceVersion"]:
                raise Conflict("the object has been modified", status=409, reason="Conflict")
            new = merge_patch(old, patch)
            if subresource == "status":
                new = {**old, "status": new.get("status")}
            else:
                new["status"] = copy.deepcopy(old.get("status"))
                if new["status"] is None:
                    new.pop("status")
            for field in ("uid", "creationTimestamp", "deletionTimestamp", "generation"):
                if field in old["metadata"]:
                    new["metadata"][field] = old["metadata"][field]
            return self._update(key, old, new)

    def delete(
        self, kind: Kind, namespace: str | None, name: str, *, uid: str = "", dry_run: bool = False
    ) -> bool:
        key = (kind.plural, namespace or "", name)
        with self.cv:
            self.calls.append(f"delete {kind.plural}")
            old = self.objects.get(key)
            if old is None:
                return False
            if uid and old["metadata"]["uid"] != uid:
                raise Conflict(
                    "Precondition failed: UID in precondition", status=409, reason="Conflict"
                )
            if dry_run:
                return True
            if old["metadata"].get("finalizers"):
                if not old["metadata"].get("deletionTimestamp"):
                    new = copy.deepcopy(old)
                    new["metadata"]["deletionTimestamp"] = _now()
                    self._store(key, new, "MODIFIED")
                return True
            self._remove(key)
            return True

    # --- the store ---------------------------------------------------------------------------

    def _existing(self, key: ObjKey) -> dict[str, Any]:
        found = self.objects.get(key)
        if found is None:
            raise NotFound(f'{key[0]} "{key[2]}" not found', status=404)
        return found

    def _update(self, key: ObjKey, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        if new.get("spec") != old.get("spec"):
            new["metadata"]["generation"] = int(old["metadata"].get("generation", 1)) + 1
        meta = new["metadata"]
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            self._store(key, new, "MODIFIED")
            return self._remove(key)
        return self._store(key, new, "MODIFIED")

    def _store(self, key: ObjKey, obj: dict[str, Any], event: str) -> dict[str, Any]:
        self.last_rv = next(self.rv)
        obj["metadata"]["resourceVersion"] = str(self.last_rv)
        self.objects[key] = obj
        self.events.append((self.last_rv, key[0], event, copy.deepcopy(obj)))
        self.cv.notify_all()
        return copy.deepcopy(obj)

    def _remove(self, key: ObjKey) -> dict[str, Any]:
        obj = self.objects.pop(key)
        self.last_rv = next(self.rv)
        obj["metadata"]["resourceVersion"] = str(self.last_rv)
        self.events.append((self.last_rv, key[0], "DELETED", copy.deepcopy(obj)))
        self.cv.notify_all()
        return copy.deepcopy(obj)
