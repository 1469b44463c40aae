"""Faults between the client and the real kube-apiserver, injected by `faultproxy`: a seeded
schedule of 5xx, 429 with Retry-After, timeouts and dropped connections, through which every
operation must still end correctly; an informer whose watch streams are cut; and credentials
kept out of the errors that faults cause."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from compiler.cluster.client import KubeCluster, connect
from compiler.cluster.errors import Conflict, Invalid, Transient, Unreachable
from compiler.cluster.informer import Informer
from compiler.cluster.kinds import CONFIGMAP, EXPERIMENT
from compiler.cluster.retry import Retry
from tests.cluster.conftest import (
    RUN_LABEL,
    assert_no_secret,
    configmap,
    experiment,
    fast_retry,
    louder,
    unique,
)
from tests.cluster.faultproxy import FAULTS, FaultProxy, no_faults, script, seeded
from tests.cluster.test_informer import Running, versions, wait_for
from tools.devcluster import harness

pytestmark = pytest.mark.apiserver

TIMEOUT = 0.5  # seconds: the client's; the proxy holds a "timeout" longer


@pytest.fixture()
def proxy(apiserver: harness.ApiServer, tmp_path: Path) -> Iterator[FaultProxy]:
    with FaultProxy(apiserver, tmp_path / "proxy", hold=TIMEOUT + 0.3, seed=7) as running:
        yield running


class Log:
    """What the client did, in order: each request's answer and each wait it asked for."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, float]] = []

    def request(self, verb: str, code: int) -> None:
        self.entries.append(("request", verb, code))

    def sleep(self, seconds: float) -> None:  # the Retry's sleep: recorded, not slept
        self.entries.append(("sleep", "", seconds))

    def count(self, kind: str) -> int:
        return sum(1 for e in self.entries if e[0] == kind)


def through(proxy: FaultProxy, log: Log, attempts: int = 10) -> KubeCluster:
    retry = Retry(attempts=attempts, base=0.01, cap=4.0, sleep=log.sleep, rng=random.Random(7))
    return connect(str(proxy.kubeconfig), timeout=TIMEOUT, retry=retry, on_request=log.request)


class Workload:
    """A seeded series of operations, each checked against a model of what the cluster holds."""

    def __init__(self, cluster: KubeCluster, direct: KubeCluster, namespace: str, seed: int):
        self.cluster, self.direct, self.ns = cluster, direct, namespace
        self.rng = random.Random(seed)
        self.run = unique("run")
        self.model: dict[str, dict[str, str]] = {}  # ConfigMap name -> data
        self.done: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self.stream_drops = 0
        self.conflicts = 0
        self.bad_requests: list[int] = []  # indexes in the log of the 400 answers

    def step(self, i: int, log: Log) -> None:
        ops = ["create", "apply", "get", "get-missing", "list", "patch", "delete", "status"]
        ops += ["watch", "bad"]
        op = self.rng.choice(ops if self.model else ["create"])
        t = time.perf_counter()
        getattr(self, "op_" + op.replace("-", "_"))(i, log)
        self.done[op] += 1
        self.seconds[op] += time.perf_counter() - t

    def pick(self) -> str:
        return self.rng.choice(sorted(self.model))

    def op_create(self, i: int, log: Log) -> None:
        made = self.cluster.create(configmap(f"cm-{i}", self.ns, {"c": str(i)}, self.run))
        assert made["data"] == {"c": str(i)}
        self.model[f"cm-{i}"] = {"c": str(i)}

    def op_apply(self, i: int, log: Log) -> None:
        name = self.pick() if self.rng.random() < 0.7 else f"cm-{i}"
        applied = self.cluster.apply(configmap(name, self.ns, {"v": str(i)}, self.run))
        self.model.setdefault(name, {})["v"] = str(i)
        assert applied["data"] == self.model[name]

    def op_get(self, i: int, log: Log) -> None:
        name = self.pick()
        got = self.cluster.get(CONFIGMAP, self.ns, name)
        assert got is not None
        assert got["data"] == self.model[name]

    def op_get_missing(self, i: int, log: Log) -> None:
        assert self.cluster.get(CONFIGMAP, self.ns, f"never-{i}") is None

    def op_list(self, i: int, log: Log) -> None:
        listing = self.cluster.list(CONFIGMAP, self.ns, label_selector=f"{RUN_LABEL}={self.run}")
        assert {o["metadata"]["name"]: o["data"] for o in listing.items} == self.model

    def op_patch(self, i: int, log: Log) -> None:
        name = self.pick()
        patched = self.cluster.patch(CONFIGMAP, self.ns, name, {"data": {"p": str(i)}})
        self.model[name]["p"] = str(i)
        assert patched["data"] == self.model[name]

    def op_delete(self, i: int, log: Log) -> None:
        name = self.pick()
        live = self.cluster.get(CONFIGMAP, self.ns, name)
        assert live is not None
        assert self.cluster.delete(CONFIGMAP, self.ns, name, uid=live["metadata"]["uid"])
        del self.model[name]

    def op_status(self, i: int, log: Log) -> None:
        """replace_status the way a caller must: on Conflict, read again and retry."""
        name = f"exp-{i % 3}"
        self.cluster.apply(experiment(name, self.ns))
        for _ in range(10):
            live = self.cluster.get(EXPERIMENT, self.ns, name)
            assert live is not None
            live["status"] = {"trials": i}
            try:
                self.cluster.replace_status(live)
                break
            except Conflict:  # a lost answer's PUT went through, or a stale read
                self.conflicts += 1
        got = self.cluster.get(EXPERIMENT, self.ns, name)
        assert got is not None
        assert got["status"] == {"trials": i}

    def op_watch(self, i: int, log: Log) -> None:
        """Watch (through the proxy) for two changes made directly once the watch is open; a
        cut stream is watched again from the last resourceVersion seen, as an informer does."""
        name = self.pick()
        version = self.cluster.list(CONFIGMAP, self.ns).resource_version
        stream = self.cluster.watch(CONFIGMAP, self.ns, version, timeout_seconds=3)
        for key in ("n", "w"):  # two events: a cut may fall between them
            self.direct.patch(CONFIGMAP, self.ns, name, {"data": {key: str(i)}})
            self.model[name][key] = str(i)
        for _ in range(20):
            try:
                try:
                    for event in stream:
                        version = event.resource_version or version
                        data = event.object.get("data") or {}
                        if event.object["metadata"].get("name") == name and data.get("w") == str(i):
                            return
                finally:
                    stream.close()
            except Transient:
                self.stream_drops += 1
            stream = self.cluster.watch(CONFIGMAP, self.ns, version, timeout_seconds=3)
        pytest.fail(f"the change to {name} never came through the watch")

    def op_bad(self, i: int, log: Log) -> None:
        with pytest.raises(Invalid) as err:
            self.cluster.list(CONFIGMAP, self.ns, label_selector="a in (")
        assert err.value.status == 400
        assert log.entries[-1] == ("request", "list", 400)
        self.bad_requests.append(len(log.entries) - 1)


