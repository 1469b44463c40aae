"""`katib-gitops reconcile --once --push` through a seeded fault-injecting proxy (5xx, 429 with
Retry-After, client timeouts, dropped connections) in front of the real kube-apiserver: every
pass succeeds or fails with a clear, retryable error (exit 3); passes rerun until they succeed
converge to the reports and the cluster a fault-free run gives."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.cluster.client import connect
from compiler.cluster.kinds import EXPERIMENT, TRIAL
from tests.cluster.faultproxy import FAULTS, FaultProxy, seeded
from tests.reconcile.conftest import (
    Ran,
    Repo,
    assert_clear_error,
    assert_same,
    audit,
    clean_observation,
    current,
    remote_results,
    run_cli,
    wait_for,
)
from tools.devcluster import harness

pytestmark = pytest.mark.apiserver

SEED = 20240611
RATE = 0.4
REQUEST_TIMEOUT = 1.5  # seconds per request (--request-timeout); retries stop after 3 s
HOLD = REQUEST_TIMEOUT + 0.4  # a "timeout" fault holds the request longer than the client waits
RUNS = 12  # passes at most per stage before the test gives up
GONE = "Its spec was removed from Git."
KINDS = ("500", "502", "503", "429", "timeout", "drop")  # every fault a plain request can meet


@pytest.fixture()
def proxy(apiserver: harness.ApiServer, tmp_path: Path) -> Iterator[FaultProxy]:
    with FaultProxy(apiserver, tmp_path / "proxy", hold=HOLD, seed=SEED) as running:
        running.schedule = seeded(SEED, rate=RATE, faults=FAULTS)
        yield running


class Passes:
    """Runs reconcile through the proxy until a pass succeeds; what every run said."""

    def __init__(self, repo: Repo, proxy: FaultProxy) -> None:
        self.repo, self.proxy = repo, proxy
        self.runs: list[Ran] = []

    def converge(self, *extra: str) -> Ran:
        for _ in range(RUNS):
            ran = run_cli(
                "reconcile", "--once", "--push", "--repo", str(self.repo.clone),
                "--kubeconfig", str(self.proxy.kubeconfig),
                "--request-timeout", str(REQUEST_TIMEOUT), *extra,
            )  # fmt: skip
            self.runs.append(ran)
            if ran.code == 0:
                return ran
            # a fault outlived the retries: said clearly, retryable, exit 3 (cluster failure)
            assert_clear_error(ran, 3, "hint: ")
            assert any(
                word in ran.err
                for word in ("no answer", "injected", "Bad Gateway", "Too Many", "InternalError")
            ), str(ran)
        raise AssertionError(f"no pass succeeded in {RUNS} runs:\n{self.runs[-1]}")

    def failed(self) -> int:
        return sum(1 for r in self.runs if r.code != 0)


def experiments(repo: Repo) -> dict[str, dict[str, Any]]:
    items = connect(str(repo.kubeconfig)).list(EXPERIMENT, repo.namespace).items
    return {i["metadata"]["name"]: i for i in items}


def done(repo: Repo) -> bool:
    """Every experiment of the namespace finished, with all its trials."""
    exps = experiments(repo)
    return bool(exps) and all(
        any(
            c.get("type") == "Succeeded" and c.get("status") == "True"
            for c in (e.get("status") or {}).get("conditions") or []
        )
        for e in exps.values()
    )


def trial_count(repo: Repo, name: str) -> int:
    selector = f"katib.kubeflow.org/experiment={name}"
    cluster = connect(str(repo.kubeconfig))
    return len(cluster.list(TRIAL, repo.namespace, label_selector=selector).items)


def test_faulty_passes_converge_to_a_clean_run(
    repo: Repo, proxy: FaultProxy, tmp_path: Path
) -> None:
    passes = Passes(repo, proxy)
    repo.spec("alpha")
    repo.spec("beta")
    repo.push("add alpha and beta")

    # stage 1: create both through the faults, then report them once they ran
    passes.converge()
    wait_for("alpha and beta to succeed", lambda: done(repo) and len(experiments(repo)) == 2)
    passes.converge()
    clean = current(clean_observation(repo, tmp_path / "clean-1"))
    assert_same(current(remote_results(repo)), clean)
    old_beta = clean[f"reports/{repo.namespace}/beta/results.json"]

    # stage 2: an immutable edit: archive, delete (uid precondition) and create, all faulty
    repo.spec("beta", top="0.3")
    repo.push("beta: a wider range")
    passes.converge()
    wait_for("the new beta to succeed", lambda: done(repo) and len(experiments(repo)) == 2)
    passes.converge()

    clean = current(clean_observation(repo, tmp_path / "clean-2"))
    assert_same(current(remote_results(repo)), clean)
    alpha = clean[f"reports/{repo.namespace}/alpha/results.json"]

    # stage 3: a removed spec, retired with --prune: archived, then deleted
    (repo.human / "specs" / repo.namespace / "alpha.yaml").unlink()
    repo.push("remove alpha")
    passes.converge("--prune")
    wait_for("alpha to go", lambda: len(experiments(repo)) == 1)
    passes.converge()
    # steady passes until the schedule has shown every kind of fault (a few at most)
    for _ in range(10):
        if set(KINDS) <= {i.fault for i in proxy.injected}:
            break
        passes.converge()

    # the cluster is what a clean run makes: one object per spec, every trial once, and a
    # fault-free plan finds nothing to do
    live = experiments(repo)
    assert [n.rsplit("-", 1)[0] for n in live] == ["beta"]
    assert old_beta["object"]["name"] not in live
    assert all(trial_count(repo, name) == 3 for name in live)
    before = repo.remote_log()
    clean_pass = run_cli(
        "reconcile", "--once", "--push", "--prune", "--repo", str(repo.clone),
        "--kubeconfig", str(repo.kubeconfig), "-o", "json",
    )  # fmt: skip
    assert clean_pass.code == 0, str(clean_pass)
    assert '"action": "unchanged"' in clean_pass.out and '"commits": []' in clean_pass.out
    assert repo.remote_log() == before  # the faulty passes left nothing for a clean one to fix

    # the reports are a clean observation's, byte for byte in results.json; the archived
    # ones are what the clean observations before the delete saw, marked
    results = remote_results(repo)
    assert_same(
        current(results),
        current(clean_observation(repo, tmp_path / "clean-3"))
        | {
            f"reports/{repo.namespace}/alpha/results.json": alpha
            | {"deleted": {"reason": "Retired", "message": GONE, "replacedBy": ""}}
        },
    )
    archived = results[
        f"reports/{repo.namespace}/beta/revisions/{old_beta['source']['experimentRevision']}"
        "/results.json"
    ]
    new_beta = next(iter(live.values()))
    replaced_by = new_beta["metadata"]["annotations"]["katib-gitops.dev/revision"]
    assert_same(
        archived,
        old_beta | {"deleted": {"reason": "Replaced", "message": "", "replacedBy": replaced_by}},
    )
    history = audit(repo)
    assert history.merges == history.empty == history.duplicates == history.outside == []

    injected = Counter(i.fault for i in proxy.injected)
    assert set(KINDS) <= set(injected), injected
    seconds = sorted(round(r.seconds, 1) for r in passes.runs)
    print(
        f"\n[faults] reconcile --once --push through the fault proxy: seed {SEED}, rate {RATE}, "
        f"--request-timeout {REQUEST_TIMEOUT}; {proxy.requests} requests, "
        f"{sum(injected.values())} faults {dict(sorted(injected.items()))}; "
        f"{len(passes.runs)} passes, {passes.failed()} failed with exit 3 and were rerun; "
        f"pass seconds {seconds}; {history.commits} commits on the remote ({history.ours} ours)"
    )
