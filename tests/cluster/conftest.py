"""Fixtures of the cluster room's client tests: a `KubeCluster` on the real kube-apiserver
(the session's `apiserver`), a namespace of each test's own, and the objects the tests write."""

from __future__ import annotations

import http.client
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from compiler.cluster.client import KubeCluster, connect
from compiler.cluster.retry import Retry
from tools.devcluster import harness

RUN_LABEL = "katib-gitops.test/run"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def configmap(name: str, namespace: str, data: dict[str, str], run: str = "") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(name, namespace, run),
        "data": data,
    }


def _meta(name: str, namespace: str, run: str) -> dict[str, Any]:
    """No `labels: {}` when there are none: server-side apply records an empty map as a field
    it owns, the stored object drops it, and every re-apply then bumps the resourceVersion."""
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if run:
        meta["labels"] = {RUN_LABEL: run}
    return meta


def experiment(name: str, namespace: str, max_trials: int = 6, run: str = "") -> dict[str, Any]:
    """A small Experiment that Katib's webhooks accept (reference §3.2)."""
    return {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": _meta(name, namespace, run),
        "spec": {
            "objective": {"type": "maximize", "goal": 0.9, "objectiveMetricName": "accuracy"},
            "algorithm": {"algorithmName": "random"},
            "parallelTrialCount": 2,
            "maxTrialCount": max_trials,
            "maxFailedTrialCount": 1,
            "parameters": [
                {
                    "name": "lr",
                    "parameterType": "double",
                    "feasibleSpace": {"min": "0.001", "max": "0.1"},
                }
            ],
            "trialTemplate": {
                "primaryContainerName": "train",
                "trialParameters": [{"name": "learningRate", "reference": "lr"}],
                "trialSpec": {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "spec": {
                        "template": {
                            "spec": {
                                "restartPolicy": "Never",
                                "containers": [
                                    {
                                        "name": "train",
                                        "image": "busybox:1.36",
                                        "command": ["echo", "${trialParameters.learningRate}"],
                                    }
                                ],
                            }
                        }
                    },
                },
            },
        },
    }


class FakeSleep:
    """Records the waits a `Retry` asks for, and waits for none of them."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def fast_retry(attempts: int = 3, sleep: FakeSleep | None = None) -> Retry:
    return Retry(attempts=attempts, base=0.001, cap=0.01, sleep=sleep or FakeSleep())


@pytest.fixture(scope="session")
def kube(apiserver: harness.ApiServer) -> Iterator[KubeCluster]:
    cluster = connect(str(apiserver.kubeconfig))
    yield cluster
    cluster.close()


@pytest.fixture()
def namespace(kube: KubeCluster) -> str:
    """A namespace of the test's own (no namespace controller runs, so it is never removed;
    that is fine in a throwaway cluster)."""
    name = unique("client")
    kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    return name


def names(items: Any) -> list[str]:
    return sorted(i["metadata"]["name"] for i in items)


def assert_no_secret(secret: str, err: BaseException, *texts: str) -> None:
    chain: list[BaseException] = []
    e: BaseException | None = err
    while e is not None and e not in chain:
        chain.append(e)
        e = e.__cause__ or e.__context__
    for e in chain:
        for text in (str(e), repr(e), getattr(e, "hint", ""), str(e.args)):
            assert secret not in text
    for text in texts:
        assert secret not in text


def louder(caplog: pytest.LogCaptureFixture) -> None:
    """Every logger at DEBUG (again after `connect()`: some kubernetes client versions set the
    urllib3 logger's level when a Configuration is made)."""
    caplog.set_level(logging.DEBUG)
    for name in ("urllib3", "client", "kubernetes", "compiler"):
        caplog.set_level(logging.DEBUG, logger=name)


@pytest.fixture()
def loud(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch):
    """Every logger at DEBUG, and http.client's debug printing switched on process-wide (as
    the kubernetes client's `Configuration.debug = True` does)."""
    louder(caplog)
    monkeypatch.setattr(http.client.HTTPConnection, "debuglevel", 1)
    return caplog
