"""The GitOps loop on real things: the real kube-apiserver (tests/fixtures/cluster.py), the
Katib simulator playing Katib's controller (a subprocess), and git repositories with a bare
remote: the humans' clone, where specs are written, compiled and pushed, and the reconciler's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from compiler.cli import main

SPEC = """\
name: {name}
objective: {{maximize: accuracy}}
algorithm: random
trials: {{max: {max}, parallel: 2}}
{extra}parameters:
  lr: {{min: 0.01, max: {top}}}
trial:
  image: python:3.11
  command: [python3, train.py, "--lr=${{lr}}"]
"""
GIT = {
    "GIT_AUTHOR_NAME": "Human",
    "GIT_AUTHOR_EMAIL": "human@example.com",
    "GIT_COMMITTER_NAME": "Human",
    "GIT_COMMITTER_EMAIL": "human@example.com",
}


def git(cwd: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT},
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, f"git {' '.join(args)}: {out.stderr}"
    return out.stdout.strip()


def wait_for(what: str, check: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@contextmanager
def simulating(kubeconfig: Path, work: Path) -> Iterator[Path]:
    """The Katib simulator for every namespace of that cluster, synthetic trials of 0.2 s;
    its log."""
    work.mkdir(parents=True, exist_ok=True)
    ready = work / "ready"
    log = (work / "simulator.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "compiler.simulator",
            "--kubeconfig",
            str(kubeconfig),
            "--trial-seconds",
            "0.2",
            "--state",
            str(work / "state"),
            "--ready-file",
            str(ready),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for("the simulator", lambda: ready.exists() or proc.poll() is not None, 60)
        assert proc.poll() is None, (work / "simulator.log").read_text()
        yield work / "simulator.log"
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()


@pytest.fixture(scope="package")
def simulator(apiserver: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The Katib simulator for every namespace, synthetic trials of 0.2 s, while this folder's
    tests run: it plays Katib on every experiment of the shared API server, so it must be gone
    before tests/simulator starts simulators of its own."""
    with simulating(apiserver.kubeconfig, tmp_path_factory.mktemp("simulator")) as log:
        yield log


class Repo:
    """A remote, the humans' clone and the reconciler's, and the namespace they use."""

    def __init__(self, base: Path, namespace: str, kubeconfig: Path) -> None:
        self.remote = base / "remote.git"
        self.human = base / "human"
        self.clone = base / "reconciler"
        self.namespace = namespace
        self.kubeconfig = kubeconfig
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(self.remote)], check=True)
        subprocess.run(["git", "init", "-q", "-b", "main", str(self.human)], check=True)
        git(self.human, "remote", "add", "origin", str(self.remote))

    def spec(self, name: str, *, max: int = 3, top: str = "0.1", extra: str = "") -> str:
        path = self.human / "specs" / self.namespace / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SPEC.format(name=name, max=max, top=top, extra=extra))
        return str(path.relative_to(self.human))

    def push(self, message: str) -> str:
        """Compile, commit and push what the humans changed (pulling reports first)."""
        if git(self.human, "ls-remote", "origin", "main"):
            git(self.human, "pull", "-q", "--rebase", "--autostash", "origin", "main")
        assert main(["compile", "--root", str(self.human)]) == 0
        git(self.human, "add", "-A")
        git(self.human, "commit", "-q", "-m", message)
        git(self.human, "push", "-q", "origin", "HEAD:main")
        if not (self.clone / ".git").exists():
            subprocess.run(["git", "clone", "-q", str(self.remote), str(self.clone)], check=True)
        return git(self.human, "rev-parse", "HEAD")

    def cli(self, *args: str) -> int:
        return main([*args, "--kubeconfig", str(self.kubeconfig)])

    def reconcile(self, *args: str) -> int:
        return self.cli("reconcile", "--once", "--repo", str(self.clone), *args)

    def remote_log(self) -> list[str]:
        return git(self.remote, "log", "--format=%s", "main").splitlines()

    def remote_file(self, path: str, rev: str = "main") -> str:
        return git(self.remote, "show", f"{rev}:{path}")

    def report(self, name: str, rev: str = "main", sub: str = "") -> dict[str, Any]:
        import json

        folder = f"reports/{self.namespace}/{name}" + (f"/revisions/{sub}" if sub else "")
        return dict(json.loads(self.remote_file(f"{folder}/results.json", rev)))


