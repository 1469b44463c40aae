"""Fixtures of the end-to-end tests: the real kustomize, the Katib simulator, fresh namespaces
behind Katib's real webhooks, and team repositories."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_go
from tests.e2e.gitops import Api
from tests.e2e.workspace import Workspace
from tests.reconcile.conftest import wait_for
from tools.devcluster.harness import INJECTION_LABEL, WEBHOOK_SCOPE_LABEL


@pytest.fixture(scope="session")
def kustomize() -> Path:
    """The real kustomize binary (built once from tools/kustomize/go.mod)."""
    require_go()
    from tools.kustomize.build import kustomize_binary

    return kustomize_binary()


def _simulating(kubeconfig: Path) -> bool:
    """A simulator for this API server is already running, started by this process: the
    session-scoped one of tests/reconcile/conftest.py, when those tests ran first."""
    me, wanted = str(os.getpid()), str(kubeconfig).encode()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = stat.read_text().rsplit(")", 1)[1].split()[1]
            argv = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError):
            continue  # gone meanwhile
        if parent == me and b"compiler.simulator" in argv and wanted in argv:
            return True
    return False


@pytest.fixture(scope="module")
def simulator(apiserver: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The Katib simulator for every namespace, synthetic trials of 0.2 s (as in
    tests/reconcile/conftest.py), for one module at a time. Two simulators would both play
    Katib's controller on the same experiments (one trial too many, seen when tests/reconcile
    and these ran in one session): so when the session already has the one of
    tests/reconcile, that one serves, and ours stops before any later module's starts."""
    if _simulating(apiserver.kubeconfig):
        yield
        return
    work = tmp_path_factory.mktemp("e2e-simulator")
    ready = work / "ready"
    with (work / "simulator.log").open("wb") as log:
        argv = ["--kubeconfig", str(apiserver.kubeconfig), "--trial-seconds", "0.2"]
        argv += ["--state", str(work / "state"), "--ready-file", str(ready)]
        proc = subprocess.Popen(
            [sys.executable, "-m", "compiler.simulator", *argv],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for("the simulator", lambda: ready.exists() or proc.poll() is not None, 60)
            assert proc.poll() is None, (work / "simulator.log").read_text()
            yield
        finally:
            proc.terminate()
            proc.wait(20)


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
