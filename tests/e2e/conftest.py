"""Fixtures of the end-to-end tests: the real kustomize, the Katib simulator, fresh namespaces
behind Katib's real webhooks, and team repositories."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_go
from tests.e2e.gitops import Api
from tests.e2e.workspace import Workspace
from tests.reconcile.conftest import simulating
from tools.devcluster.harness import INJECTION_LABEL, WEBHOOK_SCOPE_LABEL


@pytest.fixture(scope="session")
def kustomize() -> Path:
    """The real kustomize binary (built once from tools/kustomize/go.mod)."""
    require_go()
    from tools.kustomize.build import kustomize_binary

    return kustomize_binary()


@pytest.fixture(scope="package")
def simulator(apiserver: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The Katib simulator while this folder's tests run (one at a time: two would both play
    Katib's controller on the same experiments)."""
    with simulating(apiserver.kubeconfig, tmp_path_factory.mktemp("e2e-simulator")) as log:
        yield log


@pytest.fixture
def api(apiserver: Any) -> Api:
    return Api(apiserver)


@pytest.fixture
def webhook_namespace(apiserver: Any, katib_webhooks: Any) -> Callable[[str], str]:
    """A fresh namespace labelled for Katib (reference §0.5) and selected by the webhooks the
    harness registers (the namespaceSelector of `katib_webhooks`), so that every create and
    update of an Experiment there goes through Katib's real mutating and validating webhooks.
    Fresh, so that `--prune` sees no other test's experiments."""

    def make(prefix: str) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        labels = {INJECTION_LABEL: "enabled", WEBHOOK_SCOPE_LABEL: "enabled"}
        apiserver.rest().create(
            "/api/v1/namespaces",
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}},
        )
        return name

    return make


@pytest.fixture
def workspace(
    apiserver: Any, webhook_namespace: Callable[[str], str], tmp_path: Path
) -> Callable[[str], Workspace]:
    """Team repositories, each with its own namespace behind Katib's webhooks."""

    def make(prefix: str) -> Workspace:
        namespace = webhook_namespace(prefix)
        return Workspace(tmp_path / namespace, namespace, apiserver.kubeconfig)

    return make