def new_namespace(api: Any, *, labelled: bool = True) -> str:
    """A fresh namespace, labelled for Katib's injection (reference §0.5) unless not."""
    namespace = f"gitops-{uuid.uuid4().hex[:8]}"
    labels = {"katib.kubeflow.org/metrics-collector-injection": "enabled"} if labelled else {}
    api.rest().create(
        "/api/v1/namespaces",
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": namespace, "labels": labels},
        },
    )
    return namespace


@pytest.fixture
def repo(apiserver: Any, simulator: Path, tmp_path: Path) -> Repo:
    """A fresh namespace (labelled for Katib) and repositories for it."""
    return Repo(tmp_path, new_namespace(apiserver), apiserver.kubeconfig)


# -- for the fault, kill, race and bad-input tests ---------------------------------------------

PROJECT = Path(__file__).resolve().parents[2]


@dataclass
class Ran:
    """A finished `katib-gitops` subprocess."""

    code: int
    out: str
    err: str
    seconds: float

    def __str__(self) -> str:
        return f"exit {self.code} in {self.seconds:.1f}s\nstdout:\n{self.out}\nstderr:\n{self.err}"


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "compiler", *args]


def run_cli(*args: str, timeout: float = 120, env: dict[str, str] | None = None) -> Ran:
    """`katib-gitops ARGS` as a subprocess (what a CronJob or a pod runs)."""
    started = time.monotonic()
    done = subprocess.run(
        command(*args),
        cwd=PROJECT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Ran(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def assert_clear_error(ran: Ran, code: int, *words: str) -> None:
    """A `katib-gitops: ...` message, a hint when the error has one, the exit code, no
    traceback."""
    assert ran.code == code, str(ran)
    assert "Traceback" not in ran.err, str(ran)
    assert ran.err.startswith("katib-gitops: ") or "\nkatib-gitops: " in ran.err, str(ran)
    for word in words:
        assert word in ran.err, f"{word!r} not in:\n{ran}"


def remote_files(repo: Repo, prefix: str = "reports", rev: str = "main") -> dict[str, str]:
    """path → blob id of every file under `prefix` at `rev` of the remote."""
    out = git(repo.remote, "ls-tree", "-r", rev, "--", prefix)
    return {line.split("\t", 1)[1]: line.split()[2] for line in out.splitlines() if line}


def remote_results(repo: Repo, rev: str = "main") -> dict[str, dict[str, Any]]:
    """reports/<...>/results.json → its content, at `rev` of the remote."""
    import json

    return {
        path: json.loads(repo.remote_file(path, rev))
        for path in remote_files(repo, "reports", rev)
        if path.endswith("/results.json")
    }


@dataclass(frozen=True)
class Audit:
    commits: int
    ours: int
    merges: list[str]
    empty: list[str]
    duplicates: list[str]  # "<path> in <sha> and <sha>"
    outside: list[str]  # our commits that touch more than reports/


def audit(repo: Repo) -> Audit:
    """The remote's history: linear, no empty commits, no report content introduced twice, and
    ours touching reports/ only."""
    shas = git(repo.remote, "rev-list", "--reverse", "main").splitlines()
    merges = git(repo.remote, "rev-list", "--merges", "main").splitlines()
    seen: dict[tuple[str, str], str] = {}
    empty, duplicates, outside = [], [], []
    ours = 0
    for sha in shas:
        author = git(repo.remote, "log", "-1", "--format=%ae", sha)
        changed = git(repo.remote, "diff-tree", "--root", "-r", "--no-commit-id", sha)
        entries = [line.split("\t", 1) for line in changed.splitlines() if line]
        if not entries:
            empty.append(sha)
        mine = author == "katib-gitops@users.noreply.github.com"
        ours += mine
        for head, path in entries:
            blob = head.split()[3]
            if mine and not path.startswith("reports/"):
                outside.append(f"{sha[:10]} {path}")
            # a report's results.json is an observation: the same one committed twice is a
            # duplicate commit (a killed or racing pass that committed again)
            if path.endswith("/results.json") and not set(blob) <= {"0"}:
                if (path, blob) in seen:
                    duplicates.append(f"{path} in {seen[path, blob][:10]} and {sha[:10]}")
                seen[path, blob] = sha
    return Audit(len(shas), ours, merges, empty, duplicates, outside)


def clean_observation(repo: Repo, where: Path) -> dict[str, dict[str, Any]]:
    """The current reports a fault-free pass writes from nothing: a fresh clone of the remote
    without reports/, and `katib-gitops apply` (it applies nothing when the cluster is at
    generated/, observes, writes reports and commits them in that clone only)."""
    import json
    import shutil

    subprocess.run(["git", "clone", "-q", str(repo.remote), str(where)], check=True)
    shutil.rmtree(where / "reports", ignore_errors=True)
    ran = run_cli("apply", "--root", str(where), "--kubeconfig", str(repo.kubeconfig))
    assert ran.code == 0, str(ran)
    return {
        p.relative_to(where).as_posix(): json.loads(p.read_text())
        for p in (where / "reports").rglob("results.json")
    }


def current(results: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Only the reports of current revisions (not those under revisions/)."""
    return {p: r for p, r in results.items() if "/revisions/" not in p}


class Relay:
    """A TCP relay in front of the API server (TLS passes through: the kubeconfig keeps the
    server's CA), whose `cut()` drops every open connection, watches included."""

    def __init__(self, upstream: str, kubeconfig: Path, workdir: Path) -> None:
        import socket
        import threading
        from urllib.parse import urlsplit

        import yaml

        where = urlsplit(upstream)
        self.target = (where.hostname or "127.0.0.1", where.port or 443)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._closing = False
        self.cuts = 0
        config = yaml.safe_load(kubeconfig.read_text())
        config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{self.port}"
        self.kubeconfig = workdir / "relay-kubeconfig"
        self.kubeconfig.write_text(yaml.safe_dump(config))
        self.kubeconfig.chmod(0o600)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: Any, dst: Any) -> None:
        import contextlib
        import socket

        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                with self._lock:
                    self._open.discard(s)
                s.close()

    def cut(self) -> int:
        """Drop every open connection; how many there were."""
        import contextlib
        import socket

        with self._lock:
            sockets = list(self._open)
            self.cuts += 1
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        return len(sockets) // 2

    def close(self) -> None:
        self._listener.close()
        self.cut()


def assert_same(got: Any, want: Any) -> None:
    """Equal, or a unified diff of the two as indented JSON."""
    import difflib
    import json

    if got == want:
        return
    a = json.dumps(got, indent=1, sort_keys=True).splitlines()
    b = json.dumps(want, indent=1, sort_keys=True).splitlines()
    diff = "\n".join(difflib.unified_diff(a, b, "got", "want", lineterm="", n=4))
    raise AssertionError(f"they differ:\n{diff[:6000]}")


class GitDaemon:
    """The remote served by `git daemon` on a port of its own, the reconciler's clone pointed at
    it: a push is then received by another process tree (a server's), so killing the pusher
    cannot kill the receiving side, as with a real remote; `stop()` and `start()` are an
    outage of the git server."""

    def __init__(self, repo: Repo) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.repo = repo
        self.url = f"git://127.0.0.1:{self.port}/{repo.remote.name}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import socket

        base = self.repo.remote.parent
        self.proc = subprocess.Popen(
            [
                "git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={self.port}",
                f"--base-path={base}", "--export-all", "--enable=receive-pack",
                "--informative-errors", str(base),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip

        def listening() -> bool:
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", self.port)) == 0

        wait_for("git daemon", listening, 30)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@contextmanager
def git_daemon(repo: Repo) -> Iterator[GitDaemon]:
    daemon = GitDaemon(repo)
    daemon.start()
    git(repo.clone, "remote", "set-url", "origin", daemon.url)
    try:
        yield daemon
    finally:
        git(repo.clone, "remote", "set-url", "origin", str(repo.remote))
        daemon.stop()
