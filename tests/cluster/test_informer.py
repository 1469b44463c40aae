"""`Informer` against the real kube-apiserver: list, watch, stop, and a relist after etcd
compacted away the version it was watching from (a second API server with
`--watch-cache=false`, so that watches go to etcd and meet the compaction)."""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from compiler.cluster.api import WatchEvent
from compiler.cluster.client import KubeCluster, connect
from compiler.cluster.errors import Expired
from compiler.cluster.informer import Informer
from compiler.cluster.kinds import CONFIGMAP
from compiler.cluster.retry import Retry
from tests.cluster.conftest import RUN_LABEL, configmap, unique
from tests.conftest import require_go
from tools.devcluster import harness

pytestmark = pytest.mark.apiserver


def versions(items: Any) -> dict[str, str]:
    """name -> resourceVersion: what a cache must agree on with a fresh LIST."""
    return {i["metadata"]["name"]: i["metadata"]["resourceVersion"] for i in items}


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll until `check()` holds (a bound on waiting, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {timeout:.0f}s")
        time.sleep(0.05)


class Running:
    """An informer's run() in a thread, with the events it gave."""

    def __init__(self, informer: Informer) -> None:
        self.informer = informer
        self.events: list[WatchEvent] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=informer.run, args=(self.stop, self.events.append))

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(15)
        assert not self.thread.is_alive(), "run() did not return after stop was set"


def test_list_then_follow(kube: KubeCluster, namespace: str):
    run = unique("run")
    for i in range(3):
        kube.create(configmap(f"a-{i}", namespace, {"i": str(i)}, run))
    informer = Informer(kube, CONFIGMAP, namespace, label_selector=f"{RUN_LABEL}={run}")
    listing = informer.list()
    assert informer.resource_version == listing.resource_version
    assert [i["metadata"]["name"] for i in informer.items()] == ["a-0", "a-1", "a-2"]
    listed = informer.generation
    assert listed >= 1
    with Running(informer) as running:
        kube.create(configmap("a-3", namespace, {}, run))
        kube.patch(CONFIGMAP, namespace, "a-0", {"data": {"i": "changed"}})
        gone = kube.get(CONFIGMAP, namespace, "a-1")
        assert gone is not None
        kube.delete(CONFIGMAP, namespace, "a-1", uid=gone["metadata"]["uid"])
        kube.create(configmap("not-ours", namespace, {}))  # another label: not in the cache
        wait_for(lambda: informer.generation == listed + 3, "three changes")
        fresh = kube.list(CONFIGMAP, namespace, label_selector=f"{RUN_LABEL}={run}")
        assert versions(informer.items()) == versions(fresh.items)
        assert informer.get(namespace, "a-0")["data"] == {"i": "changed"}  # type: ignore[index]
        assert informer.get(namespace, "a-1") is None
        assert informer.get(namespace, "not-ours") is None
    kinds = [(e.type, e.object["metadata"]["name"]) for e in running.events]
    assert kinds == [("ADDED", "a-3"), ("MODIFIED", "a-0"), ("DELETED", "a-1")]
    assert informer.relists == 0
    assert informer.watches == 1


def test_run_lists_first_and_gives_added_events(kube: KubeCluster, namespace: str):
    kube.create(configmap("first", namespace, {}))
    informer = Informer(kube, CONFIGMAP, namespace)
    with Running(informer) as running:
        wait_for(lambda: informer.watches == 1, "the watch")
    assert [(e.type, e.object["metadata"]["name"]) for e in running.events] == [("ADDED", "first")]


@pytest.mark.parametrize("how", ["stop()", "the event"])
def test_stops_promptly_with_a_quiet_watch_open(kube: KubeCluster, namespace: str, how: str):
    """A watch of 300 s with nothing happening: stopping cuts it, it does not wait it out."""
    informer = Informer(kube, CONFIGMAP, namespace, timeout_seconds=300)
    stop = threading.Event()
    thread = threading.Thread(target=informer.run, args=(stop,))
    thread.start()
    wait_for(lambda: informer.watches == 1, "the watch")
    time.sleep(0.2)  # the request is out; the stream is idle
    if how == "stop()":
        informer.stop()
    else:
        stop.set()
    thread.join(15)  # a bound, far below the watch's 300 s
    assert not thread.is_alive()
    assert stop.is_set()


