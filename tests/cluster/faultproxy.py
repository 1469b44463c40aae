"""A fault-injecting HTTPS proxy in front of the real kube-apiserver, for the cluster room's
fault tests.

It terminates TLS on loopback with its own self-signed certificate (made with `openssl`, as
`tools/devcluster/harness.py` makes its keys), forwards each request to the API server over
TLS (verified with the API server's CA), and streams watch answers chunk by chunk. A schedule
decides, request by request, whether to inject a fault instead:

    "500", "502", "503"  an error answer, the request never forwarded (503 with Retry-After)
    "429"                Too Many Requests with Retry-After (seconds, or an HTTP date)
    "timeout"            the request held past the client's timeout, then the connection closed
    "drop"               the request forwarded (the server acts), the answer dropped
    "drop-stream"        a watch forwarded, its stream cut after a few chunks or a moment

Everything injected is recorded in `injected`. `kubeconfig` points at the proxy, with the API
server's token.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import http.server
import json
import random
import socket
import socketserver
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

from tools.devcluster.harness import LOOPBACK, ApiServer

ERRORS = ("500", "502", "503", "429")
FAULTS = (*ERRORS, "timeout", "drop", "drop-stream")
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
    "host",
}

#: (request index, method, path, is a watch) -> a fault, or None to forward it as it is
Schedule = Callable[[int, str, str, bool], "str | None"]


@dataclass(frozen=True)
class Injected:
    index: int
    method: str
    path: str
    fault: str
    retry_after: float | None = None  # at least this many seconds, as the client reads it


def seeded(
    seed: int,
    rate: float = 0.3,
    faults: Sequence[str] = FAULTS,
    only: Callable[[str, str, bool], bool] = lambda method, path, watch: True,
    watch_faults: Sequence[str] | None = None,
) -> Schedule:
    """A fault for about `rate` of the requests `only` admits, drawn from `faults` (a stream cut
    only for watches; `watch_faults`, when given, for watches), the same for the same seed and
    order of requests."""
    rng = random.Random(seed)

    def decide(index: int, method: str, path: str, watch: bool) -> str | None:
        roll, pick = rng.random(), rng.random()
        if not only(method, path, watch) or roll >= rate:
            return None
        if watch and watch_faults is not None:
            allowed = list(watch_faults)
        else:
            allowed = [f for f in faults if f != "drop-stream" or watch]
        return allowed[int(pick * len(allowed))] if allowed else None

    return decide


def script(faults: Sequence[str | None]) -> Schedule:
    """These faults for the next requests, in order; then none."""
    pending = list(faults)
    return lambda index, method, path, watch: pending.pop(0) if pending else None


def no_faults(index: int, method: str, path: str, watch: bool) -> str | None:
    return None


def is_watch(path: str) -> bool:
    query = parse_qs(urlsplit(path).query)
    return query.get("watch", [""])[0] in ("true", "1")


class FaultProxy:
    def __init__(
        self,
        upstream: ApiServer,
        workdir: Path,
        schedule: Schedule = no_faults,
        *,
        hold: float = 1.5,
        cut_after: float = 0.5,
        seed: int = 0,
    ) -> None:
        self.upstream = upstream
        self.workdir = Path(workdir)
        self.schedule = schedule
        self.hold = hold  # seconds a "timeout" holds the request: more than the client waits
        self.cut_after = cut_after  # seconds before a "drop-stream" cuts a quiet stream
        self.injected: list[Injected] = []
        self.requests = 0
        self._rng = random.Random(seed)  # Retry-After values and stream cut points
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server: _Server | None = None
        self._tls_upstream: ssl.SSLContext | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.kubeconfig = self.workdir / "kubeconfig"

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> FaultProxy:
        self.workdir.mkdir(parents=True, exist_ok=True)
        cert, key = self.workdir / "proxy.crt", self.workdir / "proxy.key"
        _self_signed(cert, key)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        self._server = _Server((LOOPBACK, 0), _Handler, proxy=self, tls=tls)
        port = self._server.server_address[1]
        self.url = f"https://{LOOPBACK}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.kubeconfig.write_text(yaml.safe_dump(_kubeconfig(self.url, cert, self.upstream)))
        self.kubeconfig.chmod(0o600)
        return self

    def stop(self) -> None:
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def kinds(self) -> set[str]:
        with self._lock:
            return {i.fault for i in self.injected}

    def upstream_context(self) -> ssl.SSLContext:
        with self._lock:
            if self._tls_upstream is None:
                self._tls_upstream = ssl.create_default_context(cafile=str(self.upstream.ca_file))
            return self._tls_upstream

    def _decide(self, method: str, path: str, watch: bool) -> tuple[str | None, float | None]:
        with self._lock:
            index = self.requests
            self.requests += 1
            fault = self.schedule(index, method, path, watch)
            retry_after = None
            if fault == "429":
                retry_after = float(self._rng.choice((1, 2, 3)))
            elif fault == "503":
                retry_after = 1.0
            if fault is not None:
                self.injected.append(Injected(index, method, path, fault, retry_after))
            return fault, retry_after

    def _retry_after_header(self, seconds: float) -> str:
        """Seconds, or now and then an HTTP date at least `seconds` away (RFC 9110 §10.2.3)."""
        if seconds >= 2 and self._rng.random() < 0.5:
            # a date has whole seconds: 2 more keep the wait it asks for at least `seconds`
            return email.utils.formatdate(time.time() + seconds + 2, usegmt=True)
        return str(int(seconds))

    def _cut_point(self) -> int:
        with self._lock:
            return self._rng.randint(1, 3)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], handler: type, *, proxy: FaultProxy, tls: ssl.SSLContext
    ) -> None:
        self.proxy = proxy
        self.tls = tls
        super().__init__(address, handler)

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms delayed-ACK waits
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.do_handshake()  # type: ignore[attr-defined]
        except (OSError, ssl.SSLError):
            self.close_connection = True
            self.rfile = _Empty()  # type: ignore[assignment]

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def _serve(self) -> None:
        proxy = self.server.proxy
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        watch = is_watch(self.path)
        fault, retry_after = proxy._decide(self.command, self.path, watch)
        if fault in ERRORS:
            self._error(int(fault), retry_after)
        elif fault == "timeout":
            proxy._closing.wait(proxy.hold)
            self._drop()
        else:
            self._forward(body, watch, fault)

    def _error(self, code: int, retry_after: float | None) -> None:
        if code == 502:  # a load balancer's page, not a Status
            data, content_type = b"<html><body>502 Bad Gateway</body></html>", "text/html"
        else:
            status = {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": f"injected {code} by the fault proxy",
                "reason": "TooManyRequests" if code == 429 else "InternalError",
                "code": code,
            }
            data, content_type = json.dumps(status).encode(), "application/json"
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if retry_after is not None:
            self.send_header("Retry-After", self.server.proxy._retry_after_header(retry_after))
        self.end_headers()
        self.wfile.write(data)

    def _upstream(self, watch: bool) -> http.client.HTTPSConnection:
        """A connection to the API server: a new one for a watch, else the one this client
        connection already has (keep-alive on both sides, as a real proxy does)."""
        kept = getattr(self, "_kept", None)
        if kept is not None and not watch:
            return kept
        proxy = self.server.proxy
        where = urlsplit(proxy.upstream.server)
        upstream = http.client.HTTPSConnection(
            where.hostname or LOOPBACK,
            where.port,
            context=proxy.upstream_context(),
            timeout=None if watch else 60,
        )
        upstream.debuglevel = 0  # the credential tests switch http.client's printing on
        upstream.connect()
        if upstream.sock is not None:
            upstream.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not watch:
            self._kept = upstream
        return upstream

    def finish(self) -> None:
        kept = getattr(self, "_kept", None)
        if kept is not None:
            kept.close()
        super().finish()

    def _forward(self, body: bytes, watch: bool, fault: str | None) -> None:
        upstream = self._upstream(watch)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            if fault == "drop":
                answer.read()
                self._drop()
            elif watch:
                self._relay_stream(answer, upstream, cut=fault == "drop-stream")
            else:
                self._relay(answer, answer.read())
        except (OSError, http.client.HTTPException):
            self._drop()
            upstream.close()
            self._kept = None
        finally:
            if watch or fault == "drop":
                upstream.close()
                self._kept = None

    def _relay(self, answer: http.client.HTTPResponse, data: bytes) -> None:
        self.send_response(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _relay_stream(
        self, answer: http.client.HTTPResponse, upstream: http.client.HTTPSConnection, cut: bool
    ) -> None:
        self.send_response(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        left = self.server.proxy._cut_point() if cut else -1
        timer = (
            threading.Timer(self.server.proxy.cut_after, self._cut, (upstream,)) if cut else None
        )
        if timer is not None:
            timer.start()
        try:
            while data := answer.read1(65536):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
                left -= 1
                if left == 0:
                    self._drop()
                    return
            self.wfile.write(b"0\r\n\r\n")  # the server ended the watch: end it properly
            self.wfile.flush()
        except (OSError, ValueError, http.client.HTTPException):
            self._drop()
        finally:
            if timer is not None:
                timer.cancel()

    def _cut(self, upstream: http.client.HTTPSConnection) -> None:
        """Cut a quiet stream: both sockets shut down, so the relay loop ends."""
        self._drop()
        sock = upstream.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def _drop(self) -> None:
        """Close the client's connection without (the rest of) an answer."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            socket.socket.shutdown(self.connection, socket.SHUT_RDWR)


class _Empty:
    def readline(self, *args: object) -> bytes:
        return b""

    def close(self) -> None:
        pass


def _self_signed(cert: Path, key: Path) -> None:
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=katib-gitops-faultproxy", "-addext", f"subjectAltName=IP:{LOOPBACK}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip


def _kubeconfig(url: str, ca: Path, upstream: ApiServer) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "proxy", "cluster": {"server": url, "certificate-authority": str(ca)}}
        ],
        "users": [{"name": "admin", "user": {"token": upstream.token}}],
        "contexts": [
            {
                "name": "proxy",
                "context": {"cluster": "proxy", "user": "admin", "namespace": upstream.namespace},
            }
        ],
        "current-context": "proxy",
    }
