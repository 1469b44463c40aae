"""`make cluster` (`python -m tools.devcluster`) end to end: a cluster of its own with Katib's
webhooks on every labelled namespace, the namespaces generated/ targets, the simulator, the
kubeconfig at $KATIB_GITOPS_CLUSTER_DIR, and nothing left running after SIGTERM."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler.cluster.client import connect
from compiler.cluster.errors import Invalid
from compiler.cluster.kinds import EXPERIMENT, NAMESPACE
from tests.conftest import require_go
from tests.simulator.helpers import SPEC, compiled_repo, done, trials_of

pytestmark = pytest.mark.apiserver
ROOT = Path(__file__).resolve().parents[2]


def processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline and int(entry.name) != os.getpid():
            found.append(cmdline)
    return found


def test_make_cluster_runs_and_stops_cleanly(tmp_path: Path) -> None:
    require_go()
    repo, folder = tmp_path / "repo", tmp_path / "cluster"
    manifests = compiled_repo(
        repo, "team-a", {"tiny": SPEC.format(name="tiny", goal="", printed="accuracy=0.8")}
    )
    env = {**os.environ, "KATIB_GITOPS_CLUSTER_DIR": str(folder)}
    log = (tmp_path / "stderr.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tools.devcluster", "--repo", str(repo), "--trial-seconds", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        ready = ""
        deadline = time.monotonic() + 900  # a first build of the binaries takes minutes
        while "Ctrl-C stops the cluster" not in ready:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, (tmp_path / "stderr.log").read_text()
            ready += line
            assert time.monotonic() < deadline
        kubeconfig = folder / "kubeconfig"
        assert f"kubeconfig:  {kubeconfig}" in ready
        assert f"katib-gitops plan --kubeconfig {kubeconfig}" in ready
        assert "Katib cluster ready in " in ready
        assert stat.S_IMODE(kubeconfig.stat().st_mode) == 0o600
        with connect(kubeconfig=str(kubeconfig)) as kube:
            ns = kube.get(NAMESPACE, None, "team-a")
            assert ns is not None
            assert (
                ns["metadata"]["labels"]["katib.kubeflow.org/metrics-collector-injection"]
                == "enabled"
            )
            bad = {**manifests[0], "spec": {**manifests[0]["spec"], "maxTrialCount": 0}}
            with pytest.raises(Invalid, match="admission webhook"):
                kube.apply(bad)  # Katib's validating webhook guards the generated namespace
            kube.apply(manifests[0])
            name = manifests[0]["metadata"]["name"]
            done(kube, "team-a", name)
            trials = trials_of(kube, "team-a", name)
            assert len(trials) == 3
            assert {t["status"]["observation"]["metrics"][0]["latest"] for t in trials} == {"0.8"}
            assert kube.get(EXPERIMENT, "team-a", name) is not None
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    assert proc.returncode == 0, (tmp_path / "stderr.log").read_text()
    assert "SIGTERM: stopped" in (tmp_path / "stderr.log").read_text()
    assert processes_mentioning(str(folder)) == []  # etcd, kube-apiserver, webhook, simulator
