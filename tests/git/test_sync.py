"""sync: fast-forward, our unpushed report commits replayed on the upstream, a killed pass's
leftovers restored."""

from __future__ import annotations

from compiler.git_repo import IDENTITY, push, sync, unpushed
from tests.git.conftest import World, git


def test_fast_forward_to_a_human_commit(world: World) -> None:
    human = world.human_push("specs/demo/a.yaml", "name: a\nmax: 3\n")
    result = sync(world.root)
    assert result.fast_forwarded and result.rebased == 0 and result.dropped == 0
    assert result.head == result.upstream == human
    assert (world.root / "specs/demo/a.yaml").read_text() == "name: a\nmax: 3\n"
    assert git(world.root, "status", "--porcelain") == ""


def test_a_second_sync_has_nothing_to_do(world: World) -> None:
    sync(world.root)
    again = sync(world.root)
    assert not again.fast_forwarded and again.rebased == 0
    assert again.restored == () and again.recovered == ()


def test_our_unpushed_commit_is_rebased_onto_a_human_commit(world: World) -> None:
    ours = world.report(world.root, "a", "best loss = 0.1\n")
    human = world.human_push("specs/demo/a.yaml", "name: a\nmax: 3\n")
    result = sync(world.root)
    assert result.rebased == 1 and not result.fast_forwarded
    assert result.head != ours  # replayed: a new commit whose parent is the human's
    assert git(world.root, "rev-parse", "HEAD^").strip() == human
    who = git(world.root, "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip()
    assert who == f"{IDENTITY.name} <{IDENTITY.email}>|{IDENTITY.name} <{IDENTITY.email}>"
    assert unpushed(world.root) == 1
    assert push(world.root).pushed
    assert world.remote_log()[:2] == [result.head, human]


def test_our_commit_is_dropped_when_the_upstream_wrote_the_same_report(world: World) -> None:
    other = world.clone("other-reconciler")
    world.report(other, "a", "best loss = 0.2 (seen by the other reconciler)\n")
    push(other)
    world.report(world.root, "a", "best loss = 0.1\n")
    result = sync(world.root)
    assert result.dropped == 1 and result.fast_forwarded and result.rebased == 0
    assert result.head == result.upstream
    text = (world.root / "reports/demo/a/README.md").read_text()
    assert text == "best loss = 0.2 (seen by the other reconciler)\n"  # no line-by-line merge
    assert unpushed(world.root) == 0


def test_owned_paths_left_dirty_are_restored(world: World) -> None:
    world.report(world.root, "a", "v1\n")
    push(world.root)
    world.write(world.root, "reports/demo/a/README.md", "half written")  # tracked, changed
    world.write(world.root, "reports/demo/b/trials.csv", "id\n")  # untracked
    world.write(world.root, "reports/index.md", "# Reports\n- a\n")
    git(world.root, "add", "reports/index.md")  # staged
    result = sync(world.root)
    assert result.restored == (
        "reports/demo/a/README.md",
        "reports/demo/b/trials.csv",
        "reports/index.md",
    )
    assert (world.root / "reports/demo/a/README.md").read_text() == "v1\n"
    assert not (world.root / "reports/demo/b").exists()  # the emptied folder too
    assert git(world.root, "status", "--porcelain") == ""


def test_sync_with_an_explicit_branch_and_no_upstream_configured(world: World) -> None:
    git(world.root, "switch", "-q", "-c", "reconciler")  # no upstream
    human = world.human_push("specs/demo/a.yaml", "name: a\nmax: 4\n")
    result = sync(world.root, branch="main")
    assert result.head == human
    assert git(world.root, "branch", "--show-current").strip() == "reconciler"
