"""The API server's answers, read (pure): an HTTP status and its `Status` body become one of
`compiler.cluster.errors`, naming the object and keeping the server's own message (for an
admission webhook's denial, Katib's words: reference §3.1, §3.2)."""

from __future__ import annotations

import json
from typing import Any

from compiler.cluster.errors import (
    ClusterError,
    Conflict,
    Expired,
    Forbidden,
    Invalid,
    NotFound,
    Terminal,
    Transient,
    Unauthorized,
)
from compiler.cluster.kinds import KATIB_CRDS, Kind

MAX_MESSAGE = 4000  # characters of a server message kept in an error

_UNAUTHORIZED_HINT = (
    "the API server refused the credentials: refresh the token, or check --kubeconfig and --context"
)
_WEBHOOK_HINT = "run `katib-gitops admit` on the manifest to see Katib's verdict with its fix"


def target(kind: Kind, namespace: str | None, name: str = "") -> str:
    """How errors name what a request was about: Experiment/ns/name, or Experiment/ns for a
    list or a watch (Experiment for every namespace)."""
    if name:
        return kind.ref(namespace, name)
    return f"{kind.kind}/{namespace}" if kind.namespaced and namespace else kind.kind


def status_body(body: bytes) -> dict[str, Any]:
    """The `Status` object of an error answer, or {} when the body is not one (a proxy's or a
    plain-text "404 page not found")."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) and data.get("kind") == "Status" else {}


def is_missing_object(st: dict[str, Any], kind: Kind, name: str) -> bool:
    """A 404 about the object itself (it does not exist), not about its resource type."""
    details = st.get("details") or {}
    return bool(name) and details.get("name") == name and details.get("kind") == kind.plural


def error_for(
    status: int,
    body: bytes,
    kind: Kind,
    namespace: str | None,
    name: str = "",
    *,
    retry_after: float | None = None,
    http_reason: str = "",
) -> ClusterError:
    """The error an answer with HTTP `status` (>= 400) stands for."""
    st = status_body(body)
    message = _message(st, body, status, http_reason)
    where = target(kind, namespace, name)
    reason = str(st.get("reason") or "")
    honoured = None
    if status in (429, 503):  # Retry-After counts only where HTTP gives it a meaning
        seconds = (st.get("details") or {}).get("retryAfterSeconds")
        honoured = retry_after if retry_after is not None else _seconds(seconds)
    common: dict[str, Any] = {"status": status, "reason": reason, "object": where}
    if status == 401:
        return Unauthorized(message, hint=_UNAUTHORIZED_HINT, **common)
    if status == 403:
        return Forbidden(message, hint=_forbidden_hint(message, kind), **common)
    if status == 404:
        if not st:  # no Status: the path itself is unknown, so is the resource type
            message = f"the API server does not serve {kind.api_version} {kind.plural} ({message})"
        return NotFound(message, hint=_not_found_hint(st, kind, namespace, name), **common)
    if status == 409:
        return Conflict(message, **common)
    if status == 410:
        return Expired(
            message, hint="list again, then watch from the new resourceVersion", **common
        )
    if status in (400, 422):
        hint = _WEBHOOK_HINT if "admission webhook" in message else ""
        return Invalid(message, hint=hint, **common)
    if status == 429 or status >= 500:
        return Transient(message, retry_after=honoured, **common)
    return Terminal(message, **common)


def _seconds(value: object) -> float | None:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _message(st: dict[str, Any], body: bytes, status: int, http_reason: str) -> str:
    text = str(st.get("message") or "")
    if not text:
        text = body.decode("utf-8", "replace").strip() if body else ""
    if not text:
        text = f"HTTP {status} {http_reason}".strip()
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " [...]"


def _forbidden_hint(message: str, kind: Kind) -> str:
    if "admission webhook" in message:
        return _WEBHOOK_HINT
    return (
        f"the identity lacks RBAC permission on {kind.plural}"
        + (f".{kind.group}" if kind.group else "")
        + ": check the Role and RoleBinding (or use another --context)"
    )


def _not_found_hint(st: dict[str, Any], kind: Kind, namespace: str | None, name: str) -> str:
    details = st.get("details") or {}
    if details.get("kind") == "namespaces" and details.get("name") == namespace:
        return f"create the namespace {namespace} first"
    if is_missing_object(st, kind, name):
        return ""
    crd = f"{kind.plural}.{kind.group}"
    if crd in KATIB_CRDS:
        return f"the cluster does not serve {crd}: install Katib's CRDs (reference §0.1)"
    if kind.group:
        return f"the cluster does not serve {crd}: is its CustomResourceDefinition installed?"
    return f"the cluster does not serve {kind.api_version} {kind.plural}"
