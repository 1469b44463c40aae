"""`katib-gitops reconcile --watch` on an API server whose watches go to etcd (no watch cache):
etcd compacts the history, every connection is cut, and the informers' watches meet 410 Gone
and list again; the loop keeps applying and reporting, and /healthz, /readyz and /metrics
answer throughout."""

from __future__ import annotations

import base64
import contextlib
import json
import signal
import ssl
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.cluster.client import connect
from compiler.cluster.errors import NotFound
from compiler.cluster.kinds import CONFIGMAP, EXPERIMENT
from tests.conftest import require_go
from tests.reconcile.conftest import (
    PROJECT,
    GitDaemon,
    Relay,
    Repo,
    audit,
    command,
    git,
    new_namespace,
    remote_results,
    simulating,
    wait_for,
)
from tools.devcluster import harness

pytestmark = pytest.mark.apiserver


@pytest.fixture(scope="module")
def etcd_watched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.ApiServer]:
    """An API server of this module's own whose watches go to etcd (--watch-cache=false), so
    that a watch from a compacted resourceVersion meets 410 Gone."""
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
        except ssl.SSLError:  # the serving certificate read while being written (loaded machine)
            if attempt == 2:
                raise
    try:
        yield api
    finally:
        cluster.stop()


def compact(api: harness.ApiServer) -> int:
    """Compact etcd up to its current revision (its v3 JSON gateway); that revision."""

    def call(path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            api.etcd_url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return dict(json.loads(answer.read()))

    key = base64.b64encode(b"/registry/").decode()
    revision = int(call("/v3/kv/range", {"key": key, "limit": 1})["header"]["revision"])
    call("/v3/kv/compaction", {"revision": revision, "physical": True})
    return revision


def scrape(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()
    except urllib.error.URLError:  # not listening (yet)
        return 0, ""


def metrics(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """/metrics, read by Prometheus' own parser: (sample name, labels) → value."""
    from prometheus_client.parser import text_string_to_metric_families

    status, text = scrape(port, "/metrics")
    assert status == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def total(samples: dict[tuple[str, Any], float], name: str, **labels: str) -> float:
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))


def reported(repo: Repo, name: str, trials: int = 3) -> bool:
    """The remote has `name`'s report with every trial succeeded."""
    try:
        report = remote_results(repo).get(f"reports/{repo.namespace}/{name}/results.json")
    except AssertionError:  # the remote has no main yet
        return False
    states = [t["state"] for t in (report or {}).get("trials", [])]
    return states == ["Succeeded"] * trials


def test_the_loop_survives_410_gone_and_serves_health_and_metrics(
    etcd_watched: harness.ApiServer, tmp_path: Path
) -> None:
    with simulating(etcd_watched.kubeconfig, tmp_path / "simulator"):
        repo = Repo(tmp_path / "git", new_namespace(etcd_watched), etcd_watched.kubeconfig)
        repo.spec("one")
        repo.push("add one")
        relay = Relay(etcd_watched.server, etcd_watched.kubeconfig, tmp_path)
        daemon = GitDaemon(repo)
        daemon.start()
        git(repo.clone, "remote", "set-url", "origin", daemon.url)
        port = harness.free_port()
        log = (tmp_path / "reconcile.log").open("w")
        proc = subprocess.Popen(
            command(
                "reconcile", "--watch", "--push", "--repo", str(repo.clone),
                "--kubeconfig", str(relay.kubeconfig), "--listen", f"127.0.0.1:{port}",
                "--fetch-interval", "1", "--commit-interval", "1", "--resync", "30",
            ),
            cwd=PROJECT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for("one's report on the remote", lambda: reported(repo, "one"), 90)
            assert scrape(port, "/healthz")[0] == 200
            status, body = scrape(port, "/readyz")
            assert status == 200 and body.startswith("ok: revision "), body
            before = metrics(port)
            lists = total(before, "katib_gitops_api_requests_total", verb="list", code="200")
            assert lists == 3  # the informers' first LISTs; passes read their caches

            def requested(verb: str) -> float:
                return total(metrics(port), "katib_gitops_api_requests_total", verb=verb)

            # a cut alone: each informer watches again from where it was, and lists nothing
            watches = requested("watch")
            relay.cut()
            wait_for("the informers to watch again", lambda: requested("watch") >= watches + 3)
            assert requested("list") == lists

            # history the informers have not seen (ConfigMaps are not watched), compacted
            # away; then every connection is cut: each informer watches again from its last
            # resourceVersion, meets 410 Gone, and lists again
            direct = connect(str(etcd_watched.kubeconfig))
            for i in range(3):
                direct.create(
                    {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": {"name": f"bump-{i}", "namespace": repo.namespace},
                    }
                )
            assert direct.get(CONFIGMAP, repo.namespace, "bump-2") is not None
            compacted = compact(etcd_watched)
            cut = relay.cut()
            wait_for("the informers to list again", lambda: requested("list") >= lists + 3, 60)
            relists = requested("list") - lists

            # the loop goes on: a spec pushed now is applied, run and reported
            repo.spec("two")
            repo.push("add two")
            wait_for("two's report on the remote", lambda: reported(repo, "two"), 90)
            assert reported(repo, "one")

            # the git server goes away; someone deletes one in the cluster: the loop runs it
            # again (Git still wants it), cannot push its report, goes on, and pushes it once
            # the server is back
            daemon.stop()
            old_uid = _uid(repo, "one")
            live = next(i for i in direct.list(EXPERIMENT, repo.namespace).items
                        if i["metadata"]["uid"] == old_uid)  # fmt: skip
            direct.delete(EXPERIMENT, repo.namespace, live["metadata"]["name"], uid=old_uid)
            logged = tmp_path / "reconcile.log"
            wait_for("a failed push", lambda: "push failed" in logged.read_text(), 60)
            assert proc.poll() is None, logged.read_text()
            daemon.start()
            wait_for(
                "one's new run reported on the remote",
                lambda: reported(repo, "one") and _uid(repo, "one") not in ("", old_uid),
                60,
            )
            after = metrics(port)
            assert scrape(port, "/healthz")[0] == 200
            assert scrape(port, "/readyz")[0] == 200
            passes = total(after, "katib_gitops_passes_total", result="ok")
            assert passes > total(before, "katib_gitops_passes_total", result="ok") > 0
            assert total(after, "katib_gitops_passes_total", result="error") == 0
            requests = total(after, "katib_gitops_api_requests_total")
            assert requests > total(before, "katib_gitops_api_requests_total")
            assert total(after, "katib_gitops_api_requests_total", verb="apply") >= 2
            assert total(after, "katib_gitops_pushes_total", result="error") >= 1  # the outage
            assert total(after, "katib_gitops_errors_total", kind="GitError") >= 1
            commits = total(after, "katib_gitops_commits_total")
            ours = audit(repo).ours
            assert 0 < commits <= ours

            proc.send_signal(signal.SIGTERM)
            assert proc.wait(30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
            relay.close()
            daemon.stop()
        output = (tmp_path / "reconcile.log").read_text()
        assert "Traceback" not in output, output
    history = audit(repo)
    assert history.merges == history.empty == history.duplicates == history.outside == []
    print(
        f"\n[watch] etcd compacted at revision {compacted}, {cut} connections cut, "
        f"{relists:.0f} LISTs after (410 Gone); {passes:.0f} passes ok, {requests:.0f} API "
        f"requests, {commits:.0f} commits counted, {history.ours} of ours on the remote"
    )


def _uid(repo: Repo, name: str) -> str:
    """The uid of the run `name`'s report on the remote is of."""
    report = remote_results(repo).get(f"reports/{repo.namespace}/{name}/results.json") or {}
    return str((report.get("object") or {}).get("uid", ""))


def test_the_loop_stops_with_a_clear_error_when_katib_goes_away(
    etcd_watched: harness.ApiServer, tmp_path: Path
) -> None:
    """Katib's Experiment CRD deleted under a running loop (last in this module: the cluster
    has no Experiments after it): the informer cannot watch any more, and the loop stops with
    the error instead of reporting from a cache that no longer follows the cluster."""
    repo = Repo(tmp_path / "git", new_namespace(etcd_watched), etcd_watched.kubeconfig)
    repo.spec("solo")
    repo.push("add solo")
    port = harness.free_port()
    proc = subprocess.Popen(
        command(
            "reconcile", "--watch", "--repo", str(repo.clone),
            "--kubeconfig", str(etcd_watched.kubeconfig), "--listen", f"127.0.0.1:{port}",
        ),
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for("the first pass", lambda: scrape(port, "/readyz")[0] == 200, 60)
        crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
        etcd_watched.rest().request("DELETE", f"{crds}/experiments.kubeflow.org")
        # the CRD goes once its objects have: no Katib runs here to remove its finalizers
        direct = connect(str(etcd_watched.kubeconfig))
        with contextlib.suppress(NotFound):  # gone meanwhile (the objects, or the CRD)
            for exp in direct.list(EXPERIMENT).items:
                meta, unset = exp["metadata"], {"metadata": {"finalizers": None}}
                with contextlib.suppress(NotFound):
                    direct.patch(EXPERIMENT, meta["namespace"], meta["name"], unset)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 3, err
    assert "Traceback" not in err, err
    assert "watching experiments failed" in err
    assert "katib-gitops: Experiment: " in err and "hint: " in err, err
