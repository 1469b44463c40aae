"""The only importer of `kubernetes`: `connect()` reads the connection settings and builds the
official client's configuration (TLS, auth, token refresh), and `_Transport` sends raw REST
requests through its `ApiClient`'s connection pool (one request per attempt: urllib3 retries
nothing), so objects stay plain JSON and a large LIST is one fast decode. `KubeCluster` (in
`rest`) does the rest.

`kubernetes` and `urllib3` are imported inside functions: importing this module for its
types costs nothing. No credential reaches a message, a log record or a repr: errors pass
`scrub()`, and the connections ignore http.client's debuglevel (which would print the
Authorization header).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from compiler import __version__
from compiler.cluster import kubeconfig as settings
from compiler.cluster.errors import ClusterError, ConfigError, Terminal, Transient, Unauthorized
from compiler.cluster.rest import KubeCluster
from compiler.cluster.retry import Retry
from compiler.cluster.transport import (
    CONNECT_TIMEOUT,
    CONNECTION_REFUSED,
    DROPPED,
    TIMEOUT,
    Timeout,
)

__all__ = ["KubeCluster", "connect"]

_CHUNK = 64 * 1024
_CREDENTIAL = re.compile(r"(?i)\b(bearer|basic)\s+[^\s,;'\"]+|(authorization['\"]?\s*[:=]\s*)\S+")
_TLS_TRUST = ("CERTIFICATE_VERIFY_FAILED", "certificate verify failed", "Hostname mismatch")
#: kubeconfig user fields whose values are credentials (auth-provider config included)
_SECRET_KEYS = frozenset(
    {"token", "password", "client-key-data", "access-token", "id-token", "refresh-token"}
    | {"client-secret", "idp-certificate-authority-data"}
)


def connect(
    kubeconfig: str | None = None,
    context: str | None = None,
    *,
    timeout: float = 30.0,
    retry: Retry | None = None,
    on_request: Callable[[str, int], None] | None = None,
    user_agent: str = f"katib-gitops/{__version__}",
) -> KubeCluster:
    """A `KubeCluster` for the kubeconfig (or $KUBECONFIG, ~/.kube/config, the in-cluster
    service account, in that order) and context. Sends nothing yet. The API server names the
    manager of a write that is not an apply after the user agent's first word."""
    paths = settings.locate(kubeconfig, os.environ, Path.home())
    if paths is None:
        if context:
            raise ConfigError(
                f"no context {context!r}: no kubeconfig found, only the in-cluster service account",
                hint="pass --kubeconfig, or drop --context",
            )
        sa = settings.in_cluster(os.environ, settings.SERVICE_ACCOUNT_DIR)
        configuration, namespace, name = _in_cluster(sa), sa.namespace, "in-cluster"
    else:
        selected = settings.select(settings.read(paths), context, ", ".join(map(str, paths)))
        configuration = _from_kubeconfig(selected)
        namespace, name = selected.namespace, selected.context
    transport = _Transport(configuration, user_agent)
    return KubeCluster(
        transport,
        namespace=namespace,
        context=name,
        timeout=timeout,
        retry=retry,
        on_request=on_request,
    )


def _kube() -> Any:
    import kubernetes.client
    import kubernetes.config.incluster_config
    import kubernetes.config.kube_config

    return kubernetes


def _from_kubeconfig(selected: settings.Selected) -> Any:
    kube = _kube()
    configuration = kube.client.Configuration()
    secrets = list(_secrets(selected.config.get("users") or []))
    try:
        loader = kube.config.kube_config.KubeConfigLoader(
            config_dict=selected.config, active_context=selected.context, config_base_path=""
        )
        loader.load_and_set(configuration)
    except (kube.config.ConfigException, ValueError, KeyError, TypeError, OSError) as exc:
        raise ConfigError(
            f"{selected.source}: context {selected.context!r}: {_redact(str(exc), secrets)}",
            hint="fix the context's cluster or user in the kubeconfig",
        ) from None
    return configuration


