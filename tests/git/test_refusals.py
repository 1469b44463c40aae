"""sync refuses what a human must sort out: each refusal says what and where, with a hint, and
changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.git_repo import IDENTITY, GitError, commit_paths, sync
from tests.git.conftest import World, as_human, git


def refused(root: Path, **kw: object) -> GitError:
    with pytest.raises(GitError) as caught:
        sync(root, **kw)  # type: ignore[arg-type]
    err = caught.value
    assert err.exit_code == 2 and err.hint and not err.retryable
    return err


def test_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    assert "is not in a git repository" in str(refused(tmp_path / "plain"))


def test_a_bare_repository(world: World) -> None:
    assert "is a bare repository" in str(refused(world.remote))


def test_a_detached_head(world: World) -> None:
    git(world.root, "checkout", "-q", "--detach")
    err = refused(world.root)
    assert "HEAD is detached" in str(err) and "git switch" in err.hint


def test_no_upstream_and_no_branch(world: World) -> None:
    git(world.root, "switch", "-q", "-c", "local-only")
    err = refused(world.root)
    assert "branch local-only" in str(err) and "has no upstream on origin" in str(err)
    assert "branch=" in err.hint


def test_an_unknown_remote(world: World) -> None:
    assert "no remote named 'upstream'" in str(refused(world.root, remote="upstream"))


def test_changes_outside_the_owned_folders_are_listed_and_left_alone(world: World) -> None:
    world.write(world.root, "specs/demo/a.yaml", "name: a\nmax: 9\n")
    world.write(world.root, "notes.txt", "mine\n")
    world.write(world.root, "reports/demo/a/README.md", "ours\n")
    err = refused(world.root)
    assert "has changes outside reports: notes.txt, specs/demo/a.yaml" in str(err)
    assert (world.root / "specs/demo/a.yaml").read_text() == "name: a\nmax: 9\n"
    assert (world.root / "reports/demo/a/README.md").exists()  # not restored either


def test_a_human_commit_not_on_the_upstream_is_divergence(world: World) -> None:
    world.write(world.root, "specs/demo/a.yaml", "name: a\nmax: 9\n")
    git(world.root, "commit", "-q", "-am", "tune a", env=as_human())
    sha = git(world.root, "rev-parse", "--short=12", "HEAD").strip()
    err = refused(world.root)
    message = str(err)
    assert "has diverged from origin/main" in message
    assert f"{sha} 'tune a' (by Ada Human <ada@example.com>; changes specs/demo/a.yaml)" in message
    assert "git reset --hard origin/main" in err.hint


def test_our_commit_touching_a_spec_is_divergence(world: World) -> None:
    ok = world.report(world.root, "a", "ours\n")
    path = world.write(world.root, "specs/demo/a.yaml", "name: a\nmax: 9\n")
    commit_paths(world.root, [path], "not a report", identity=IDENTITY)
    message = str(refused(world.root))
    assert "1 of its 2 unpushed commits" in message and "changes specs/demo/a.yaml" in message
    assert ok is not None and ok[:12] not in message


def test_a_human_report_commit_is_divergence(world: World) -> None:
    world.write(world.root, "reports/demo/a/README.md", "hand-written\n")
    git(world.root, "add", "reports")
    git(world.root, "commit", "-q", "-m", "my report", env=as_human())
    assert "'my report' (by Ada Human <ada@example.com>)" in str(refused(world.root))


def test_a_merge_commit_is_divergence(world: World) -> None:
    git(world.root, "switch", "-q", "-c", "side")
    world.report(world.root, "b", "side\n")
    git(world.root, "switch", "-q", "main")
    world.report(world.root, "a", "main\n")
    git(world.root, "merge", "-q", "--no-ff", "-m", "merge side", "side", env=as_human())
    assert "'merge side' (a merge)" in str(refused(world.root))


def _human_rebase_stopped_on_a_conflict(world: World) -> None:
    world.human_push("specs/demo/a.yaml", "name: a\nmax: 3\n")
    world.write(world.root, "specs/demo/a.yaml", "name: a\nmax: 4\n")
    git(world.root, "commit", "-q", "-am", "mine", env=as_human())
    git(world.root, "fetch", "-q")
    git(world.root, "rebase", "origin/main", env=as_human(), check=False)
    assert (world.root / ".git" / "rebase-merge").is_dir()


def test_a_rebase_left_by_someone_else(world: World) -> None:
    _human_rebase_stopped_on_a_conflict(world)
    err = refused(world.root)
    assert "a rebase is in progress" in str(err) and "not started by katib-gitops" in str(err)
    assert "git rebase --abort" in err.hint
    assert (world.root / ".git" / "rebase-merge").is_dir()  # left as it was


def test_a_merge_left_by_someone_else(world: World) -> None:
    world.human_push("specs/demo/a.yaml", "name: a\nmax: 3\n")
    world.write(world.root, "specs/demo/a.yaml", "name: a\nmax: 4\n")
    git(world.root, "commit", "-q", "-am", "mine", env=as_human())
    git(world.root, "fetch", "-q")
    git(world.root, "merge", "origin/main", env=as_human(), check=False)
    assert "a merge is in progress" in str(refused(world.root))
