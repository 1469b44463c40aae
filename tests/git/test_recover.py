"""What a killed pass leaves, cleaned up by the next sync: lock files, and our rebases and
resets caught half way (their journal, .git/katib-gitops-op, says they were ours)."""

from __future__ import annotations

import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from compiler.git_repo import GitError, push, sync
from compiler.git_repo.recover import Journal, write_journal
from compiler.git_repo.session import session
from tests.git.conftest import World, git


def test_a_stale_index_lock_is_removed(world: World) -> None:
    world.human_push("specs/demo/a.yaml", "name: a\nmax: 3\n")
    (world.root / ".git" / "index.lock").write_bytes(b"")
    (world.root / ".git" / "refs" / "heads" / "main.lock").write_bytes(b"")
    result = sync(world.root)
    assert result.recovered == (
        "removed stale .git/index.lock",
        "removed stale .git/refs/heads/main.lock",
    )
    assert result.fast_forwarded
    assert not (world.root / ".git" / "index.lock").exists()


def test_a_lock_held_by_a_running_git_is_left_alone(world: World) -> None:
    lock = world.root / ".git" / "index.lock"
    lock.write_bytes(b"")
    # a git process working in the clone (it waits for its stdin)
    holder = subprocess.Popen(
        ["git", "hash-object", "--stdin"], cwd=world.root, stdin=subprocess.PIPE
    )
    try:
        _wait_until_exec(holder.pid, "git")  # Popen returns between fork and exec
        with pytest.raises(GitError) as caught:
            sync(world.root)
    finally:
        holder.communicate(b"")
    assert f"pid {holder.pid}" in str(caught.value) and caught.value.retryable
    assert lock.exists()
    assert sync(world.root).recovered == ("removed stale .git/index.lock",)  # once it is gone


def _wait_until_exec(pid: int, comm: str) -> None:
    comm_file = Path(f"/proc/{pid}/comm")
    deadline = time.monotonic() + 10
    while comm_file.exists() and not comm_file.read_text().startswith(comm):
        assert time.monotonic() < deadline, f"pid {pid} never ran {comm}"
        time.sleep(0.005)


def test_our_rebase_stopped_half_way_is_finished(world: World) -> None:
    # our commit and the other reconciler's both write report a: a rebase that stops half way,
    # as one killed mid-rebase does (HEAD detached, .git/rebase-merge present)
    other = world.clone("other-reconciler")
    world.report(other, "a", "theirs\n")
    push(other)
    ours = world.report(world.root, "a", "ours\n")
    assert ours is not None
    git(world.root, "fetch", "-q")
    upstream = git(world.root, "rev-parse", "origin/main").strip()
    with session(world.root) as s:
        write_journal(s, Journal("rebase", "refs/heads/main", ours, upstream))
    git(world.root, "rebase", "origin/main", check=False)
    assert (world.root / ".git" / "rebase-merge").is_dir()
    # killed mid-pick, a rebase can leave the pick's CHERRY_PICK_HEAD as well (test_killed saw it)
    (world.root / ".git" / "CHERRY_PICK_HEAD").write_text(ours + "\n")
    result = sync(world.root)
    assert result.recovered == ("finished an interrupted rebase: refs/heads/main at " + ours[:12],)
    assert result.dropped == 1 and result.head == upstream
    assert git(world.root, "status", "--porcelain") == ""
    assert not (world.root / ".git" / "katib-gitops-op").exists()
    assert not (world.root / ".git" / "CHERRY_PICK_HEAD").exists()
    assert sync(world.root).recovered == ()


def test_our_fast_forward_killed_before_it_wrote_the_index_is_finished(world: World) -> None:
    old = git(world.root, "rev-parse", "HEAD").strip()
    world.human_push("specs/demo/b.yaml", "name: b\n", "add spec b")
    new = world.human_push("specs/demo/a.yaml", "name: a\nmax: 3\n")
    git(world.root, "fetch", "-q")
    # half a checkout: the work tree has some of the new commit's files, the index and HEAD not
    archive = world.base / "half.tar"
    git(world.root, "archive", "-o", str(archive), new, "specs/demo")
    with tarfile.open(archive) as tar:
        tar.extractall(world.root, filter="data")
    with session(world.root) as s:
        write_journal(s, Journal("reset", "refs/heads/main", new, old))
    assert "specs/demo/a.yaml" in git(world.root, "status", "--porcelain")
    result = sync(world.root)
    assert result.recovered == (f"finished an interrupted reset: refs/heads/main at {new[:12]}",)
    assert result.head == new and git(world.root, "status", "--porcelain") == ""


def test_the_same_half_checkout_without_our_journal_is_refused(world: World) -> None:
    new = world.human_push("specs/demo/b.yaml", "name: b\n", "add spec b")
    git(world.root, "fetch", "-q")
    archive = world.base / "half.tar"
    git(world.root, "archive", "-o", str(archive), new, "specs/demo")
    with tarfile.open(archive) as tar:
        tar.extractall(world.root, filter="data")
    with pytest.raises(GitError, match=r"has changes outside reports: specs/demo/b\.yaml"):
        sync(world.root)


def test_a_broken_journal_is_refused(world: World) -> None:
    (world.root / ".git" / "katib-gitops-op").write_text("garbage\n")
    with pytest.raises(GitError, match="is not a katib-gitops journal"):
        sync(world.root)


def test_our_rebase_killed_as_it_began_is_finished(world: World) -> None:
    ours = world.report(world.root, "a", "ours\n")
    assert ours is not None
    world.human_push("specs/demo/a.yaml", "name: a\nmax: 3\n")
    git(world.root, "fetch", "-q")
    upstream = git(world.root, "rev-parse", "origin/main").strip()
    with session(world.root) as s:
        write_journal(s, Journal("rebase", "refs/heads/main", ours, upstream))
    (world.root / ".git" / "rebase-merge").mkdir()  # its state folder, not yet written
    result = sync(world.root)
    assert result.recovered == ("finished an interrupted rebase: refs/heads/main at " + ours[:12],)
    assert result.rebased == 1 and git(world.root, "rev-parse", "HEAD^").strip() == upstream
    assert not (world.root / ".git" / "rebase-merge").exists()
