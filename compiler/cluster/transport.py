"""What `KubeCluster` needs of a connection (`compiler.cluster.client` makes the real one over
the official client): send one request, read its answer whole or as a stream, cut it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

#: `ClusterError.reason` of an attempt that got no answer; the first two never reached the server
CONNECTION_REFUSED, CONNECT_TIMEOUT = "ConnectionRefused", "ConnectTimeout"
TIMEOUT, DROPPED = "Timeout", "ConnectionDropped"
NOT_SENT = frozenset({CONNECTION_REFUSED, CONNECT_TIMEOUT})

Timeout = float | tuple[float, float]  # seconds: total, or (connect, read)


class Response(Protocol):
    """One HTTP answer; its body is read at most once."""

    status: int
    reason: str

    def header(self, name: str) -> str | None: ...

    def read(self) -> bytes:
        """The whole body; Transient when the connection drops before its end."""
        ...

    def chunks(self) -> Iterator[bytes]:
        """The body as it arrives; Transient when the connection drops, nothing more after
        `close()`."""
        ...

    def close(self) -> None:
        """Cut the connection, also from another thread (it wakes a blocked read)."""
        ...


class Transport(Protocol):
    server: str

    def send(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]],
        body: Any,
        content_type: str,
        timeout: Timeout,
        target: str,
    ) -> Response:
        """Send one request; raises `Transient` (reason: one of the reasons above, status
        None) when no answer comes, or another `ClusterError` (an untrusted certificate)."""
        ...

    def scrub(self, text: str) -> str:
        """`text` without any credential the transport holds."""
        ...

    def close(self) -> None: ...
