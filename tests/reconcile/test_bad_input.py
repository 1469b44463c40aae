"""Bad input to plan, apply and reconcile, on a repository and a cluster that are otherwise
fine: each is a clear `katib-gitops: ...` message with a `hint:`, the documented exit code, and
nothing half-done: no commit, reports/ as it was, no object changed. Then odd arguments, each
without a Python traceback."""

from __future__ import annotations

import hashlib
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.cli import main
from compiler.cluster.client import connect
from compiler.cluster.kinds import EXPERIMENT
from tests.conftest import require_go
from tests.reconcile.conftest import (
    PROJECT,
    Ran,
    Repo,
    assert_clear_error,
    command,
    git,
    new_namespace,
    wait_for,
)
from tools.devcluster import harness

pytestmark = pytest.mark.apiserver

INJECTION = "katib.kubeflow.org/metrics-collector-injection"  # reference §0.5


def snapshot(repo: Repo) -> dict[str, Any]:
    """What a refused command must leave as it was."""
    reports = {
        p.relative_to(repo.clone).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((repo.clone / "reports").rglob("*"))
        if p.is_file()
    }
    items = connect(str(repo.kubeconfig)).list(EXPERIMENT, repo.namespace).items
    return {
        "head": git(repo.clone, "rev-parse", "HEAD"),
        "status": git(repo.clone, "status", "--porcelain"),
        "remote": git(repo.remote, "rev-parse", "main"),
        "reports": reports,
        "objects": {i["metadata"]["name"]: i["metadata"]["resourceVersion"] for i in items},
    }


@pytest.fixture(scope="module")
def settled(
    apiserver: harness.ApiServer, simulator: Path, tmp_path_factory: pytest.TempPathFactory
) -> Repo:
    """A repository whose experiment ran and is reported: nothing is left to do."""
    repo = Repo(
        tmp_path_factory.mktemp("bad-input"), new_namespace(apiserver), apiserver.kubeconfig
    )
    repo.spec("a")
    repo.push("add a")
    assert main(reconcile(repo)) == 0

    def done() -> bool:
        (exp,) = connect(str(repo.kubeconfig)).list(EXPERIMENT, repo.namespace).items
        return any(
            c.get("type") == "Succeeded" and c.get("status") == "True"
            for c in (exp.get("status") or {}).get("conditions") or []
        )

    wait_for("a to finish", done)
    assert main(reconcile(repo)) == 0
    return repo


Cli = Callable[..., Ran]


@pytest.fixture()
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """`katib-gitops ARGS` in this process (fast; an exception it does not turn into a message
    fails the test as a traceback would)."""

    def run(*args: str) -> Ran:
        capsys.readouterr()
        started = time.monotonic()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return Ran(code, out.out, out.err, time.monotonic() - started)

    return run


@pytest.fixture()
def repo(settled: Repo) -> Iterator[Repo]:
    """The settled repository; whatever a test changed in its clone is undone after it."""
    before = snapshot(settled)
    yield settled
    git(settled.clone, "reset", "-q", "--hard", "origin/main")
    git(settled.clone, "clean", "-q", "-fdx")
    assert snapshot(settled) == before


def reconcile(repo: Repo, *extra: str, kubeconfig: Path | str | None = None) -> list[str]:
    return [
        "reconcile", "--once", "--push", "--prune", "--repo", str(repo.clone),
        "--kubeconfig", str(kubeconfig or repo.kubeconfig), *extra,
    ]  # fmt: skip


def plan(repo: Repo, *extra: str, kubeconfig: Path | str | None = None) -> list[str]:
    return [
        "plan", "--root", str(repo.clone),
        "--kubeconfig", str(kubeconfig or repo.kubeconfig), *extra,
    ]  # fmt: skip


def apply(repo: Repo, *extra: str, kubeconfig: Path | str | None = None) -> list[str]:
    return [
        "apply", "--root", str(repo.clone), "--prune", "--push",
        "--kubeconfig", str(kubeconfig or repo.kubeconfig), *extra,
    ]  # fmt: skip


COMMANDS = (plan, apply, reconcile)


def refused(cli: Cli, repo: Repo, code: int, *words: str, **kwargs: Any) -> list[Ran]:
    """plan, apply and reconcile, each refused with `code` and `words`, changing nothing."""
    before = snapshot(repo)
    runs = []
    for make in COMMANDS:
        ran = cli(*make(repo, **kwargs))
        assert_clear_error(ran, code, "hint: ", *words)
        assert snapshot(repo) == before, make.__name__
        runs.append(ran)
    return runs


# -- the kubeconfig and the context -----------------------------------------------------------


