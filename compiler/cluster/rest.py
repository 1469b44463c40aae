"""`KubeCluster`: the `Cluster` protocol as raw REST calls over a `Transport` (the official
client's connection, made by `compiler.cluster.client`). Objects stay plain JSON dicts; every
call retries by `Retry`, and each verb says what may be retried:

* idempotent calls (get, list, watch start, apply, replace_status, merge and strategic patches,
  delete with a uid precondition) retry 409, 429, 5xx, timeouts and dropped connections;
* create retries too, and a retry that meets AlreadyExists after an answer was lost reads the
  object back (the lost attempt made it);
* the rest (a json patch, a delete without a uid) retries only what surely did not reach the
  server: a refused connection or a 429;
* replace_status and delete never retry a 409 (a stale resourceVersion, a uid that no longer
  matches): the caller must read again; nor does apply retry a field-manager conflict.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from compiler.cluster.api import FIELD_MANAGER, Cluster, Listing, PatchType
from compiler.cluster.apistatus import error_for, is_missing_object, status_body, target
from compiler.cluster.errors import ClusterError, Conflict, Expired, Transient
from compiler.cluster.kinds import Kind, kind_of
from compiler.cluster.retry import Retry, parse_retry_after
from compiler.cluster.transport import NOT_SENT, Response, Timeout, Transport
from compiler.cluster.watch import WatchStream

log = logging.getLogger("compiler.cluster")

APPLY = "application/apply-patch+yaml"
PATCH_TYPES = {
    "merge": "application/merge-patch+json",
    "json": "application/json-patch+json",
    "strategic": "application/strategic-merge-patch+json",
}


@dataclass
class _Call:
    verb: str  # the Kubernetes verb, for on_request: get, list, watch, create, apply, ...
    method: str
    kind: Kind
    namespace: str | None
    name: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    body: Any = None
    content_type: str = ""
    idempotent: bool = True
    retry_conflict: bool = True
    absent_ok: bool = False  # an object-404 answers None instead of raising
    maybe_done: bool = False  # an earlier attempt may have reached the server and acted

    @property
    def target(self) -> str:
        return target(self.kind, self.namespace, self.name)


class KubeCluster:
    """One API server as one identity (see `compiler.cluster.client.connect`)."""

    def __init__(
        self,
        transport: Transport,
        *,
        namespace: str = "default",
        context: str = "",
        timeout: float = 30.0,
        retry: Retry | None = None,
        on_request: Callable[[str, int], None] | None = None,
    ) -> None:
        self.transport = transport
        self.server = transport.server
        self.namespace = namespace  # the context's, for objects that name none
        self.context = context
        self.timeout = timeout
        self.retry = retry or Retry()
        self._on_request = on_request
        self._lock = threading.Lock()
        self._requests = 0

    def __repr__(self) -> str:
        return f"KubeCluster(server={self.server!r}, context={self.context!r})"

    def __enter__(self) -> KubeCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    @property
    def requests(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self._requests

    # -- reads --------------------------------------------------------------------------------

    def list(
        self,
        kind: Kind,
        namespace: str | None = None,
        *,
        label_selector: str = "",
        field_selector: str = "",
        chunk_size: int = 0,
    ) -> Listing:
        """One request for the whole list, unless `chunk_size` asks for pages of that size."""
        query = _selectors(label_selector, field_selector)
        path = kind.path(_seg(namespace))
        if not chunk_size:
            return _listing(
                self._must(_Call("list", "GET", kind, namespace, "", path, query)), kind
            )
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            page = [*query, ("limit", str(chunk_size))] + ([("continue", token)] if token else [])
            try:
                data = self._must(_Call("list", "GET", kind, namespace, "", path, page))
            except Expired:  # the continue token outlived a compaction: one unpaged list
                unpaged = _Call("list", "GET", kind, namespace, "", path, query)
                return _listing(self._must(unpaged), kind)
            listing = _listing(data, kind)
            items += listing.items
            token = str((data.get("metadata") or {}).get("continue") or "")
            if not token:
                return Listing(tuple(items), listing.resource_version)

    def get(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any] | None:
        path = kind.path(_seg(namespace), _seg(name))
        call = _Call("get", "GET", kind, namespace, name, path, absent_ok=True)
        return self._json(call)

    def watch(
        self,
        kind: Kind,
        namespace: str | None,
        resource_version: str,
        *,
        label_selector: str = "",
        timeout_seconds: int = 300,
    ) -> WatchStream:
        query = [("watch", "true"), ("allowWatchBookmarks", "true")]
        query += [("timeoutSeconds", str(timeout_seconds)), *_selectors(label_selector, "")]
        if resource_version:
            query.append(("resourceVersion", resource_version))
        call = _Call("watch", "GET", kind, namespace, "", kind.path(_seg(namespace)), query)
        # the server ends the watch after timeout_seconds; a read waits that long and more
        response = self._open(call, (self.timeout, timeout_seconds + self.timeout))
        return WatchStream(response, kind, namespace)

    # -- writes -------------------------------------------------------------------------------

    def apply(
        self, obj: Mapping[str, Any], *, dry_run: bool = False, force: bool = False
    ) -> dict[str, Any]:
        kind, namespace, name = self._where(obj)
        query = [("fieldManager", FIELD_MANAGER)] + [("force", "true")] * force + _dry(dry_run)
        path = kind.path(_seg(namespace), _seg(name))
        call = _Call("apply", "PATCH", kind, namespace, name, path, query, dict(obj), APPLY)
        return self._must(call)

    def create(self, obj: Mapping[str, Any], *, dry_run: bool = False) -> dict[str, Any]:
        kind, namespace, name = self._where(obj)
        path = kind.path(_seg(namespace))
        call = _Call("create", "POST", kind, namespace, name, path, _dry(dry_run), dict(obj))
        call.retry_conflict = False
        try:
            return self._must(call)
        except Conflict as err:
            if err.reason != "AlreadyExists" or not call.maybe_done or dry_run:
                raise
            made = self.get(kind, namespace, name)  # the attempt whose answer was lost made it
            if made is None:
                raise
            return made

    def replace_status(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        kind, namespace, name = self._where(obj)
        if not (obj.get("metadata") or {}).get("resourceVersion"):
            raise ValueError(f"replace_status of {kind.ref(namespace, name)}: no resourceVersion")
        path = kind.path(_seg(namespace), _seg(name), "status")
        call = _Call("update", "PUT", kind, namespace, name, path, body=dict(obj))
        call.retry_conflict = False
        return self._must(call)

    def patch(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        patch: Any,
        *,
        patch_type: PatchType = "merge",
        subresource: str = "",
    ) -> dict[str, Any]:
        if patch_type == "json" and not isinstance(patch, list):
            raise ValueError("a json patch is a list of operations")
        path = kind.path(_seg(namespace), _seg(name), subresource)
        call = _Call("patch", "PATCH", kind, namespace, name, path, [], patch)
        call.content_type = PATCH_TYPES[patch_type]
        call.idempotent = call.retry_conflict = patch_type != "json"
        return self._must(call)

    def delete(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        *,
        uid: str = "",
        dry_run: bool = False,
    ) -> bool:
        options: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "DeleteOptions",
            "propagationPolicy": "Background",
        }
        if uid:
            options["preconditions"] = {"uid": uid}
        if dry_run:
            options["dryRun"] = ["All"]
        path = kind.path(_seg(namespace), _seg(name))
        call = _Call("delete", "DELETE", kind, namespace, name, path, [], options, absent_ok=True)
        call.idempotent, call.retry_conflict = bool(uid), False
        if self._json(call) is None:
            return call.maybe_done  # gone: by an earlier attempt of ours, or before this call
        return True

    # -- requests -----------------------------------------------------------------------------

    def _where(self, obj: Mapping[str, Any]) -> tuple[Kind, str | None, str]:
        kind = kind_of(dict(obj))
        meta = obj.get("metadata") or {}
        name = str(meta.get("name") or "")
        if not name:
            raise ValueError(f"a {kind.kind} without metadata.name")
        namespace = str(meta.get("namespace") or self.namespace) if kind.namespaced else None
        return kind, namespace, name

    def _must(self, call: _Call) -> dict[str, Any]:
        result = self._json(call)
        assert result is not None  # absent_ok is off
        return result

    def _json(self, call: _Call) -> dict[str, Any] | None:
        def attempt(_: int) -> dict[str, Any] | None:
            response = self._attempt(call, self.timeout)
            return None if response is None else _decode(response.read(), call)

        return self.retry.run(attempt, lambda err: self._retryable(call, err))

    def _open(self, call: _Call, timeout: Timeout) -> Response:
        def attempt(_: int) -> Response:
            response = self._attempt(call, timeout)
            assert response is not None  # absent_ok is off
            return response

        return self.retry.run(attempt, lambda err: self._retryable(call, err))

    def _attempt(self, call: _Call, timeout: Timeout) -> Response | None:
        """One request: the answer (2xx), None for an object-404 when allowed, or an error."""
        try:
            response = self.transport.send(
                call.method,
                call.path,
                query=call.query,
                body=call.body,
                content_type=call.content_type,
                timeout=timeout,
                target=call.target,
            )
        except ClusterError as err:
            self._count(call.verb, 0)
            call.maybe_done = call.maybe_done or err.reason not in NOT_SENT
            raise
        self._count(call.verb, response.status)
        if response.status < 400:
            return response
        body = self.transport.scrub(response.read().decode("utf-8", "replace")).encode()
        missing = response.status == 404 and call.absent_ok
        if missing and is_missing_object(status_body(body), call.kind, call.name):
            return None
        call.maybe_done = call.maybe_done or response.status >= 500
        retry_after = parse_retry_after(response.header("Retry-After"), self.retry.wallclock())
        raise error_for(
            response.status, body, call.kind, call.namespace, call.name,
            retry_after=retry_after, http_reason=response.reason,
        )  # fmt: skip

    def _retryable(self, call: _Call, err: ClusterError) -> bool:
        if isinstance(err, Conflict):
            ok = call.retry_conflict and not err.message.startswith("Apply failed with")
        elif not err.retryable:
            ok = False
        else:
            ok = call.idempotent or err.reason in NOT_SENT or err.status == 429
        if ok:
            log.debug("%s %s: %s; retrying", call.verb, call.target, err.message)
        return ok

    def _count(self, verb: str, status: int) -> None:
        with self._lock:
            self._requests += 1
        if self._on_request is not None:
            self._on_request(verb, status)


def _seg(value: str | None) -> str | None:
    """A name as one path segment (names never hold '/', but a typo must not reach elsewhere)."""
    return quote(value, safe="") if value else value


def _selectors(label_selector: str, field_selector: str) -> list[tuple[str, str]]:
    query = [("labelSelector", label_selector)] if label_selector else []
    return query + ([("fieldSelector", field_selector)] if field_selector else [])


def _dry(dry_run: bool) -> list[tuple[str, str]]:
    return [("dryRun", "All")] if dry_run else []


def _decode(body: bytes, call: _Call) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Transient("the answer is not JSON", object=call.target) from None
    if not isinstance(data, dict):
        raise Transient("the answer is not a JSON object", object=call.target)
    return data


def _listing(data: dict[str, Any], kind: Kind) -> Listing:
    items = data.get("items") or []
    for item in items:  # a list's items of built-in kinds carry no apiVersion and kind
        item.setdefault("apiVersion", kind.api_version)
        item.setdefault("kind", kind.kind)
    return Listing(tuple(items), str((data.get("metadata") or {}).get("resourceVersion", "")))


if TYPE_CHECKING:

    def _implements(cluster: KubeCluster) -> Cluster:
        return cluster  # mypy checks that KubeCluster is a Cluster