def test_seeded_faults_every_operation_ends_correctly(
    proxy: FaultProxy, kube: KubeCluster, namespace: str, capsys: pytest.CaptureFixture[str]
):
    proxy.schedule = seeded(7, rate=0.3, watch_faults=(*FAULTS, "drop-stream", "drop-stream"))
    log = Log()
    cluster = through(proxy, log)
    work = Workload(cluster, kube, namespace, seed=7)
    operations = 300
    for i in range(operations):
        work.step(i, log)

    # what the cluster holds, read without the proxy, is what the operations said
    final = kube.list(CONFIGMAP, namespace, label_selector=f"{RUN_LABEL}={work.run}")
    assert {o["metadata"]["name"]: o["data"] for o in final.items} == work.model

    injected = Counter(i.fault for i in proxy.injected)
    assert set(injected) == set(FAULTS), injected
    # every 429 and 503 was followed by a wait at least as long as its Retry-After
    waits = [
        (code, log.entries[n + 1])
        for n, (kind, _, code) in enumerate(log.entries)
        if kind == "request" and code in (429, 503)
    ]
    asked = [i.retry_after for i in proxy.injected if i.fault in ("429", "503")]
    assert len(waits) == len(asked)
    for (_, (kind, _, seconds)), retry_after in zip(waits, asked, strict=True):
        assert kind == "sleep"
        assert retry_after is not None
        assert seconds >= retry_after
    # a 400 is never retried: no wait, no second request for it
    assert work.bad_requests
    for n in work.bad_requests:
        assert n + 1 == len(log.entries) or log.entries[n + 1][0] != "sleep"
    assert cluster.requests == log.count("request") >= proxy.requests

    seconds = {k: round(v, 1) for k, v in sorted(work.seconds.items())}
    with capsys.disabled():
        print(
            f"\n[faults] seed 7: {operations} operations ({dict(sorted(work.done.items()))}), "
            f"{cluster.requests} requests, {sum(injected.values())} faults "
            f"({dict(sorted(injected.items()))}), {log.count('sleep')} retries, "
            f"{work.stream_drops} watch streams cut, {work.conflicts} status conflicts re-read; "
            f"seconds by operation {seconds}"
        )


def test_a_400_is_sent_once(proxy: FaultProxy, namespace: str):
    proxy.schedule = no_faults
    log = Log()
    cluster = through(proxy, log)
    with pytest.raises(Invalid):
        cluster.list(CONFIGMAP, namespace, label_selector="a in (")
    with pytest.raises(Invalid):
        cluster.create(configmap("Bad_Name", namespace, {}))
    assert log.entries == [("request", "list", 400), ("request", "create", 422)]


def test_create_whose_answer_was_lost_returns_the_object(proxy: FaultProxy, namespace: str):
    """The first POST reaches the server and its answer is dropped; the retry meets
    AlreadyExists and reads the object back."""
    proxy.schedule = script(["drop"])
    log = Log()
    cluster = through(proxy, log)
    made = cluster.create(configmap("lost", namespace, {"a": "1"}))
    assert made["data"] == {"a": "1"}
    assert [e[1:] for e in log.entries if e[0] == "request"] == [
        ("create", 0),
        ("create", 409),
        ("get", 200),
    ]


