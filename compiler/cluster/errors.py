"""Cluster errors, told apart where they are raised (design: "two error classes").

    ClusterError                   exit 3; names the object (Experiment/ns/name) when there is one
    ├── Transient                  back off and retry: 409, 429, 5xx, timeouts, dropped connections
    │   └── Conflict               409: a stale resourceVersion, AlreadyExists while the old
    │                              object is still being deleted, an apply conflict
    ├── Terminal                   say why and stop; a human must act
    │   ├── Unauthorized           401
    │   ├── Forbidden              403 (RBAC), or Katib's webhook saying Forbidden
    │   ├── NotFound               404 (a missing object, or a missing CRD)
    │   └── Invalid                400 / 422: the request was refused, e.g. by Katib's webhook
    ├── Expired                    410 Gone on a watch: relist
    └── Unreachable                no answer after the retries: the server is down or away
    ConfigError                    exit 2: no kubeconfig, an unreadable one, an unknown context

Messages never carry a token or a credential: the client redacts them before raising.
"""

from __future__ import annotations

from compiler.errors import KatibGitopsError


class ClusterError(KatibGitopsError):
    exit_code = 3
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        reason: str = "",
        object: str = "",
        hint: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{object}: {message}" if object else message)
        self.message = message
        self.status = status
        self.reason = reason
        self.object = object
        self.hint = hint
        self.retry_after = retry_after


class Transient(ClusterError):
    retryable = True


class Conflict(Transient):
    pass


class Terminal(ClusterError):
    pass


class Unauthorized(Terminal):
    pass


class Forbidden(Terminal):
    pass


class NotFound(Terminal):
    pass


class Invalid(Terminal):
    pass


class Expired(ClusterError):
    """410 Gone: the resourceVersion a watch asked for is compacted away; relist."""


class Unreachable(ClusterError):
    """No answer (connection refused, timeouts) after every retry."""


class ConfigError(KatibGitopsError):
    """No usable connection settings: exit 2, like any unreadable input."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint
