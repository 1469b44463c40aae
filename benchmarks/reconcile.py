"""`katib-gitops reconcile` on a real kube-apiserver, against floors measured in the same run.

No arguments. It starts its own etcd + kube-apiserver with Katib's CRDs (tools/devcluster, built
once and cached), makes a repository of N compiled specs with a bare remote, applies the
experiments as `katib-gitops apply` does, and gives each 20 completed Trials and Katib-shaped
statuses (written here, not by the simulator, so that setting up 20,000 trials takes a minute).

1. The first pass that writes the reports (N=1,000, 20 trials each): `reconcile --once --push`
   in a fresh process; wall time per report and the process's peak RSS (target < 400 MB).
2. The steady state, N=100 and N=1,000: a pass with nothing changed. API requests as the API
   server counts them (`apiserver_request_total` on its /metrics, before and after), writes
   among them, and commits on the remote. Target: writes 0, commits 0, requests flat in N.
3. Pass time at N=1,000 (in-process, warm: the way `reconcile --watch` runs passes, here with
   LISTs as `--once` does) against the floor of one raw LIST of the Experiments (urllib +
   json.loads, best of 5). Target: <= 3x.
Also: the start-up time of `katib-gitops plan` (a fresh process).

This machine sets PYTHONDONTWRITEBYTECODE=1; a user's does not, so the package is compiled to
bytecode first and the subprocesses run without that variable.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.devcluster import harness  # noqa: E402

TRIALS = 20
ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # Katib's trial-name suffixes (reference §4.4)
WRITES = ("POST", "PUT", "PATCH", "DELETE", "APPLY")
OURS = (
    "experiments",
    "trials",
    "suggestions",
    "namespaces",
    "configmaps",
    "customresourcedefinitions",
)
SPEC = """\
name: exp-{i}
objective: {{maximize: accuracy, also: [loss]}}
algorithm: random
trials: {{max: {trials}, parallel: 4, failures: 3}}
parameters:
  lr: {{min: 0.001, max: 1.{i:04d}1}}
  layers: {{min: 1, max: 8}}
trial:
  image: registry.example.com/ml/train:1
  command: [python3, train.py, "--lr=${{lr}}", "--layers=${{layers}}"]
"""
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
RSS = (
    "import resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,\n"
    "                   text=True)\n"
    "sys.stderr.write(p.stderr)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(p.returncode)\n"
)


def main() -> int:
    compileall = [sys.executable, "-m", "compileall", "-q", str(ROOT / "compiler")]
    subprocess.run(compileall, env=ENV, check=True)
    print(
        "bytecode warmed (python -m compileall compiler); subprocesses run without "
        "PYTHONDONTWRITEBYTECODE",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="katib-gitops-bench-"))
    binaries = harness.build("build", log=lambda m: print(m, flush=True))
    cluster = harness.Cluster(
        work / "cluster", binaries, harness.katib_module_dir(), log=lambda m: None
    )
    api = cluster.start()
    try:
        return run(work, api)
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, api: Any) -> int:
    bench = Bench(work, api)
    bench.grow(100)
    steady100 = bench.steady()
    bench.grow(1000)
    first = bench.first_pass()
    steady1000 = bench.steady()
    ratio = bench.pass_time()
    startup = bench.startup()
    print(
        f"reconcile steady state N=100: api writes {steady100['writes']}, commits "
        f"{steady100['commits']}, api requests {steady100['requests']}"
    )
    print(
        f"reconcile steady state N=1000: api writes {steady1000['writes']}, commits "
        f"{steady1000['commits']}, api requests {steady1000['requests']}"
    )
    print(
        f"pass time at N=1000: {ratio['pass']:.0f} ms; floor (one raw LIST): "
        f"{ratio['floor']:.0f} ms; ratio {ratio['pass'] / ratio['floor']:.1f}x (target <= 3x)"
    )
    print(
        f"first pass writing {first['reports']} reports ({TRIALS} trials each): "
        f"{first['seconds']:.1f} s, "
        f"{first['per_report'] * 1000:.0f} ms per report, peak RSS {first['rss_mb']:.0f} MB "
        "(target < 400 MB)"
    )
    print(
        f"  its requests: {first['requests']} ({first['writes']} writes), "
        f"commits {first['commits']}"
    )
    print(f"steady-state requests by verb at N=1000: {steady1000['verbs']}")
    print(
        f"start-up: `katib-gitops plan` in a fresh process {startup['plan']:.2f} s "
        f"(`katib-gitops --version` {startup['version']:.2f} s); a --once pass at N=1000 "
        f"{steady1000['seconds']:.2f} s wall"
    )
    return 0


class Bench:
    def __init__(self, work: Path, api: Any) -> None:
        from compiler.cluster.client import connect

        self.api = api
        self.namespace = "bench"
        self.remote = work / "remote.git"
        self.human = work / "human"
        self.clone = work / "reconciler"
        self.cluster = connect(str(api.kubeconfig))
        self.count = 0
        api.rest().create(
            "/api/v1/namespaces",
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": self.namespace,
                    "labels": {"katib.kubeflow.org/metrics-collector-injection": "enabled"},
                },
            },
        )
        git(work, "init", "-q", "--bare", "-b", "main", str(self.remote))
        git(work, "init", "-q", "-b", "main", str(self.human))
        git(self.human, "remote", "add", "origin", str(self.remote))

    # -- setup -------------------------------------------------------------------------------

    def grow(self, n: int) -> None:
        """Specs up to exp-<n-1>, compiled and pushed; their experiments applied, each with 20
        completed trials; then one pass writes their reports."""
        t0 = time.monotonic()
        folder = self.human / "specs" / self.namespace
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(self.count, n):
            (folder / f"exp-{i}.yaml").write_text(SPEC.format(i=i, trials=TRIALS))
        from compiler.cli import main as cli

        assert cli(["compile", "--root", str(self.human)]) == 0
        if self.clone.exists():
            git(self.human, "pull", "-q", "--rebase", "--autostash", "origin", "main")
        git(self.human, "add", "-A")
        git(self.human, "commit", "-q", "-m", f"{n} specs")
        git(self.human, "push", "-q", "origin", "HEAD:main")
        if not self.clone.exists():
            git(self.human.parent, "clone", "-q", str(self.remote), str(self.clone))
        new = self._apply(range(self.count, n))
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(self._complete, new))
        self.count = n
        print(f"set up N={n} in {time.monotonic() - t0:.0f} s", flush=True)

    def _apply(self, indexes: range) -> list[dict[str, Any]]:
        from compiler.desired import read_desired

        folder = self.human / "generated"
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.yaml")}
        wanted = {f"exp-{i}" for i in indexes}
        out = []
        for d in read_desired(files).experiments:
            if d.experiment in wanted:
                out.append(self.cluster.apply(d.manifest, force=True))
        return out

    def _complete(self, exp: dict[str, Any]) -> None:
        """20 Succeeded trials and the experiment's status, as Katib's controllers write them
        (reference §5.6, §5.7, §7.1, §7.2, §7.4)."""

        meta = exp["metadata"]
        rng = random.Random(meta["name"])
        names, best = [], ("", -1.0, 0.0)
        for _ in range(TRIALS):
            name = f"{meta['name']}-" + "".join(rng.choice(ALPHABET) for _ in range(8))
            lr, acc = f"{rng.uniform(0.001, 0.01):.6f}", rng.uniform(0.5, 0.99)
            trial = self.cluster.create(
                {
                    "apiVersion": "kubeflow.org/v1beta1",
                    "kind": "Trial",
                    "metadata": {
                        "name": name,
                        "namespace": meta["namespace"],
                        "labels": {**meta["labels"], "katib.kubeflow.org/experiment": meta["name"]},
                        "ownerReferences": [
                            {
                                "apiVersion": "kubeflow.org/v1beta1",
                                "kind": "Experiment",
                                "name": meta["name"],
                                "uid": meta["uid"],
                                "controller": True,
                                "blockOwnerDeletion": True,
                            }
                        ],
                    },
                    "spec": {
                        "objective": exp["spec"]["objective"],
                        "parameterAssignments": [
                            {"name": "lr", "value": lr},
                            {"name": "layers", "value": str(rng.randint(1, 8))},
                        ],
                        "primaryContainerName": "training-container",
                    },
                }
            )
            trial["status"] = {
                "startTime": "2026-12-01T10:00:00Z",
                "completionTime": "2026-12-01T10:05:00Z",
                "conditions": [
                    _cond("Created", "True", "TrialCreated", "Trial is created"),
                    _cond("Running", "False", "TrialRunning", "Trial is running"),
                    _cond("Succeeded", "True", "TrialSucceeded", "Trial has succeeded"),
                ],
                "observation": {
                    "metrics": [
                        {
                            "name": "accuracy",
                            "min": "0.1",
                            "max": f"{acc:.4f}",
                            "latest": f"{acc:.4f}",
                        },
                        {"name": "loss", "min": "0.2", "max": "2.3", "latest": "0.2"},
                    ]
                },
            }
            self.cluster.replace_status(trial)
            names.append(name)
            if acc > best[1]:
                best = (name, acc, float(lr))
        exp = self.cluster.get(exp_kind(), meta["namespace"], meta["name"]) or exp
        exp["status"] = {
            "startTime": "2026-12-01T10:00:00Z",
            "completionTime": "2026-12-01T11:00:00Z",
            "lastReconcileTime": "2026-12-01T11:00:00Z",
            "conditions": [
                _cond("Created", "True", "ExperimentCreated", "Experiment is created"),
                _cond("Running", "False", "ExperimentRunning", "Experiment is running"),
                _cond(
                    "Succeeded",
                    "True",
                    "ExperimentMaxTrialsReached",
                    "Experiment has succeeded because max trial count has reached",
                ),
            ],
            "currentOptimalTrial": {
                "bestTrialName": best[0],
                "parameterAssignments": [{"name": "lr", "value": f"{best[2]:.6f}"}],
                "observation": {
                    "metrics": [
                        {
                            "name": "accuracy",
                            "min": "0.1",
                            "max": f"{best[1]:.4f}",
                            "latest": f"{best[1]:.4f}",
                        }
                    ]
                },
            },
            "succeededTrialList": sorted(names),
            "trials": TRIALS,
            "trialsSucceeded": TRIALS,
        }
        self.cluster.replace_status(exp)

    # -- measurements --------------------------------------------------------------------------

    def first_pass(self) -> dict[str, Any]:
        """A repository with the same specs and generated/ but no reports yet (its own remote),
        over the same cluster: its first pass writes every report."""
        fresh, remote = self.human.parent / "fresh", self.human.parent / "fresh.git"
        git(self.human.parent, "init", "-q", "--bare", "-b", "main", str(remote))
        git(self.human.parent, "init", "-q", "-b", "main", str(fresh))
        for folder in ("specs", "generated"):
            shutil.copytree(self.human / folder, fresh / folder)
        git(fresh, "add", "-A")
        git(fresh, "commit", "-q", "-m", "specs")
        git(fresh, "remote", "add", "origin", str(remote))
        git(fresh, "push", "-q", "origin", "HEAD:main")
        git(fresh, "branch", "-q", "--set-upstream-to=origin/main")
        before = self._requests()
        seconds, rss = self._once("--push", repo=fresh)
        after = self._requests()
        reports = len(list((fresh / "reports").glob("*/*/results.json")))
        return {
            "seconds": seconds,
            "reports": reports,
            "per_report": seconds / max(reports, 1),
            "rss_mb": rss,
            "requests": sum(after.values()) - sum(before.values()),
            "writes": _writes(before, after),
            "commits": int(git(remote, "rev-list", "--count", "main")) - 1,
        }

    def steady(self) -> dict[str, Any]:
        self._once("--push")  # whatever the last setup left: reports of what it made
        before, commits = self._requests(), self._commits()
        seconds, _ = self._once("--push")
        after = self._requests()
        verbs = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
        return {
            "requests": sum(after.values()) - sum(before.values()),
            "writes": _writes(before, after),
            "commits": self._commits() - commits,
            "verbs": verbs,
            "seconds": seconds,
        }

    def pass_time(self) -> dict[str, float]:
        from compiler.cluster.reconcile import Options, run_pass
        from compiler.commands.cluster import Connection, context

        ctx = context(self.clone, Connection(str(self.api.kubeconfig)), Options(push=True))
        passes = []
        for _ in range(6):
            t = time.perf_counter()
            out = run_pass(ctx)
            passes.append((time.perf_counter() - t) * 1000)
            assert out.error is None and not out.commits, out.error
        floor = min(_timed(self._raw_list) for _ in range(5))
        return {"pass": sorted(passes[1:])[len(passes[1:]) // 2], "floor": floor}

    def startup(self) -> dict[str, float]:
        def timed(*args: str) -> float:
            t = time.perf_counter()
            subprocess.run([*katib(), *args], env=ENV, check=False, capture_output=True)
            return time.perf_counter() - t

        timed("--version")
        return {
            "version": min(timed("--version") for _ in range(3)),
            "plan": min(
                timed("plan", "--root", str(self.clone), "--kubeconfig", str(self.api.kubeconfig))
                for _ in range(3)
            ),
        }

    def _once(self, *args: str, repo: Path | None = None) -> tuple[float, float]:
        """One `reconcile --once` in a fresh process: wall seconds and its peak RSS in MB (read by
        a small parent that only waits for it: RUSAGE_CHILDREN's maximum)."""
        command = [
            *katib(),
            "reconcile",
            "--once",
            "--repo",
            str(repo or self.clone),
            "--kubeconfig",
            str(self.api.kubeconfig),
            *args,
        ]
        t = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", RSS, *command],
            env=ENV,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - t
        assert proc.returncode == 0, proc.stderr[-3000:]
        return seconds, float(proc.stderr.strip().splitlines()[-1]) / 1024

    def _requests(self) -> dict[str, float]:
        """apiserver_request_total, summed by verb (the API server's own count), for the
        resources the reconciler reads or writes: the API server's own requests (its lease
        renewals, every 10 s) are not the reconciler's."""
        req = urllib.request.Request(
            self.api.server + "/metrics", headers={"Authorization": f"Bearer {self.api.token}"}
        )
        ctx = ssl.create_default_context(cafile=str(self.api.ca_file))
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            text = r.read().decode()
        out: dict[str, float] = {}
        for line in text.splitlines():
            if line.startswith("apiserver_request_total{") and any(
                f'resource="{r}"' in line for r in OURS
            ):
                labels, value = line.rsplit(" ", 1)
                verb = labels.split('verb="', 1)[1].split('"', 1)[0]
                out[verb] = out.get(verb, 0) + float(value)
        return out

    def _commits(self) -> int:
        return int(git(self.remote, "rev-list", "--count", "main"))

    def _raw_list(self) -> None:
        req = urllib.request.Request(
            self.api.server + "/apis/kubeflow.org/v1beta1/experiments",
            headers={"Authorization": f"Bearer {self.api.token}", "Accept": "application/json"},
        )
        ctx = ssl.create_default_context(cafile=str(self.api.ca_file))
        with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
            json.loads(r.read())


def exp_kind() -> Any:
    from compiler.cluster.kinds import EXPERIMENT

    return EXPERIMENT


def _cond(kind: str, status: str, reason: str, message: str) -> dict[str, str]:
    stamp = "2026-12-01T10:00:00Z"
    return {
        "type": kind,
        "status": status,
        "reason": reason,
        "message": message,
        "lastUpdateTime": stamp,
        "lastTransitionTime": stamp,
    }


def _writes(before: dict[str, float], after: dict[str, float]) -> int:
    return int(sum(after.get(v, 0) - before.get(v, 0) for v in WRITES))


def _timed(fn: Callable[[], None]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def katib() -> list[str]:
    return [sys.executable, "-m", "compiler"]


def git(cwd: Path, *args: str) -> str:
    env = {
        **ENV,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@x",
    }
    out = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {out.stderr}")
    return out.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
