"""compiler.cluster.serve: real HTTP requests to the health and metrics server, with an
injected clock (no sleeping)."""

from __future__ import annotations

import http.client
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from compiler.cluster.metrics import CONTENT_TYPE, Registry, reconciler_metrics
from compiler.cluster.serve import Health, Server, parse_address, serve
from compiler.errors import UsageError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def health(clock: Clock) -> Health:
    return Health(stale_after=60, clock=clock)


@pytest.fixture
def registry() -> Registry:
    return Registry()


@pytest.fixture
def server(registry: Registry, health: Health) -> Iterator[Server]:
    s = serve("127.0.0.1:0", registry, health)
    try:
        yield s
    finally:
        s.stop()


def get(server: Server, path: str, method: str = "GET") -> tuple[int, str, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, resp.read().decode(), dict(resp.getheaders())
    finally:
        conn.close()


def test_readiness_waits_for_the_first_pass_and_follows_terminal_errors(
    server: Server, health: Health
) -> None:
    status, body, _ = get(server, "/readyz")
    assert (status, body) == (503, "not ready: the first pass has not finished\n")
    health.set_ready(True)
    assert get(server, "/readyz")[:2] == (200, "ok\n")
    health.set_ready(False, "terminal: Forbidden: Experiment/team-a/x\n(patch)")
    status, body, _ = get(server, "/readyz")
    assert status == 503
    assert body == "not ready: terminal: Forbidden: Experiment/team-a/x (patch)\n"  # one line
    health.set_ready(True, "recovered")
    assert get(server, "/readyz")[:2] == (200, "ok: recovered\n")


def test_liveness_fails_when_the_heartbeat_is_stale(
    server: Server, health: Health, clock: Clock
) -> None:
    assert get(server, "/healthz")[0] == 200  # starting counts as a beat
    clock.now += 59
    assert get(server, "/healthz")[0] == 200
    clock.now += 2
    status, body, _ = get(server, "/healthz")
    assert (status, body) == (503, "no heartbeat for 61s (limit 60s)\n")
    health.beat()
    assert get(server, "/healthz")[:2] == (200, "heartbeat 0s ago\n")
    # readiness is separate: a live loop need not be ready
    assert get(server, "/readyz")[0] == 503


def test_metrics_are_served_in_the_text_format(server: Server, registry: Registry) -> None:
    m = reconciler_metrics(registry)
    m.passes.inc(result="ok")
    m.experiments.replace({"Running": 2})
    status, body, headers = get(server, "/metrics")
    assert status == 200
    assert headers["Content-Type"] == CONTENT_TYPE
    assert int(headers["Content-Length"]) == len(body.encode())
    samples = {
        (s.name, tuple(s.labels.items())): s.value
        for f in text_string_to_metric_families(body)
        for s in f.samples
    }
    assert samples[("katib_gitops_passes_total", (("result", "ok"),))] == 1
    assert samples[("katib_gitops_experiments", (("outcome", "Running"),))] == 2
    m.passes.inc(result="ok")  # the next scrape sees the update
    assert 'katib_gitops_passes_total{result="ok"} 2.0' in get(server, "/metrics")[1]


def test_head_unknown_paths_and_other_methods(server: Server) -> None:
    status, body, headers = get(server, "/healthz", "HEAD")
    assert status == 200 and body == "" and int(headers["Content-Length"]) > 0
    assert get(server, "/healthz?verbose=1")[0] == 200
    assert get(server, "/")[0] == 404
    assert get(server, "/metrics/../secret")[0] == 404
    status, _, headers = get(server, "/metrics", "POST")
    assert status == 405 and headers["Allow"] == "GET, HEAD"
    assert get(server, "/readyz", "DELETE")[0] == 405


def test_a_garbage_request_gets_an_error_and_the_server_keeps_serving(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
        answer = s.recv(1000)
    assert b"400" in answer  # "Bad request syntax" (http.server answers as to HTTP/0.9)
    assert get(server, "/healthz")[0] == 200


def test_stop_closes_the_port(registry: Registry, health: Health) -> None:
    s = serve("127.0.0.1:0", registry, health)
    port = s.port
    assert port > 0
    s.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)


@pytest.mark.parametrize(
    ("address", "expected"),
    [(":8080", ("", 8080)), ("127.0.0.1:0", ("127.0.0.1", 0)), ("[::1]:9090", ("::1", 9090))],
)
def test_listen_addresses(address: str, expected: tuple[str, int]) -> None:
    assert parse_address(address) == expected


@pytest.mark.parametrize("address", ["8080", "", ":", "host:http", ":99999", "127.0.0.1:-1"])
def test_bad_listen_addresses_are_usage_errors(
    address: str, registry: Registry, health: Health
) -> None:
    with pytest.raises(UsageError, match="--listen") as info:
        serve(address, registry, health)
    assert info.value.exit_code == 2


def test_a_port_in_use_is_a_clear_error(server: Server, registry: Registry, health: Health) -> None:
    with pytest.raises(UsageError, match=f"cannot listen on 127.0.0.1:{server.port}: "):
        serve(f"127.0.0.1:{server.port}", registry, health)


def test_an_ipv6_loopback_listener(registry: Registry, health: Health) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        s = serve("[::1]:0", registry, health)
    except UsageError as exc:
        pytest.skip(f"IPv6 loopback unavailable: {exc}")
    try:
        conn = http.client.HTTPConnection("::1", s.port, timeout=10)
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        s.stop()