def test_a_missing_kubeconfig(cli: Cli, repo: Repo, tmp_path: Path) -> None:
    refused(cli, repo, 2, "does not exist", kubeconfig=tmp_path / "nowhere")


def test_a_kubeconfig_that_is_a_folder(cli: Cli, repo: Repo, tmp_path: Path) -> None:
    refused(cli, repo, 2, "is a folder, not a kubeconfig file", kubeconfig=tmp_path)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x00\xff\xfe garbage \x80", "kubeconfig"),
        (b"clusters: [unclosed\n", "is not YAML"),
        (b"- just\n- a list\n", "is not a kubeconfig"),
        (b"clusters: 3\ncurrent-context: x\n", "clusters must be a list"),
    ],
)
def test_an_unreadable_kubeconfig(
    cli: Cli, repo: Repo, tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "kubeconfig"
    path.write_bytes(content)
    refused(cli, repo, 2, words, kubeconfig=path)


def test_an_unknown_context(cli: Cli, repo: Repo) -> None:
    before = snapshot(repo)
    for make in COMMANDS:
        ran = cli(*make(repo, "--context", "nope"))
        assert_clear_error(ran, 2, "no context 'nope'", "hint: pick one of: test")
    assert snapshot(repo) == before


def test_an_unreachable_cluster_fails_fast(cli: Cli, repo: Repo, tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = yaml.safe_load(repo.kubeconfig.read_text())
    config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{port}"
    closed = tmp_path / "kubeconfig"
    closed.write_text(yaml.safe_dump(config))
    before = snapshot(repo)
    seconds = []
    for make in COMMANDS:
        ran = cli(*make(repo, "--request-timeout", "1", kubeconfig=closed))
        assert_clear_error(ran, 3, "no answer after", "cannot connect", "hint: is the cluster")
        seconds.append(round(ran.seconds, 1))
        assert snapshot(repo) == before
    print(f"\n[bad input] a closed port with --request-timeout 1: exit 3 in {seconds} s")


# -- the cluster --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def without_katib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.ApiServer]:
    """An API server of this module's own whose Experiment CRD was deleted."""
    require_go()
    binaries = harness.build("build")
    for attempt in range(3):
        cluster = harness.Cluster(
            tmp_path_factory.mktemp("no-katib"), binaries, harness.katib_module_dir(), log=print
        )
        try:
            api = cluster.start()
            break
        except ssl.SSLError:  # the serving certificate read while being written (loaded machine)
            if attempt == 2:
                raise
    try:
        rest = api.rest()
        rest.request(
            "DELETE",
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/experiments.kubeflow.org",
        )
        wait_for(
            "the Experiment CRD to go",
            lambda: rest.request("GET", "/apis/kubeflow.org/v1beta1/experiments")[0] == 404,
        )
        yield api
    finally:
        cluster.stop()


def test_a_cluster_without_katib(cli: Cli, repo: Repo, without_katib: harness.ApiServer) -> None:
    for make in COMMANDS:
        ran = cli(*make(repo, kubeconfig=without_katib.kubeconfig))
        assert_clear_error(ran, 3, "Katib", "hint: ")
    assert git(repo.clone, "status", "--porcelain") == ""


def test_a_namespace_without_katibs_label_is_blocked(
    cli: Cli, apiserver: harness.ApiServer, simulator: Path, tmp_path: Path
) -> None:
    repo = Repo(tmp_path, new_namespace(apiserver, labelled=False), apiserver.kubeconfig)
    repo.spec("u")
    repo.push("add u")
    label = f"kubectl label namespace {repo.namespace} {INJECTION}=enabled"
    head = git(repo.remote, "rev-parse", "main")
    for make in COMMANDS:
        ran = cli(*make(repo))
        assert ran.code == 1, str(ran)
        assert "Traceback" not in ran.err
        assert "blocked" in ran.out and f"hint: {label}" in ran.out, str(ran)
    assert connect(str(repo.kubeconfig)).list(EXPERIMENT, repo.namespace).items == ()
    assert git(repo.remote, "rev-parse", "main") == head
    assert not (repo.clone / "reports").exists()


# -- the repository -----------------------------------------------------------------------------


def test_a_clone_dirty_outside_reports(cli: Cli, repo: Repo) -> None:
    (repo.clone / "specs" / repo.namespace / "a.yaml").write_text("name: a\n# edited here\n")
    (repo.clone / "notes.txt").write_text("mine\n")
    before = snapshot(repo)
    ran = cli(*reconcile(repo))
    assert_clear_error(ran, 2, "has changes outside reports", "notes.txt", "a.yaml", "hint: ")
    assert snapshot(repo) == before  # the human's changes stay
    assert (repo.clone / "notes.txt").read_text() == "mine\n"


def test_a_diverged_clone(cli: Cli, repo: Repo) -> None:
    (repo.clone / "README.md").write_text("committed in the reconciler's clone\n")
    git(repo.clone, "add", "README.md")
    git(repo.clone, "commit", "-q", "-m", "a human commit here")
    before = snapshot(repo)
    ran = cli(*reconcile(repo))
    assert_clear_error(ran, 2, "has diverged", "a human commit here", "hint: ")
    assert snapshot(repo) == before


def test_a_revision_whose_generated_is_not_its_specs(cli: Cli, repo: Repo) -> None:
    folder = repo.clone / "generated" / repo.namespace / "a"
    manifest = next(p for p in folder.glob("*.yaml") if "maxTrialCount" in p.read_text())
    manifest.write_text(manifest.read_text().replace("maxTrialCount: 3", "maxTrialCount: 30"))
    git(repo.clone, "commit", "-q", "-am", "a hand edit of generated/")
    for make in (plan, apply):  # plan and apply read HEAD of the clone as it is
        before = snapshot(repo)
        ran = cli(*make(repo))
        assert_clear_error(ran, 1, "is not what its specs compile to", "katib-gitops compile")
        assert snapshot(repo) == before
    # reconcile reads the upstream: the same edit pushed by a human
    git(repo.clone, "push", "-q", "origin", "HEAD:main")
    before = snapshot(repo)
    ran = cli(*reconcile(repo))
    assert_clear_error(ran, 1, "is not what its specs compile to", "katib-gitops compile")
    after = snapshot(repo)
    assert after["objects"] == before["objects"] and after["reports"] == before["reports"]
    assert after["remote"] == before["remote"]  # no commit of ours
    git(repo.clone, "push", "-q", "-f", "origin", f"{before['head']}~1:main")
    git(repo.clone, "fetch", "-q")


# -- odd arguments: never a traceback ---------------------------------------------------------


def test_odd_arguments_never_print_a_traceback(repo: Repo, tmp_path: Path) -> None:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    empty = tmp_path / "empty"
    empty.mkdir()
    not_a_repo = tmp_path / "not-a-repo"
    not_a_repo.mkdir()
    k = ["--kubeconfig", str(repo.kubeconfig)]
    cases: list[tuple[list[str], int, str]] = [
        (["plan", "--root", str(not_a_repo), *k], 2, "is not the root of a git repository"),
        (["apply", "--root", str(not_a_repo), *k], 2, "is not the root of a git repository"),
        (["reconcile", "--repo", str(not_a_repo), *k], 2, "is not the root of a git repository"),
        (["plan", "--root", str(repo.clone), "--revision", "nope", *k], 2, "is not a revision"),
        (["apply", "--root", str(repo.clone), "--revision", "nope", *k], 2, "is not a revision"),
        (reconcile(repo, "--commit-interval", "0"), 2, "--commit-interval must be > 0"),
        (reconcile(repo, "--commit-interval", "nan"), 2, "--commit-interval must be > 0"),
        (reconcile(repo, "--request-timeout", "0"), 2, "--request-timeout must be > 0"),
        (plan(repo, "--request-timeout", "nan"), 2, "--request-timeout must be > 0"),
        (
            ["reconcile", "--watch", "--repo", str(repo.clone), *k, "--listen", f":{port}"],
            2,
            "cannot listen on",
        ),
        (
            ["reconcile", "--watch", "--repo", str(repo.clone), *k, "--listen", "nonsense"],
            2,
            "--listen 'nonsense'",
        ),
        (reconcile(repo, "--db-manager", "::::"), 2, "--db-manager '::::'"),
        (reconcile(repo, "--git-credentials", str(empty)), 2, "holds no git credentials"),
        (
            ["reconcile", "--repo", str(tmp_path / "new"), "--clone-url", "https://u:t@h/r", *k],
            2,
            "carries a password or token",
        ),
    ]
    before = snapshot(repo)
    try:  # subprocesses, as a user runs them; together, as each fails before any write
        pipe = subprocess.PIPE
        procs = [
            subprocess.Popen(command(*a), cwd=PROJECT, stdout=pipe, stderr=pipe, text=True)
            for a, _, _ in cases
        ]
        for (args, code, words), proc in zip(cases, procs, strict=True):
            out, err = proc.communicate(timeout=120)
            ran = Ran(proc.returncode, out, err, 0.0)
            assert "Traceback" not in ran.err + ran.out, f"{args}\n{ran}"
            assert ran.code == code, f"{args}\n{ran}"
            assert words in ran.err, f"{args}\n{ran}"
    finally:
        busy.close()
    assert snapshot(repo) == before
    assert not (tmp_path / "new").exists()
