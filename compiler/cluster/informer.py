"""An informer's cache over the `Cluster` protocol: one LIST, then a WATCH from the list's
resourceVersion, kept up to date as client-go's reflector keeps it:

* bookmarks advance the resourceVersion (so a re-watch starts late enough to be served);
* `Expired` (410 Gone: the version was compacted away) lists again, and the differences from
  the cache are given to `on_event` as synthetic ADDED, MODIFIED and DELETED events;
* `Transient` (a dropped stream, a 5xx, a timeout) backs off and watches again from the last
  resourceVersion seen, so no event is lost or repeated.

Reads are thread-safe; `generation` grows with every change, so a caller can tell whether
anything changed since it last looked.
"""

from __future__ import annotations

import builtins
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol, runtime_checkable

from compiler.cluster.api import Cluster, Listing, WatchEvent
from compiler.cluster.errors import Expired, Transient, Unreachable
from compiler.cluster.kinds import Kind
from compiler.cluster.retry import Retry

log = logging.getLogger("compiler.cluster.informer")

Key = tuple[str, str]  # (namespace, name); "" for the namespace of a cluster-scoped object
OnEvent = Callable[[WatchEvent], None]

_POLL = 0.25  # seconds: how often the watchdog looks at the stop event


@runtime_checkable
class _Closable(Protocol):
    def close(self) -> None: ...


class Informer:
    def __init__(
        self,
        cluster: Cluster,
        kind: Kind,
        namespace: str | None = None,
        *,
        label_selector: str = "",
        timeout_seconds: int = 300,
        retry: Retry | None = None,
    ) -> None:
        self.cluster = cluster
        self.kind = kind
        self.namespace = namespace
        self.label_selector = label_selector
        self.timeout_seconds = timeout_seconds
        self._retry = retry or Retry()  # its backoff between watches; it retries until stopped
        self._lock = threading.Lock()
        self._cache: dict[Key, dict[str, Any]] = {}
        self._resource_version = ""
        self._listed = False
        self._stream: Iterator[WatchEvent] | None = None
        self._stop: threading.Event | None = None
        self.relists = 0  # lists after an Expired watch
        self.watches = 0  # watch requests that were answered
        self.generation = 0

    # -- reads (thread-safe) ------------------------------------------------------------------

    @property
    def resource_version(self) -> str:
        with self._lock:
            return self._resource_version

    def items(self) -> builtins.list[dict[str, Any]]:
        """The cached objects, by namespace and name (shared: do not modify them)."""
        with self._lock:
            return [self._cache[k] for k in sorted(self._cache)]

    def get(self, namespace: str | None, name: str) -> dict[str, Any] | None:
        with self._lock:
            return self._cache.get((namespace or "", name))

    # -- filling and following ----------------------------------------------------------------

    def list(self) -> Listing:
        """LIST into the cache (no events are given for it)."""
        listing = self.cluster.list(self.kind, self.namespace, label_selector=self.label_selector)
        self._replace(listing)
        return listing

    def run(self, stop: threading.Event, on_event: OnEvent | None = None) -> None:
        """Follow the cluster until `stop` is set (or `stop()` is called); lists first unless
        `list()` was called. A `Terminal` error (Forbidden, NotFound, ...) ends it by raising."""
        with self._lock:
            self._stop = stop
        done = threading.Event()
        watchdog = threading.Thread(target=self._watchdog, args=(stop, done), daemon=True)
        watchdog.start()
        try:
            self._follow(stop, on_event)
        finally:
            done.set()

    def stop(self) -> None:
        """Stop `run()` now: set its event and cut the open watch."""
        with self._lock:
            stop = self._stop
        if stop is not None:
            stop.set()
        self._close_stream()

    def _follow(self, stop: threading.Event, on_event: OnEvent | None) -> None:
        relist = not self._listed
        failures = 0
        while not stop.is_set():
            try:
                if relist:
                    self._emit(self._relist(), on_event)
                    relist = False
                self._watch(stop, on_event)
                failures = 0
            except Expired as err:
                log.info("%s: %s; listing again", err.object, err.message)
                relist = True
            except (Transient, Unreachable) as err:
                failures += 1
                delay = self._retry.backoff(failures, err.retry_after)
                log.debug("%s; watching again in %.2fs", err, delay)
                stop.wait(delay)

    def _watch(self, stop: threading.Event, on_event: OnEvent | None) -> None:
        stream = self.cluster.watch(
            self.kind,
            self.namespace,
            self.resource_version,
            label_selector=self.label_selector,
            timeout_seconds=self.timeout_seconds,
        )
        with self._lock:
            self.watches += 1
            self._stream = stream
        try:
            if stop.is_set():  # stopped while the request was on its way
                return
            for event in stream:
                self._emit(self._apply(event), on_event)
                if stop.is_set():
                    return
        finally:
            with self._lock:
                self._stream = None
            _close(stream)

    def _relist(self) -> builtins.list[WatchEvent]:
        listing = self.cluster.list(self.kind, self.namespace, label_selector=self.label_selector)
        if self._listed:
            with self._lock:
                self.relists += 1
        return self._replace(listing)

    def _replace(self, listing: Listing) -> builtins.list[WatchEvent]:
        """Swap the cache for `listing`; the changes, as the events a watch would have given."""
        new = {_key(obj): obj for obj in listing.items}
        with self._lock:
            old = self._cache
            changes = [
                WatchEvent("ADDED" if key not in old else "MODIFIED", new[key])
                for key in sorted(new)
                if key not in old or _version(old[key]) != _version(new[key])
            ]
            changes += [WatchEvent("DELETED", old[key]) for key in sorted(old) if key not in new]
            self._cache = new
            self._resource_version = listing.resource_version
            self.generation += max(len(changes), 0 if self._listed else 1)
            self._listed = True
        return changes

    def _apply(self, event: WatchEvent) -> builtins.list[WatchEvent]:
        with self._lock:
            if event.resource_version:
                self._resource_version = event.resource_version
            if event.type == "BOOKMARK":
                return []
            key = _key(event.object)
            if event.type == "DELETED":
                self._cache.pop(key, None)
            else:
                self._cache[key] = event.object
            self.generation += 1
        return [event]

    def _emit(self, events: builtins.list[WatchEvent], on_event: OnEvent | None) -> None:
        if on_event is not None:
            for event in events:
                on_event(event)

    def _watchdog(self, stop: threading.Event, done: threading.Event) -> None:
        """Cut the open watch as soon as `stop` is set, so `run()` returns promptly."""
        while not done.is_set():
            if stop.wait(_POLL):
                self._close_stream()
                return

    def _close_stream(self) -> None:
        with self._lock:
            stream = self._stream
        if stream is not None:
            _close(stream)


def _close(stream: object) -> None:
    if isinstance(stream, _Closable):
        with contextlib.suppress(ValueError):  # a generator running in another thread
            stream.close()


def _key(obj: dict[str, Any]) -> Key:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


def _version(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion", ""))
