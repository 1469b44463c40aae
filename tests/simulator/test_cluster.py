"""The simulator against the real kube-apiserver (and Katib's own webhooks): experiments applied
with server-side apply run to completion by Katib's rules, decode against Katib's Go types with
nothing dropped, run `local:` commands for real, and can be deleted or given more budget."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.cluster.client import KubeCluster, connect
from compiler.cluster.kinds import EXPERIMENT
from compiler.kubetypes import roundtrip_json
from compiler.simulator.context import Options
from compiler.simulator.controller import Simulator
from compiler.simulator.status import trial_state
from compiler.simulator.trials import EXPERIMENT_TYPE, TRIAL_TYPE
from tests.simulator.builders import experiment
from tests.simulator.helpers import SPEC, compiled_repo, done, last_condition, trials_of, wait_for
from tools.devcluster import harness

pytestmark = pytest.mark.apiserver
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def kube(apiserver: harness.ApiServer) -> Iterator[KubeCluster]:
    with connect(kubeconfig=str(apiserver.kubeconfig)) as cluster:
        yield cluster


@pytest.fixture
def namespace(apiserver: harness.ApiServer) -> str:
    """A namespace of the test's own, labelled for Katib: the simulator watches only it."""
    name = f"sim-{uuid.uuid4().hex[:8]}"
    apiserver.rest().create(
        "/api/v1/namespaces",
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": {harness.INJECTION_LABEL: "enabled"}},
        },
    )
    return name


@contextlib.contextmanager
def simulating(kube: KubeCluster, namespace: str, **options: Any) -> Iterator[list[str]]:
    lines: list[str] = []
    settings = {"trial_seconds": 0.2, "seed": 1, "namespaces": (namespace,), **options}
    sim = Simulator(kube, Options(**settings), lines.append)
    sim.start()
    try:
        yield lines
    finally:
        sim.stop()


def nothing_dropped(obj: dict[str, Any], go_type: str) -> None:
    result = roundtrip_json(obj, go_type)
    assert not result.errors, result.errors
    assert not result.unknown, result.unknown


def test_an_applied_experiment_runs_to_succeeded(kube: KubeCluster, namespace: str) -> None:
    with simulating(kube, namespace):
        kube.apply(experiment("ssa", namespace, max_trials=6, parallel=2))
        done(kube, namespace, "ssa")
    exp = kube.get(EXPERIMENT, namespace, "ssa")
    assert exp is not None
    trials = trials_of(kube, namespace, "ssa")
    assert len(trials) == 6 and all(trial_state(t) == "Succeeded" for t in trials)
    status = exp["status"]
    assert (status["trials"], status["trialsSucceeded"]) == (6, 6)
    assert exp["metadata"]["finalizers"] == ["update-prometheus-metrics"]
    assert status["currentOptimalTrial"]["bestTrialName"] in status["succeededTrialList"]
    nothing_dropped(exp, EXPERIMENT_TYPE)
    for t in trials:
        nothing_dropped(t, TRIAL_TYPE)
        assert t["metadata"]["ownerReferences"][0]["uid"] == exp["metadata"]["uid"]
        assert t["spec"]["runSpec"]["metadata"]["name"] == t["metadata"]["name"]
        assert t["status"]["completionTime"] and t["status"]["observation"]["metrics"]


def test_behind_katibs_own_webhooks(
    kube: KubeCluster, katib_webhooks: harness.KatibWebhooks
) -> None:
    """Katib's validating webhook judges the simulator's own updates (finalizer, status) too."""
    ns, run = katib_webhooks.namespace, uuid.uuid4().hex[:8]
    name = f"hooked-{run}"
    with simulating(kube, ns, selector=f"sim-run={run}"):
        kube.apply(experiment(name, ns, max_trials=3, parallel=3, labels={"sim-run": run}))
        done(kube, ns, name)
    exp = kube.get(EXPERIMENT, ns, name)
    assert exp is not None
    nothing_dropped(exp, EXPERIMENT_TYPE)
    trials = trials_of(kube, ns, name)
    assert len(trials) == 3
    for t in trials:
        nothing_dropped(t, TRIAL_TYPE)
        assert t["metadata"]["labels"]["sim-run"] == run  # the experiment's labels, copied


