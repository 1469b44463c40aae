"""What the cluster room needs of a Kubernetes API server: the `Cluster` protocol.

`compiler.cluster.client.KubeCluster` implements it over the official client (the only
importer of `kubernetes`); unit tests may fake this protocol, and nothing else (design,
"Testing"). Objects are plain JSON dicts, as the server sends them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from compiler.cluster.kinds import Kind

FIELD_MANAGER = "katib-gitops"  # the one field manager of every apply (server-side apply)

EventType = Literal["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]
PatchType = Literal["merge", "json", "strategic"]


@dataclass(frozen=True)
class Listing:
    items: tuple[dict[str, Any], ...]
    resource_version: str  # the list's, to start a watch from


@dataclass(frozen=True)
class WatchEvent:
    type: EventType
    object: dict[str, Any]

    @property
    def resource_version(self) -> str:
        return str((self.object.get("metadata") or {}).get("resourceVersion", ""))


class Cluster(Protocol):
    """One API server, as one identity. Every call retries transient errors itself (with
    backoff and jitter, honouring Retry-After) and raises `compiler.cluster.errors` otherwise."""

    def list(
        self,
        kind: Kind,
        namespace: str | None = None,
        *,
        label_selector: str = "",
        field_selector: str = "",
    ) -> Listing:
        """Every object (pages followed); `namespace=None` lists across namespaces."""
        ...

    def get(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any] | None:
        """The object, or None when it does not exist (a missing CRD raises NotFound)."""
        ...

    def watch(
        self,
        kind: Kind,
        namespace: str | None,
        resource_version: str,
        *,
        label_selector: str = "",
        timeout_seconds: int = 300,
    ) -> Iterator[WatchEvent]:
        """Events after `resource_version`, bookmarks included (allowWatchBookmarks), until the
        server ends the watch. Raises Expired on 410 Gone (an ERROR event or the response)."""
        ...

    def apply(
        self, obj: Mapping[str, Any], *, dry_run: bool = False, force: bool = False
    ) -> dict[str, Any]:
        """Server-side apply with FIELD_MANAGER; `dry_run` asks the server (dryRun=All), so
        admission webhooks judge it."""
        ...

    def create(self, obj: Mapping[str, Any], *, dry_run: bool = False) -> dict[str, Any]: ...

    def replace_status(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """PUT the status subresource; the object's resourceVersion guards it (Conflict)."""
        ...

    def patch(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        patch: Any,
        *,
        patch_type: PatchType = "merge",
        subresource: str = "",
    ) -> dict[str, Any]: ...

    def delete(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        *,
        uid: str = "",
        dry_run: bool = False,
    ) -> bool:
        """Delete (background propagation), only if the uid still matches when given
        (a precondition: Conflict otherwise). False when it was already gone."""
        ...
