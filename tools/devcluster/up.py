"""`make cluster`: a local Katib cluster in the foreground, for people and for tests.

etcd + kube-apiserver + Katib's CRDs (`harness.Cluster`), Katib's own experiment webhooks for
every namespace labelled `katib.kubeflow.org/metrics-collector-injection: enabled`, the
namespaces the repository's generated/ targets (created and labelled), and the Katib simulator
(`python -m compiler.simulator`), whose one line per event is printed here. The kubeconfig is
`$KATIB_GITOPS_CLUSTER_DIR/kubeconfig` (default `.state/cluster/` under the repository root,
mode 0600). SIGTERM or Ctrl-C stops everything: every child runs in its own process group and
dies with this process (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tools.devcluster import harness

ROOT = Path(__file__).resolve().parents[2]
DIR_ENV = "KATIB_GITOPS_CLUSTER_DIR"
# what a previous run left in the folder (the folder itself may be the user's own choice)
LEFTOVERS = ("etcd", "certs", "webhook-certs", "simulator.ready", "tokens.csv", "sa.key")


class Stop(Exception):
    """SIGTERM or SIGINT."""


def _stop(signum: int, _frame: object) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):  # a second Ctrl-C must not cut the cleanup short
        signal.signal(sig, signal.SIG_IGN)
    raise Stop(signal.Signals(signum).name)


def log(message: str) -> None:
    print(f"[cluster] {message}", file=sys.stderr, flush=True)


def generated_namespaces(repo: Path) -> list[str]:
    """The namespaces of the Experiments in generated/ (what `kustomize build` would give)."""
    from compiler.desired import read_desired
    from compiler.errors import KatibGitopsError

    folder = repo / "generated"
    if not folder.is_dir():
        return []
    files = {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".yaml", ".yml")
    }
    try:
        return sorted({d.namespace for d in read_desired(files).experiments})
    except KatibGitopsError as exc:
        log(f"generated/ cannot be read ({exc}): no namespaces of its own are created")
        return []


def label_namespaces(rest: harness.Rest, names: list[str]) -> None:
    """Create each namespace labelled for Katib's injection, or add the label to it."""
    labels = {harness.INJECTION_LABEL: "enabled"}
    for name in names:
        rest.create(
            "/api/v1/namespaces",
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}},
            exist_ok=True,
        )
        status, body = rest.request(
            "PATCH",
            f"/api/v1/namespaces/{name}",
            {"metadata": {"labels": labels}},
            content_type="application/merge-patch+json",
        )
        if status != 200:
            raise harness.HarnessError(f"labelling namespace {name}: {status} {body}")


@contextlib.contextmanager
def simulator(
    kubeconfig: Path, repo: Path, folder: Path, args: argparse.Namespace
) -> Iterator[None]:
    """The simulator as a child in its own process group, its log on our stderr."""
    ready = folder / "simulator.ready"
    argv = [
        sys.executable, "-m", "compiler.simulator",
        f"--kubeconfig={kubeconfig}", f"--repo={repo}", f"--state={folder / 'simulator'}",
        f"--ready-file={ready}", f"--trial-seconds={args.trial_seconds}", f"--seed={args.seed}",
    ]  # fmt: skip
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=harness._die_with_parent,  # noqa: PLW1509 - it only calls prctl()
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            if proc.poll() is not None:
                raise harness.HarnessError(f"the simulator exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise harness.HarnessError("the simulator was not ready within 120s")
            time.sleep(0.05)
        yield
    finally:
        _end(proc)


def _end(proc: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 45.0), (signal.SIGKILL, 5.0)):  # local trials' grace
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="make cluster", description=__doc__.split("\n\n")[0])
    default = os.environ.get(DIR_ENV) or str(ROOT / ".state" / "cluster")
    ap.add_argument("--dir", type=Path, default=Path(default),
                    help=f"the cluster's folder (${DIR_ENV}, or .state/cluster)")  # fmt: skip
    ap.add_argument("--repo", type=Path, default=ROOT, help="the repository (default: this one)")
    ap.add_argument("--trial-seconds", type=float, default=2.0,
                    help="how long a synthetic trial runs (default 2)")  # fmt: skip
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    start = time.monotonic()
    args = parse(argv)
    folder, repo = args.dir.resolve(), args.repo.resolve()
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        namespaces = generated_namespaces(repo)
        binaries = harness.build("build", log=log)
        webhook = harness.build("webhook", log=log)["katib-webhook"]
        folder.mkdir(parents=True, exist_ok=True)
        for name in LEFTOVERS:  # a fresh cluster every time
            path = folder / name
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        cluster = harness.Cluster(folder, binaries, harness.katib_module_dir(), log=log)
        with contextlib.ExitStack() as stack:
            api = cluster.start()
            stack.callback(cluster.stop)
            cluster.start_katib_webhooks(
                webhook, api.namespace, namespace_selector={harness.INJECTION_LABEL: "enabled"}
            )
            label_namespaces(api.rest(), namespaces)
            stack.enter_context(simulator(api.kubeconfig, repo, folder, args))
            ready(api, namespaces, time.monotonic() - start)
            signal.pause()
    except Stop as why:
        log(f"{why}: stopped")
        return 0
    except (harness.HarnessError, harness.GoNotFound) as exc:
        log(f"error: {exc}")
        return 3
    return 0


def ready(api: harness.ApiServer, namespaces: list[str], seconds: float) -> None:
    kubeconfig = api.kubeconfig
    labelled = ", ".join([api.namespace, *(n for n in namespaces if n != api.namespace)])
    print(
        f"\nKatib cluster ready in {seconds:.1f}s at {api.server}\n"
        f"  kubeconfig:  {kubeconfig}\n"
        f"  namespaces labelled {harness.INJECTION_LABEL}=enabled (Katib's webhooks apply): "
        f"{labelled}\n"
        f"  logs:        {api.workdir}/*.log; the simulator's events follow below\n\n"
        f"Next, in another terminal:\n"
        f"  export KUBECONFIG={kubeconfig}\n"
        f"  katib-gitops plan --kubeconfig {kubeconfig}\n"
        f"  katib-gitops apply --kubeconfig {kubeconfig}\n"
        f"  katib-gitops reconcile --once --kubeconfig {kubeconfig}\n\n"
        "Ctrl-C stops the cluster.\n",
        flush=True,
    )