def test_delete_whose_answer_was_lost_is_true(proxy: FaultProxy, kube: KubeCluster, namespace):
    live = kube.create(configmap("lost-delete", namespace, {}))
    proxy.schedule = script(["drop"])
    log = Log()
    cluster = through(proxy, log)
    assert cluster.delete(CONFIGMAP, namespace, "lost-delete", uid=live["metadata"]["uid"])
    assert [e[2] for e in log.entries if e[0] == "request"] == [0, 404]


def test_non_idempotent_requests_are_not_retried_after_a_lost_answer(
    proxy: FaultProxy, kube: KubeCluster, namespace: str
):
    kube.create(configmap("once", namespace, {}))
    proxy.schedule = script(["drop", "503"])
    log = Log()
    cluster = through(proxy, log)
    with pytest.raises(Transient) as err:
        cluster.delete(CONFIGMAP, namespace, "once")  # no uid: a retry could hit a successor
    assert err.value.reason == "ConnectionDropped"
    ops = [{"op": "add", "path": "/data/x", "value": "1"}]
    with pytest.raises(Transient) as err:
        cluster.patch(CONFIGMAP, namespace, "never-mind", ops, patch_type="json")
    assert err.value.status == 503
    assert log.count("request") == 2
    proxy.schedule = script(["429"])  # 429: the server did nothing, so any verb retries
    kube.create(configmap("again", namespace, {}))
    assert cluster.delete(CONFIGMAP, namespace, "again") is True


def test_timeouts_then_unreachable(proxy: FaultProxy, namespace: str):
    proxy.schedule = script(["timeout"] * 3)
    log = Log()
    cluster = through(proxy, log, attempts=3)
    with pytest.raises(Unreachable) as err:
        cluster.get(CONFIGMAP, namespace, "x")
    assert "no answer after 3 attempts" in str(err.value)
    assert f"no answer within {TIMEOUT:g}s" in str(err.value)
    assert err.value.hint.startswith("is the cluster running?")
    assert err.value.exit_code == 3


def test_informer_through_cut_streams_matches_a_fresh_list(
    proxy: FaultProxy, kube: KubeCluster, namespace: str, capsys: pytest.CaptureFixture[str]
):
    proxy.schedule = seeded(
        11, rate=0.8, faults=("503", "timeout", "drop"), only=lambda m, p, watch: watch,
        watch_faults=("drop-stream", "drop-stream", "drop-stream", "503", "timeout", "drop"),
    )  # fmt: skip
    cluster = connect(str(proxy.kubeconfig), timeout=TIMEOUT, retry=fast_retry(10))
    run = unique("run")
    selector = f"{RUN_LABEL}={run}"
    informer = Informer(
        cluster, CONFIGMAP, namespace, label_selector=selector, timeout_seconds=2,
        retry=Retry(base=0.01, cap=0.1),
    )  # fmt: skip
    rng = random.Random(11)
    live: dict[str, str] = {}  # name -> uid
    with Running(informer):
        for i in range(80):
            if live and rng.random() < 0.25:
                name = rng.choice(sorted(live))
                kube.delete(CONFIGMAP, namespace, name, uid=live.pop(name))
            elif live and rng.random() < 0.5:
                kube.patch(CONFIGMAP, namespace, rng.choice(sorted(live)), {"data": {"i": str(i)}})
            else:
                made = kube.create(configmap(f"cm-{i}", namespace, {"i": str(i)}, run))
                live[f"cm-{i}"] = made["metadata"]["uid"]
            threading.Event().wait(0.05)  # spread the writes over several streams

        def converged() -> bool:
            fresh = kube.list(CONFIGMAP, namespace, label_selector=selector)
            return versions(informer.items()) == versions(fresh.items)

        wait_for(converged, "the informer's cache to equal a fresh LIST")
    assert sorted(versions(informer.items())) == sorted(live)
    assert "drop-stream" in proxy.kinds()
    assert informer.watches > 1
    with capsys.disabled():
        injected = dict(sorted(Counter(i.fault for i in proxy.injected).items()))
        print(
            f"\n[faults] informer: 80 writes, {informer.watches} watches, "
            f"{informer.relists} relists, faults {injected}; cache equals a fresh LIST"
        )


# -- credentials under faults ---------------------------------------------------------------


@pytest.mark.parametrize("fault", ["500", "drop"])
def test_faults_name_no_token(
    fault: str,
    proxy: FaultProxy,
    apiserver: harness.ApiServer,
    loud: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
):
    proxy.schedule = script([fault] * 2)
    cluster = connect(str(proxy.kubeconfig), timeout=TIMEOUT, retry=fast_retry(2))
    louder(loud)
    with pytest.raises((Transient, Unreachable)) as err:
        cluster.list(EXPERIMENT, apiserver.namespace)
    expected = Transient if fault == "500" else Unreachable
    assert type(err.value) is expected
    out = capsys.readouterr()
    assert_no_secret(apiserver.token, err.value, loud.text, out.out, out.err, repr(cluster))
    assert "retrying" in loud.text  # the retry was logged, without the token
