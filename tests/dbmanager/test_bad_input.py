"""Bad input and faults of the katib-db-manager client: a clear error of the cluster room's tree
(exit 3, or 2 for a bad address), never a traceback. Real sockets and servers, no fakes: nobody
listening, a plain TCP server, an HTTP server, silence, a gRPC server that is not a db-manager,
one that answers bytes that are not Katib's reply."""

from __future__ import annotations

import contextlib
import http.server
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent import futures

import grpc
import pytest

from compiler.cluster.dbmanager import (
    DEFAULT_PORT,
    GET_OBSERVATION_LOG,
    HINT,
    DBManager,
    rpc_error,
    target,
)
from compiler.cluster.errors import (
    ClusterError,
    ConfigError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Terminal,
    Transient,
    Unauthorized,
    Unreachable,
)
from compiler.cluster.retry import Retry
from compiler.errors import KatibGitopsError
from tests.conftest import ROOT

FAST = Retry(attempts=3, base=0.01, cap=0.02)  # three calls, a few milliseconds apart


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def tcp_server(on_accept: Callable[[socket.socket], None]) -> Iterator[str]:
    """A plain TCP server on loopback that hands each connection to `on_accept`."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                held.append(conn)
                on_accept(conn)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for conn in held:
            conn.close()


@contextlib.contextmanager
def grpc_server(
    handlers: dict[str, Callable[[bytes, grpc.ServicerContext], bytes]],
) -> Iterator[str]:
    """A real gRPC server with the given unary methods (full path → handler), bytes in and out."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    by_service: dict[str, dict[str, grpc.RpcMethodHandler]] = {}
    for path, fn in handlers.items():
        service, method = path.strip("/").split("/")
        by_service.setdefault(service, {})[method] = grpc.unary_unary_rpc_method_handler(fn)
    for service, methods in by_service.items():
        server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(service, methods)])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(grace=None)


def read(address: str, *, timeout: float = 5.0) -> tuple[ClusterError, int]:
    db = DBManager(address, timeout=timeout, retry=FAST)
    try:
        with pytest.raises(ClusterError) as caught:
            db.series([("trial-1", ["loss"])])
    finally:
        db.close()
    err = caught.value
    assert isinstance(err, KatibGitopsError) and err.exit_code == 3
    assert str(err).startswith(f"katib-db-manager {target(address)}: ")
    return err, db.requests


def test_nobody_listening_is_unreachable_after_the_retries() -> None:
    err, requests = read(f"127.0.0.1:{free_port()}")
    assert type(err) is Unreachable
    assert requests == 3  # each retry dials anew, not after grpc's own reconnect backoff
    assert "no answer after 3 attempts" in err.message and "Connection refused" in err.message
    assert err.hint == HINT and "kubectl port-forward" in err.hint


def test_a_name_that_does_not_resolve_is_unreachable() -> None:
    err, requests = read("no-such-host.invalid:6789")
    assert type(err) is Unreachable and requests == 3


def test_an_http_server_is_not_a_db_manager() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        err, requests = read(f"127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
    assert type(err) is Terminal and requests == 1  # not retried: it will not learn gRPC
    assert "the server does not speak gRPC" in err.message and err.hint == HINT


def test_a_tcp_server_that_speaks_another_protocol_is_not_a_db_manager() -> None:
    with tcp_server(lambda conn: conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")) as address:
        err, requests = read(address)
    assert type(err) is Terminal and requests == 1
    assert "does not speak gRPC" in err.message


def test_a_tcp_server_that_hangs_up_is_unreachable_after_the_retries() -> None:
    with tcp_server(lambda conn: conn.close()) as address:
        err, requests = read(address)
    assert type(err) is Unreachable and requests == 3
    assert "UNAVAILABLE" in err.message


def test_a_silent_server_is_unreachable_after_the_deadlines() -> None:
    with tcp_server(lambda conn: None) as address:
        err, requests = read(address, timeout=0.2)
    assert type(err) is Unreachable and requests == 3
    assert "DEADLINE_EXCEEDED" in err.message


def test_a_grpc_server_without_the_dbmanager_service() -> None:
    with grpc_server({"/api.v1.beta1.Suggestion/GetSuggestions": lambda req, ctx: b""}) as address:
        err, requests = read(address)
    assert type(err) is Terminal and requests == 1
    assert (err.status, err.reason) == (501, "UNIMPLEMENTED")
    assert "has no api.v1.beta1.DBManager service" in err.message


def test_a_reply_that_is_not_katib_s_is_a_clear_error() -> None:
    with grpc_server({GET_OBSERVATION_LOG: lambda req, ctx: b"\x0a\x05\x0a\x03"}) as address:
        err, requests = read(address)
    assert type(err) is Terminal and requests == 1
    assert "the reply is not Katib's GetObservationLogReply" in err.message
    assert "overruns its message at byte 2" in err.message


def test_the_server_s_status_is_mapped_and_only_transient_ones_retried() -> None:
    def refuse(req: bytes, ctx: grpc.ServicerContext) -> bytes:
        ctx.abort(grpc.StatusCode.PERMISSION_DENIED, "RBAC: access denied")
        raise AssertionError("abort raises")

    with grpc_server({GET_OBSERVATION_LOG: refuse}) as address:
        err, requests = read(address)
    assert type(err) is Forbidden and requests == 1
    assert "PERMISSION_DENIED: RBAC: access denied" in err.message


def test_a_server_error_is_retried_then_raised_as_it_is() -> None:
    calls: list[bytes] = []

    def fail(req: bytes, ctx: grpc.ServicerContext) -> bytes:
        calls.append(req)
        ctx.abort(grpc.StatusCode.UNKNOWN, "Failed to get ObservationLogs pq: the database is down")
        raise AssertionError("abort raises")

    with grpc_server({GET_OBSERVATION_LOG: fail}) as address:
        err, requests = read(address)
    assert type(err) is Transient and requests == 3 and len(calls) == 3
    assert (err.status, err.reason) == (500, "UNKNOWN")
    assert calls[0] == b"\n\x07trial-1\x12\x04loss"  # GetObservationLogRequest{trial, metric}


def test_a_transient_failure_that_clears_is_not_seen() -> None:
    calls: list[bytes] = []

    def flaky(req: bytes, ctx: grpc.ServicerContext) -> bytes:
        calls.append(req)
        if len(calls) == 1:
            ctx.abort(grpc.StatusCode.UNKNOWN, "Failed to get ObservationLogs: connection reset")
        return b"\n\x16\n\x14\n\x0412:0\x12\x0c\n\x04loss\x12\x040.25"

    with grpc_server({GET_OBSERVATION_LOG: flaky}) as address, DBManager(address, retry=FAST) as db:
        got = db.series([("trial-1", ["loss"])])
    assert [(m.value, m.timestamp) for m in got["trial-1"]["loss"]] == [("0.25", "12:0")]
    assert len(calls) == 2


def test_names_that_are_not_unicode_text_are_refused_before_sending() -> None:
    with DBManager(f"127.0.0.1:{free_port()}", retry=FAST) as db:
        with pytest.raises(Invalid, match="not valid Unicode text"):
            db.series([("trial-1", ["lo\ud800ss"])])
        assert db.requests == 0


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("localhost", f"localhost:{DEFAULT_PORT}"),
        ("katib-db-manager.kubeflow:6789", "katib-db-manager.kubeflow:6789"),
        (" 127.0.0.1:16789 ", "127.0.0.1:16789"),
        ("[::1]:6789", "[::1]:6789"),
        ("[::1]", "[::1]:6789"),
    ],
)
def test_good_addresses(address: str, expected: str) -> None:
    assert target(address) == expected