def _in_cluster(sa: settings.InCluster) -> Any:
    kube = _kube()
    configuration = kube.client.Configuration()
    loader = kube.config.incluster_config.InClusterConfigLoader(
        token_filename=str(sa.token_file), cert_filename=str(sa.ca_file), environ=sa.environ
    )
    try:
        loader.load_and_set(configuration)
    except (kube.config.ConfigException, OSError) as exc:
        raise ConfigError(
            f"the in-cluster service account: {_redact(str(exc), [])}",
            hint="check the pod's service account token and CA (or pass --kubeconfig)",
        ) from None
    return configuration


def _secrets(value: object) -> Iterator[str]:
    """The credential values anywhere in the kubeconfig's users."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in _SECRET_KEYS and isinstance(inner, str) and inner:
                yield inner
            else:
                yield from _secrets(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _secrets(inner)


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in sorted(set(secrets), key=len, reverse=True):
        text = text.replace(secret, "[redacted]")
    return _CREDENTIAL.sub(lambda m: (m.group(1) or m.group(2)) + " [redacted]", text)


class _Transport:
    """One `ApiClient` (its TLS and auth settings, its urllib3 pool), sending raw requests."""

    def __init__(self, configuration: Any, user_agent: str) -> None:
        import urllib3.exceptions as u3

        kube = _kube()
        self._configuration = configuration
        self._user_agent = user_agent
        try:
            self._api = kube.client.ApiClient(configuration)
        except (ValueError, TypeError, OSError, u3.HTTPError) as exc:  # e.g. a bad proxy-url
            raise ConfigError(
                f"cannot use the connection settings: {self.scrub(str(exc))}",
                hint="check the context's cluster in the kubeconfig",
            ) from None
        self._pool = self._api.rest_client.pool_manager  # TLS, client certificates, proxy
        _quiet(self._pool)
        self.server = str(configuration.host).rstrip("/")

    def __repr__(self) -> str:
        return f"_Transport(server={self.server!r})"

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
    ) -> _Response:
        import urllib3

        def failed(exc: BaseException) -> ClusterError:
            return self._no_answer(exc, f"{method} {path}", target, timeout)

        headers = {"Accept": "application/json", "User-Agent": self._user_agent}
        headers.update(self._auth(method, path, target))
        data = None
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
            data = json.dumps(body, separators=(",", ":")).encode()
        url = self.server + path + ("?" + urlencode(query, quote_via=quote) if query else "")
        limits = (
            urllib3.Timeout(connect=timeout[0], read=timeout[1])
            if isinstance(timeout, tuple)
            else urllib3.Timeout(total=timeout)
        )
        try:
            raw = self._pool.request(
                method, url, body=data, headers=headers, timeout=limits,
                preload_content=False, retries=False,
            )  # fmt: skip
        except _send_errors() as exc:
            raise failed(exc) from None
        return _Response(raw, failed)

    def _auth(self, method: str, path: str, target: str) -> dict[str, str]:
        """The Authorization header, refreshed as the configuration says (an exec plugin, a
        rotated service account token)."""
        try:
            auth = self._configuration.auth_settings().get("BearerToken")
        except _kube().config.ConfigException as exc:
            raise Unauthorized(
                f"{method} {path}: refreshing the credentials failed: {self.scrub(str(exc))}",
                object=target,
                hint="check the kubeconfig's user (its exec plugin or token file)",
            ) from None
        return {str(auth["key"]): str(auth["value"])} if auth and auth.get("value") else {}

    def scrub(self, text: str) -> str:
        c = self._configuration
        secrets = [str(v) for v in (c.api_key or {}).values() if v]
        secrets += [s.split(None, 1)[-1] for s in secrets]
        secrets += [str(getattr(c, k, "") or "") for k in ("password", "access_token")]
        return _redact(text, [s for s in secrets if s])

    def close(self) -> None:
        self._api.close()

    def _no_answer(
        self, exc: BaseException, request: str, target: str, timeout: Timeout
    ) -> ClusterError:
        import urllib3.exceptions as u3

        detail = self.scrub(_describe(exc))
        where = f"{request} to {self.server}"
        if any(marker in detail for marker in _TLS_TRUST):
            return Terminal(
                f"{where}: the server's certificate is not trusted ({detail})",
                reason="TLS",
                object=target,
                hint="check certificate-authority and tls-server-name in the kubeconfig",
            )
        if isinstance(exc, u3.NewConnectionError | ConnectionRefusedError):
            reason, what = CONNECTION_REFUSED, "cannot connect"
        elif isinstance(exc, u3.ConnectTimeoutError):
            reason, what = CONNECT_TIMEOUT, "no connection within the timeout"
        elif isinstance(exc, u3.ReadTimeoutError | TimeoutError | socket.timeout):
            seconds = timeout if isinstance(timeout, float | int) else timeout[1]
            reason, what = TIMEOUT, f"no answer within {seconds:g}s"
        else:
            reason, what = DROPPED, "the connection dropped"
        return Transient(f"{where}: {what} ({detail})", reason=reason, object=target)


def _send_errors() -> tuple[type[BaseException], ...]:
    import http.client

    import urllib3.exceptions as u3

    return (u3.HTTPError, OSError, http.client.HTTPException)


def _describe(exc: BaseException) -> str:
    """The innermost useful words of a urllib3 error (`MaxRetryError` wraps, `ProtocolError`
    holds the socket error as its second argument, `NewConnectionError` has it as its cause)."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException):
        return _describe(reason)
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if len(args) == 2 and isinstance(args[1], BaseException):
        return f"{args[0]} {_describe(args[1])}"
    for error in (exc, exc.__cause__):
        if isinstance(error, OSError) and error.strerror:
            return str(error.strerror)
    return f"{type(exc).__name__}: {exc}".replace("\n", " ")[:500]