def test_a_local_command_really_runs(kube: KubeCluster, namespace: str, tmp_path: Path) -> None:
    manifests = compiled_repo(
        tmp_path,
        namespace,
        {
            "good": SPEC.format(name="good", goal="", printed="accuracy=0.9"),
            "silent": SPEC.format(name="silent", goal="", printed="no metrics here"),
        },
    )
    state = tmp_path / "state"
    with simulating(kube, namespace, repo=tmp_path, state_dir=state) as lines:
        for m in manifests:
            kube.apply(m)
        names = {
            m["metadata"]["labels"]["katib-gitops.dev/experiment"]: m["metadata"]["name"]
            for m in manifests
        }
        done(kube, namespace, names["good"])
        wait_for(
            "silent fails",
            lambda: (
                last_condition(kube, namespace, names["silent"]) == ("Failed", "ExperimentFailed")
            ),
        )
    good = trials_of(kube, namespace, names["good"])
    assert len(good) == 3
    for t in good:
        metric = t["status"]["observation"]["metrics"][0]
        assert (metric["name"], metric["latest"]) == ("accuracy", "0.9")  # printed, collected
        nothing_dropped(t, TRIAL_TYPE)
    assert any((state / namespace / names["good"] / "logs").glob("*.log"))
    silent = trials_of(kube, namespace, names["silent"])
    assert {trial_state(t) for t in silent} == {"MetricsUnavailable"}
    reasons = {t["status"]["conditions"][-1]["reason"] for t in silent}
    assert reasons == {"MetricsUnavailable. Job reason: CompletionsReached"}
    assert sum("trials run the spec's local command" in line for line in lines) == 2


def test_deleting_a_running_experiment_completes(kube: KubeCluster, namespace: str) -> None:
    with simulating(kube, namespace, trial_seconds=60):
        kube.apply(experiment("doomed", namespace, max_trials=6, parallel=3))
        wait_for(
            "3 running",
            lambda: (
                sum(trial_state(t) == "Running" for t in trials_of(kube, namespace, "doomed")) == 3
            ),
        )
        running = trials_of(kube, namespace, "doomed")
        # Go's zero metav1.Time marshals as null, and the API server keeps it (§1.1)
        assert all(t["status"]["completionTime"] is None for t in running)
        exp = kube.get(EXPERIMENT, namespace, "doomed")
        assert exp is not None and exp["status"]["completionTime"] is None
        nothing_dropped(exp, EXPERIMENT_TYPE)
        kube.delete(EXPERIMENT, namespace, "doomed")
        wait_for("experiment gone", lambda: kube.get(EXPERIMENT, namespace, "doomed") is None)
        wait_for("trials gone", lambda: not trials_of(kube, namespace, "doomed"))


def test_a_budget_raise_continues_a_long_running_experiment(
    kube: KubeCluster, namespace: str
) -> None:
    with simulating(kube, namespace):
        manifest = experiment("more", namespace, max_trials=2, parallel=2, resume="LongRunning")
        kube.apply(manifest)
        done(kube, namespace, "more")
        manifest["spec"]["maxTrialCount"] = 4
        kube.apply(manifest)  # the in-place edit a GitOps tool makes
        wait_for("4 trials", lambda: len(trials_of(kube, namespace, "more")) == 4)
        wait_for(
            "done again",
            lambda: (
                (kube.get(EXPERIMENT, namespace, "more") or {})
                .get("status", {})
                .get("trialsSucceeded")
                == 4
            ),
        )
        done(kube, namespace, "more")
    exp = kube.get(EXPERIMENT, namespace, "more")
    assert exp is not None
    types = [c["type"] for c in exp["status"]["conditions"]]
    assert types == ["Created", "Restarting", "Running", "Succeeded"]


def snapshot(kube: KubeCluster, ns: str, name: str) -> list[tuple[Any, ...]]:
    return [
        (
            t["metadata"]["name"],
            t["spec"]["parameterAssignments"],
            t["status"]["observation"]["metrics"],
        )
        for t in sorted(trials_of(kube, ns, name), key=lambda t: t["metadata"]["name"])
    ]


def test_the_same_seed_gives_the_same_trials(kube: KubeCluster, namespace: str) -> None:
    runs = []
    for _ in range(2):
        with simulating(kube, namespace, seed=5):
            kube.apply(experiment("again", namespace, max_trials=4, parallel=2))
            done(kube, namespace, "again")
            runs.append(snapshot(kube, namespace, "again"))
            kube.delete(EXPERIMENT, namespace, "again")
            wait_for("gone", lambda: kube.get(EXPERIMENT, namespace, "again") is None)
            wait_for("trials gone", lambda: not trials_of(kube, namespace, "again"))
    assert runs[0] == runs[1]
    assert len(runs[0]) == 4


def test_the_command_line_runs_until_sigterm(
    apiserver: harness.ApiServer, kube: KubeCluster, namespace: str, tmp_path: Path
) -> None:
    ready = tmp_path / "ready"
    argv = [
        sys.executable,
        "-m",
        "compiler.simulator",
        "--kubeconfig",
        str(apiserver.kubeconfig),
        "--namespace",
        namespace,
        "--trial-seconds",
        "0.1",
        "--ready-file",
        str(ready),
        "--state",
        str(tmp_path / "state"),
    ]
    proc = subprocess.Popen(
        argv, cwd=ROOT, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        wait_for("ready", ready.exists, timeout=60)
        kube.apply(experiment("cli", namespace, max_trials=3, parallel=3))
        done(kube, namespace, "cli")
        os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0
    assert f"Experiment/{namespace}/cli: Succeeded: ExperimentMaxTrialsReached" in err
    assert err.rstrip().endswith("katib-simulator: stopped")
