"""The reconciler's health and metrics server: stdlib `http.server` in a daemon thread.

    /healthz  liveness: the loop has beaten within `stale_after` seconds (the kubelet
              restarts a pod whose loop hangs)
    /readyz   readiness: the first pass has finished and the last one did not end in a
              terminal error (a human must act: the pod shows NotReady)
    /metrics  the registry, in the Prometheus text format 0.0.4

The loop calls `health.beat()` at least every `stale_after` seconds (each pass, each watch
event or timeout) and `health.set_ready(...)` after each pass. The bodies are short plain
text; a reason must not carry secrets (it is served to anyone who may reach the port).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from compiler.cluster.metrics import CONTENT_TYPE, Registry
from compiler.errors import UsageError

STALE_AFTER = 600.0  # seconds without a beat before /healthz fails
MAX_REASON = 300  # characters of a readiness reason served


class Health:
    """Liveness and readiness, as the loop reports them. `clock` is monotonic seconds."""

    def __init__(
        self, stale_after: float = STALE_AFTER, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stale_after = stale_after
        self._clock = clock
        self._lock = threading.Lock()
        self._beat = clock()  # starting counts as a beat
        self._ready = False
        self._reason = "the first pass has not finished"

    def beat(self) -> None:
        with self._lock:
            self._beat = self._clock()

    def set_ready(self, ready: bool, reason: str = "") -> None:
        one_line = " ".join(reason.split())[:MAX_REASON]
        with self._lock:
            self._ready, self._reason = ready, one_line

    def live(self) -> tuple[bool, str]:
        with self._lock:
            age = self._clock() - self._beat
        if age > self.stale_after:
            return False, f"no heartbeat for {age:.0f}s (limit {self.stale_after:.0f}s)"
        return True, f"heartbeat {age:.0f}s ago"

    def ready(self) -> tuple[bool, str]:
        with self._lock:
            return self._ready, self._reason


class Server:
    """A running server; `port` is the bound port (useful with port 0)."""

    def __init__(self, httpd: ThreadingHTTPServer, thread: threading.Thread) -> None:
        self._httpd, self._thread = httpd, thread
        self.host = str(httpd.server_address[0])
        self.port = int(httpd.server_address[1])

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def parse_address(address: str) -> tuple[str, int]:
    """`:8080` (every interface), `127.0.0.1:0`, `[::1]:9090` → (host, port)."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise UsageError(f"--listen {address!r}: want HOST:PORT or :PORT, e.g. :8080")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port)


def serve(address: str, registry: Registry, health: Health) -> Server:
    """Listen on `address` and answer in a daemon thread until `stop()`."""
    host, port = parse_address(address)
    handler = type("Handler", (_Handler,), {"registry": registry, "health": health})
    server_class = _V6Server if ":" in host else _Server
    try:
        httpd = server_class((host, port), handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {address}: {exc.strerror or exc}") from None
    thread = threading.Thread(
        target=httpd.serve_forever, args=(0.1,), name="katib-gitops-http", daemon=True
    )  # polls for stop() every 0.1 s
    thread.start()
    return Server(httpd, thread)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a slow scraper never holds the process up at exit


class _V6Server(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    registry: ClassVar[Registry]
    health: ClassVar[Health]
    server_version = "katib-gitops"
    sys_version = ""
    timeout = 10  # seconds a client may take to send its request

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            ok, text = self.health.live()
            self._send(HTTPStatus.OK if ok else HTTPStatus.SERVICE_UNAVAILABLE, text + "\n", head)
        elif path == "/readyz":
            ok, text = self.health.ready()
            body = ("ok" if ok else "not ready") + (f": {text}" if text else "") + "\n"
            self._send(HTTPStatus.OK if ok else HTTPStatus.SERVICE_UNAVAILABLE, body, head)
        elif path == "/metrics":
            self._send(HTTPStatus.OK, self.registry.render(), head, CONTENT_TYPE)
        else:
            self._send(HTTPStatus.NOT_FOUND, "not found: /healthz, /readyz, /metrics\n", head)

    def _refuse(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse

    def _send(
        self,
        status: HTTPStatus,
        body: str,
        head: bool,
        content_type: str = "text/plain; charset=utf-8",
    ) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the kubelet probes every few seconds."""
