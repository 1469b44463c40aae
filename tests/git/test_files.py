"""Files at a revision (tree_ids, export_tree, read_tree, revision) and commit_paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.git_repo import (
    IDENTITY,
    GitError,
    commit_paths,
    export_tree,
    read_tree,
    revision,
    state_dir,
    tree_ids,
    unpushed,
)
from tests.git.conftest import World, as_human, git


def test_tree_ids_of_folders_and_files_and_absent_paths(world: World) -> None:
    ids = tree_ids(world.root, "HEAD", ["specs", "specs/demo/a.yaml", "reports/demo", "nope"])
    assert ids["specs"] == git(world.root, "rev-parse", "HEAD:specs").strip()
    assert (
        ids["specs/demo/a.yaml"] == git(world.root, "rev-parse", "HEAD:specs/demo/a.yaml").strip()
    )
    assert ids["reports/demo"] == "" and ids["nope"] == ""


def test_tree_ids_tell_whether_a_folder_changed(world: World) -> None:
    before = tree_ids(world.root, "HEAD", ["specs", "generated"])
    world.report(world.root, "a", "ours\n")
    after = tree_ids(world.root, "HEAD", ["specs", "generated"])
    assert before == after  # a report commit changes neither
    assert tree_ids(world.root, "HEAD~1", ["specs"]) == {"specs": before["specs"]}


def test_tree_ids_of_a_bad_revision(world: World) -> None:
    with pytest.raises(GitError, match="'no-such-branch' is not a revision"):
        tree_ids(world.root, "no-such-branch", ["specs"])


def test_export_tree_writes_a_revisions_files(world: World, tmp_path: Path) -> None:
    first = revision(world.root)
    world.write(world.root, "specs/demo/a.yaml", "name: a\nmax: 9\n")
    (world.root / "specs/demo/run.sh").write_text("#!/bin/sh\n")
    (world.root / "specs/demo/run.sh").chmod(0o755)
    (world.root / "specs/demo/link").symlink_to("/etc/passwd")
    git(world.root, "add", "specs")
    git(world.root, "commit", "-q", "-m", "edit", env=as_human())
    written = export_tree(world.root, "HEAD", ["specs", "reports/index.md"], tmp_path / "out")
    assert written == ["reports/index.md", "specs/demo/a.yaml", "specs/demo/run.sh"]
    assert (tmp_path / "out/specs/demo/a.yaml").read_text() == "name: a\nmax: 9\n"
    assert (tmp_path / "out/specs/demo/run.sh").stat().st_mode & 0o111
    assert not (tmp_path / "out/specs/demo/link").exists()  # symbolic links never leave
    assert export_tree(world.root, first, ["specs"], tmp_path / "old") == ["specs/demo/a.yaml"]
    assert (tmp_path / "old/specs/demo/a.yaml").read_text() == "name: a\n"
    assert export_tree(world.root, "HEAD", ["absent"], tmp_path / "none") == []


def test_export_tree_refuses_a_folder_with_files(world: World, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep").write_text("")
    with pytest.raises(GitError, match="is not empty"):
        export_tree(world.root, "HEAD", ["specs"], tmp_path / "out")


def test_read_tree_and_revision_still_answer(world: World) -> None:
    assert read_tree(world.root, "HEAD", "specs") == {"demo/a.yaml": b"name: a\n"}
    assert read_tree(world.root, "HEAD", "absent") == {}
    assert read_tree(world.root, "HEAD", "reports/index.md") == {}  # a file is not a folder
    assert revision(world.root, "HEAD") == git(world.root, "rev-parse", "HEAD").strip()
    with pytest.raises(GitError, match="is not a revision"):
        revision(world.root, "nope")


def test_commit_paths_as_our_identity_and_no_empty_commit(world: World) -> None:
    sha = world.report(world.root, "a", "ours\n")
    who = git(world.root, "log", "-1", "--format=%an|%ae|%cn|%ce").strip()
    assert who == f"{IDENTITY.name}|{IDENTITY.email}|{IDENTITY.name}|{IDENTITY.email}"
    assert world.report(world.root, "a", "ours\n") is None  # unchanged: no commit
    assert revision(world.root) == sha and unpushed(world.root) == 1


def test_commit_paths_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="is not in a git repository"):
        commit_paths(tmp_path, ["x"], "m")


def test_state_dir_is_inside_git_and_never_a_change(world: World) -> None:
    folder = state_dir(world.root / "specs")
    (folder / "verified.json").write_text("[]")
    assert folder == world.root / ".git" / "katib-gitops"
    assert git(world.root, "status", "--porcelain") == ""
