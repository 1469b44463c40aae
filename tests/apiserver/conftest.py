"""Fixtures: a real kube-apiserver (+ etcd) with Katib's CRDs, and Katib's own webhooks.

* ``apiserver`` (session): an :class:`apiserver_harness.ApiServer` with ``kubeconfig``,
  ``server``, ``token``, ``ca_file``, ``namespace`` (labelled for Katib) and ``timings``.
* ``katib_webhooks`` (session): Katib's ``/mutate-experiment`` and ``/validate-experiment``
  served from the Katib Go module and registered for ``katib_webhooks.namespace`` only.

Without Go the tests are skipped, unless ``KATIB_GITOPS_REQUIRE_GO=1``, which turns the skip
into a failure (for CI). Mark tests with ``pytest.mark.apiserver``.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import apiserver_harness as harness

_REPORT: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "apiserver: runs a real kube-apiserver built from Go modules (needs Go)"
    )


def pytest_terminal_summary(terminalreporter) -> None:
    if _REPORT:
        terminalreporter.section("kube-apiserver harness")
        for line in _REPORT:
            terminalreporter.write_line(line)


def _require_go() -> None:
    if shutil.which("go") is not None:
        return
    msg = (
        "Go is not installed (no `go` on PATH): the kube-apiserver tests need it to build "
        "kube-apiserver, etcd and Katib's webhooks from Go modules"
    )
    if os.environ.get("KATIB_GITOPS_REQUIRE_GO") == "1":
        pytest.fail(msg + " and KATIB_GITOPS_REQUIRE_GO=1", pytrace=False)
    pytest.skip(msg)


def _logger(config: pytest.Config):
    tr = config.pluginmanager.get_plugin("terminalreporter")

    def log(msg: str) -> None:
        if tr is not None:
            tr.write_line(f"[apiserver] {msg}")
        else:
            print(f"[apiserver] {msg}", file=sys.stderr, flush=True)

    return log


def _build(name: str, log) -> dict[str, Path]:
    t = time.monotonic()
    paths = harness.build(name, log=log)
    _REPORT.append(
        f"{name} binaries ready in {time.monotonic() - t:.1f}s "
        f"({', '.join(str(p) for p in paths.values())})"
    )
    return paths


@pytest.fixture(scope="session")
def apiserver_cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    _require_go()
    log = _logger(request.config)
    binaries = _build("build", log)
    cluster = harness.Cluster(
        tmp_path_factory.mktemp("apiserver"), binaries, harness.katib_module_dir(), log=log
    )
    api = cluster.start()
    t = api.timings
    _REPORT.append(
        f"fresh start {t['total']:.2f}s (etcd {t['etcd']:.2f}s, kube-apiserver "
        f"{t['kube-apiserver']:.2f}s, CRDs {t['crds']:.2f}s) at {api.server}"
    )
    try:
        yield cluster
    finally:
        t = time.monotonic()
        cluster.stop()
        _REPORT.append(f"stopped in {time.monotonic() - t:.2f}s")


@pytest.fixture(scope="session")
def apiserver(apiserver_cluster: harness.Cluster) -> harness.ApiServer:
    assert apiserver_cluster.api is not None
    return apiserver_cluster.api


@pytest.fixture(scope="session")
def katib_webhooks(
    request: pytest.FixtureRequest, apiserver_cluster: harness.Cluster
) -> harness.KatibWebhooks:
    binary = _build("webhook", _logger(request.config))["katib-webhook"]
    hooks = apiserver_cluster.start_katib_webhooks(binary)
    _REPORT.append(
        f"Katib webhooks up in {hooks.startup_seconds:.2f}s at {hooks.url} "
        f"(namespace {hooks.namespace})"
    )
    return hooks