def test_a_terminal_error_ends_run(kube: KubeCluster, namespace: str):
    from compiler.cluster.errors import NotFound
    from compiler.cluster.kinds import Kind

    informer = Informer(kube, Kind("nothere.example.com", "v1", "NotHere", "notheres"), namespace)
    with pytest.raises(NotFound):
        informer.run(threading.Event())


# -- expiry: etcd compacts, the watch gets 410, the informer lists again -------------------------


@pytest.fixture(scope="module")
def etcd_watched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.ApiServer]:
    """A second API server whose watches go to etcd (no watch cache)."""
    require_go()
    binaries = harness.build("build")
    for attempt in range(3):
        cluster = harness.Cluster(
            tmp_path_factory.mktemp("watch-cache-off"),
            binaries,
            harness.katib_module_dir(),
            log=lambda _: None,
            apiserver_args=["--watch-cache=false"],
        )
        try:
            api = cluster.start()
            break
        except ssl.SSLError:
            # harness.Cluster reads the serving certificate as soon as the file exists, and
            # kube-apiserver may not have written it yet (seen on a loaded machine)
            if attempt == 2:
                raise
    try:
        yield api
    finally:
        cluster.stop()


def etcd(url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return dict(json.loads(answer.read()))


def compact(api: harness.ApiServer) -> int:
    """Compact etcd up to its current revision, through its v3 JSON gateway."""
    key = base64.b64encode(b"/registry/").decode()
    revision = etcd(api.etcd_url, "/v3/kv/range", {"key": key, "limit": 1})["header"]["revision"]
    etcd(api.etcd_url, "/v3/kv/compaction", {"revision": revision, "physical": True})
    return int(revision)


@pytest.fixture()
def old(etcd_watched: harness.ApiServer) -> Iterator[KubeCluster]:
    cluster = connect(str(etcd_watched.kubeconfig))
    yield cluster
    cluster.close()


def test_watch_from_a_compacted_version_is_expired(
    old: KubeCluster, etcd_watched: harness.ApiServer
):
    ns = unique("expiry")
    old.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    start = old.list(CONFIGMAP, ns).resource_version
    for i in range(3):
        old.create(configmap(f"c-{i}", ns, {}))
    assert compact(etcd_watched) > int(start)
    with pytest.raises(Expired) as err:
        list(old.watch(CONFIGMAP, ns, start, timeout_seconds=5))
    assert err.value.status == 410
    assert err.value.object == f"ConfigMap/{ns}"


def test_informer_relists_once_after_expiry(old: KubeCluster, etcd_watched: harness.ApiServer):
    ns, run = unique("relist"), unique("run")
    old.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    for name in ("keep", "change", "remove"):
        old.create(configmap(name, ns, {"v": "1"}, run))
    informer = Informer(
        old,
        CONFIGMAP,
        ns,
        label_selector=f"{RUN_LABEL}={run}",
        timeout_seconds=5,
        retry=Retry(base=0.01, cap=0.1),
    )
    informer.list()
    generation = informer.generation
    # changes the informer does not watch, then the history it would need is compacted away
    old.patch(CONFIGMAP, ns, "change", {"data": {"v": "2"}})
    removed = informer.get(ns, "remove")
    assert removed is not None
    old.delete(CONFIGMAP, ns, "remove", uid=removed["metadata"]["uid"])
    old.create(configmap("new", ns, {"v": "1"}, run))
    compact(etcd_watched)

    with Running(informer) as running:
        wait_for(lambda: informer.relists == 1, "the relist")
        fresh = old.list(CONFIGMAP, ns, label_selector=f"{RUN_LABEL}={run}")
        wait_for(lambda: versions(informer.items()) == versions(fresh.items), "the cache")
        wait_for(lambda: informer.watches >= 1, "a watch after the relist")
    assert informer.relists == 1
    synthetic = sorted((e.type, e.object["metadata"]["name"]) for e in running.events)
    assert synthetic == [("ADDED", "new"), ("DELETED", "remove"), ("MODIFIED", "change")]
    assert informer.generation == generation + 3
    assert sorted(versions(informer.items())) == ["change", "keep", "new"]