@pytest.mark.parametrize(
    "address",
    [
        "",
        " ",
        "http://localhost:6789",
        "localhost:6789/",
        "localhost:0",
        "localhost:65536",
        "localhost:port",
        "::1",
        "a b:6789",
        "-host:6789",
        "host_name:6789",
        "dns:///host:6789",
    ],
)
def test_bad_addresses_are_usage_errors(address: str) -> None:
    with pytest.raises(ConfigError) as caught:
        DBManager(address)
    assert caught.value.exit_code == 2
    assert "is not host[:port]" in str(caught.value) and "localhost:6789" in caught.value.hint


@pytest.mark.parametrize("timeout", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_timeouts_are_usage_errors(timeout: float) -> None:
    with pytest.raises(ConfigError, match="timeout must be positive"):
        DBManager("localhost", timeout=timeout)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_without_grpcio_the_error_says_which_extra_to_install() -> None:
    code = (
        "import sys; sys.modules['grpc'] = None\n"  # as if grpcio were not installed
        "from compiler.cluster.dbmanager import DBManager\n"
        "from compiler.cluster.errors import ConfigError\n"
        "try:\n    DBManager('localhost')\n"
        "except ConfigError as e:\n    print(e.exit_code, e, '|', e.hint)\n"
    )
    res = run_python(code)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == (
        "2 --db-manager needs grpcio, which is not installed | "
        "pip install 'katib-gitops[dbmanager]'"
    )


def test_importing_the_client_does_not_import_grpc() -> None:
    res = run_python("import sys, compiler.cluster.dbmanager; print('grpc' in sys.modules)")
    assert (res.returncode, res.stdout.strip()) == (0, "False"), res.stderr


@pytest.mark.parametrize(
    ("code", "kind", "status", "retryable"),
    [
        ("UNAVAILABLE", Transient, None, True),
        ("DEADLINE_EXCEEDED", Transient, None, True),
        ("CANCELLED", Transient, None, True),
        ("UNKNOWN", Transient, 500, True),
        ("INTERNAL", Transient, 500, True),
        ("RESOURCE_EXHAUSTED", Transient, 429, True),
        ("ABORTED", Conflict, 409, True),
        ("ALREADY_EXISTS", Conflict, 409, True),
        ("INVALID_ARGUMENT", Invalid, 400, False),
        ("FAILED_PRECONDITION", Invalid, 400, False),
        ("OUT_OF_RANGE", Invalid, 400, False),
        ("NOT_FOUND", NotFound, 404, False),
        ("PERMISSION_DENIED", Forbidden, 403, False),
        ("UNAUTHENTICATED", Unauthorized, 401, False),
        ("UNIMPLEMENTED", Terminal, 501, False),
        ("DATA_LOSS", Terminal, 500, False),
    ],
)
def test_grpc_status_codes(
    code: str, kind: type[ClusterError], status: int | None, retryable: bool
) -> None:
    err = rpc_error(code, "details", call="GetObservationLog(...)", server="h:1")
    assert (type(err), err.status, err.retryable, err.reason) == (kind, status, retryable, code)


def test_a_reply_past_the_size_limit_is_terminal() -> None:
    err = rpc_error(
        "RESOURCE_EXHAUSTED",
        "Received message larger than max (70000000 vs. 67108864)",
        call="GetObservationLog(...)",
        server="h:1",
    )
    assert type(err) is Terminal and "larger than 64 MiB" in err.message