class _Response:
    """A urllib3 answer, read as the `transport.Response` protocol says."""

    def __init__(self, raw: Any, failed: Callable[[BaseException], ClusterError]) -> None:
        self._raw = raw
        self._failed = failed
        self.status = int(raw.status)
        self.reason = str(raw.reason or "")
        self._lock = threading.Lock()
        self._closed = False  # by close()
        self._done = False  # the connection went back to the pool or was closed

    def header(self, name: str) -> str | None:
        value = self._raw.headers.get(name)
        return None if value is None else str(value)

    def read(self) -> bytes:
        try:
            data = bytes(self._raw.read())
        except _send_errors() as exc:
            self._finish(broken=True)
            raise self._failed(exc) from None
        self._finish(broken=False)
        return data

    def chunks(self) -> Iterator[bytes]:
        ended = False
        try:
            yield from self._raw.stream(_CHUNK)
            ended = True
        except _send_errors() as exc:
            if not self._closed:
                raise self._failed(exc) from None
        finally:  # the connection of a stream cut short is closed, not reused
            self._finish(broken=not ended or self._closed)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._done:
                return
            sock = getattr(getattr(self._raw, "connection", None), "sock", None)
            if sock is not None:
                # the plain socket's shutdown: it wakes a read blocked in another thread
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def _finish(self, *, broken: bool) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        if broken:
            self._raw.close()
        self._raw.release_conn()


def _quiet(pool_manager: Any) -> None:
    """Connections that never print: http.client's debuglevel (set by the kubernetes client's
    `debug`, or by anyone, process-wide) would print every request's Authorization header."""
    classes = pool_manager.pool_classes_by_scheme
    pool_manager.pool_classes_by_scheme = {s: _quiet_pool(c) for s, c in classes.items()}


@functools.cache
def _quiet_pool(pool: type) -> type:
    """`pool` (HTTP, HTTPS, or a SOCKS proxy's) with a connection class that is always quiet."""
    base: Any = pool.ConnectionCls  # type: ignore[attr-defined]
    never = property(lambda self: 0, lambda self, value: None)
    connection = type(base.__name__, (base,), {"debuglevel": never})  # same name in messages
    return type(pool.__name__, (pool,), {"ConnectionCls": connection})
