"""A watch answer, read: the API server streams one JSON event per line
(`{"type": "ADDED", "object": {...}}`); an `ERROR` event carries a `Status` (410 Gone when the
resourceVersion asked for is compacted away: `Expired`). `WatchStream` gives one answer's
events as they come, and can be cut from another thread."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, cast

from compiler.cluster.api import EventType, WatchEvent
from compiler.cluster.apistatus import error_for, target
from compiler.cluster.errors import Transient
from compiler.cluster.kinds import Kind
from compiler.cluster.transport import Response

_TYPES = frozenset({"ADDED", "MODIFIED", "DELETED", "BOOKMARK"})


def lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Whole lines from chunks that may split or join them."""
    pending = b""
    for chunk in chunks:
        if b"\n" not in chunk:
            pending += chunk
            continue
        head, *full, pending_tail = (pending + chunk).split(b"\n")
        yield head
        yield from full
        pending = pending_tail
    if pending.strip():
        yield pending


def events(chunks: Iterable[bytes], kind: Kind, namespace: str | None) -> Iterator[WatchEvent]:
    """The events of a watch stream; raises `Expired` for a 410 ERROR event, and the matching
    `ClusterError` for any other ERROR event."""
    for line in lines(chunks):
        if line.strip():
            yield decode(line, kind, namespace)


def decode(line: bytes, kind: Kind, namespace: str | None) -> WatchEvent:
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        raise Transient(
            "the watch stream sent a line that is not JSON", object=target(kind, namespace)
        ) from None
    obj = data.get("object") if isinstance(data, dict) else None
    kind_of_event = data.get("type") if isinstance(data, dict) else None
    if kind_of_event == "ERROR" and isinstance(obj, dict):
        code = obj.get("code")
        raise error_for(
            code if isinstance(code, int) and code >= 400 else 500,
            json.dumps(obj).encode(),
            kind,
            namespace,
        )
    if kind_of_event not in _TYPES or not isinstance(obj, dict):
        raise Transient(
            f"the watch stream sent an unknown event: {str(kind_of_event)[:40]!r}",
            object=target(kind, namespace),
        )
    obj.setdefault("apiVersion", kind.api_version)
    obj.setdefault("kind", kind.kind)
    return WatchEvent(cast(EventType, kind_of_event), cast(dict[str, Any], obj))


class WatchStream:
    """The events of one watch, as they come; `close()` ends it, also from another thread."""

    def __init__(self, response: Response, kind: Kind, namespace: str | None) -> None:
        self._response = response
        self._events = events(response.chunks(), kind, namespace)

    def __iter__(self) -> WatchStream:
        return self

    def __enter__(self) -> WatchStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __next__(self) -> WatchEvent:
        try:
            return next(self._events)
        except BaseException:
            self._response.close()
            raise

    def close(self) -> None:
        self._response.close()
