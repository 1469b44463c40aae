"""The only importer of `kubernetes`: `KubeCluster`, the `Cluster` protocol over a real API
server (being written: connect, retries, list/watch, server-side apply, delete)."""

from __future__ import annotations

from typing import Any


def _client_module() -> Any:
    import kubernetes.client

    return kubernetes.client
