"""A pass killed at random points (SIGKILL to the whole process group, as when a pod is
evicted) while it syncs, commits and pushes a report: the next pass's sync + commit + push
recovers, and the remote ends with exactly one commit carrying the report, never two, never
zero. Seeded, so a failure can be replayed."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from compiler.git_repo import IDENTITY, commit_paths, push, sync, unpushed
from tests.git.conftest import World, git

SEED = 20260501
PASSES = 24
REPO = Path(__file__).resolve().parents[2]

# One pass of the reconciler's git steps. It imports first and says "ready", then waits for
# "go", so the kill lands in the git steps rather than in Python's start-up.
CHILD = """
import sys
from pathlib import Path
from compiler.git_repo import IDENTITY, commit_paths, push, sync

root, name, full = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "pass"
print("ready", flush=True)
sys.stdin.readline()
if full:
    sync(root)
path = root / "reports" / "demo" / name / "README.md"
def write():
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"report of {name}\\n")
    return [str(path.relative_to(root))]
commit_paths(root, write(), f"report: demo/{name}", identity=IDENTITY)
push(root, regenerate=write)
"""


def _start(root: Path, name: str, mode: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), name, mode],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: git's children die with it
    )
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    return child


def _run(root: Path, name: str, mode: str, kill_after: float | None) -> int:
    child = _start(root, name, mode)
    assert child.stdin is not None
    child.stdin.write("go\n")
    child.stdin.flush()
    if kill_after is not None:
        time.sleep(kill_after)
        with contextlib.suppress(ProcessLookupError):  # it finished first
            os.killpg(child.pid, signal.SIGKILL)
    status = child.wait(timeout=60)
    _gone(child.pid)
    return status


def _gone(group: int) -> None:
    """Wait until the killed group's git processes have died too: sync rightly refuses to take
    the locks of a git that still runs (the error is retryable)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)


def _next_pass(world: World, name: str) -> None:
    """What the reconciler's next pass does: sync, write the report again, commit, push."""
    sync(world.root)
    path = world.write(world.root, f"reports/demo/{name}/README.md", f"report of {name}\n")
    commit_paths(world.root, [path], f"report: demo/{name}", identity=IDENTITY)
    push(world.root, regenerate=lambda: [path])


def serve_apart(world: World) -> None:
    """A local remote's receive-pack is our child, in our process group: the kill would take the
    server down mid-update too and leave ITS ref locked. A real server outlives the pod, so it
    runs in a session of its own here."""
    git(world.root, "config", "remote.origin.receivepack", "setsid -w git-receive-pack")


def test_a_killed_pass_leaves_exactly_one_report_commit(world: World) -> None:
    serve_apart(world)
    rng = random.Random(SEED)
    begun = time.monotonic()
    assert _run(world.root, "calibrate", "pass", None) == 0
    span = time.monotonic() - begun
    killed = 0
    for i in range(PASSES):
        name = f"exp-{i}"
        if i % 2:  # the remote moved on: the pass must fast-forward or replay its commit
            world.human_push("specs/demo/a.yaml", f"name: a\nmax: {i}\n")
        mode = rng.choice(["pass", "push"])  # "push": the pass skips sync (push must rebase)
        status = _run(world.root, name, mode, rng.uniform(0, span))
        killed += status == -signal.SIGKILL
        _next_pass(world, name)
        path = f"reports/demo/{name}/README.md"
        commits = world.remote_log(path, fmt="%an %s")
        assert commits == [f"{IDENTITY.name} report: demo/{name}"], (i, mode, status)
        assert world.remote_file(path) == f"report of {name}\n"
        assert git(world.root, "status", "--porcelain") == ""
        assert unpushed(world.root) == 0
        assert not (world.root / ".git" / "katib-gitops-op").exists()
    assert killed > 0  # the seed does kill passes (else this test tests nothing)
    assert world.remote_file("specs/demo/a.yaml") == f"name: a\nmax: {PASSES - 1}\n"
