"""push: racing humans and another reconciler for main; nothing of anyone's is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.git_repo import IDENTITY, GitError, PushResult, commit_paths, push, sync, unpushed
from tests.git.conftest import World, git


def test_nothing_to_push(world: World) -> None:
    assert push(world.root) == PushResult(
        pushed=False, attempts=0, rebased=False, regenerated=False
    )


def test_a_human_commit_between_sync_and_push_is_kept(world: World) -> None:
    sync(world.root)
    world.report(world.root, "a", "best loss = 0.1\n")
    human = world.human_push("specs/demo/a.yaml", "name: a\nmax: 3\n")
    result = push(world.root)
    assert result == PushResult(pushed=True, attempts=2, rebased=True, regenerated=False)
    log = world.remote_log()
    assert log[1] == human  # the human's commit, unchanged, under ours
    assert world.remote_log("reports/demo/a/README.md") == [log[0]]
    assert unpushed(world.root) == 0


def test_two_reconcilers_push_different_reports_both_land(world: World) -> None:
    other = world.clone("other-reconciler")
    world.report(world.root, "a", "a: best 0.1\n")
    world.report(other, "b", "b: best 0.2\n")
    assert push(other).attempts == 1
    result = push(world.root)
    assert result.pushed and result.rebased and not result.regenerated
    assert world.remote_file("reports/demo/a/README.md") == "a: best 0.1\n"
    assert world.remote_file("reports/demo/b/README.md") == "b: best 0.2\n"
    assert len(world.remote_log("reports/demo")) == 2


def _regenerating(world: World, clone: Path, text: str) -> tuple[list[int], object]:
    calls: list[int] = []

    def regenerate() -> list[str]:
        calls.append(1)
        return [world.write(clone, "reports/demo/a/README.md", text)]

    return calls, regenerate


def test_the_same_report_the_loser_regenerates_on_top(world: World) -> None:
    other = world.clone("other-reconciler")
    world.report(other, "a", "3 trials, best 0.2\n")
    push(other)
    world.report(world.root, "a", "4 trials, best 0.1\n")
    calls, regenerate = _regenerating(world, world.root, "4 trials, best 0.1\n")
    result = push(world.root, regenerate=regenerate)  # type: ignore[arg-type]
    assert result == PushResult(pushed=True, attempts=2, rebased=False, regenerated=True)
    assert calls == [1]
    log = world.remote_log("reports/demo/a/README.md", fmt="%s")
    assert log == ["report: demo/a", "report: demo/a"]  # theirs kept under ours, the message kept
    assert world.remote_file("reports/demo/a/README.md") == "4 trials, best 0.1\n"


def test_the_same_report_with_the_same_observation_makes_no_second_commit(world: World) -> None:
    other = world.clone("other-reconciler")
    path = world.write(other, "reports/demo/a/README.md", "4 trials, best 0.1\n")
    commit_paths(other, [path], "report: demo/a (the other reconciler)", identity=IDENTITY)
    push(other)
    world.report(world.root, "a", "4 trials, best 0.1\n")
    _, regenerate = _regenerating(world, world.root, "4 trials, best 0.1\n")
    result = push(world.root, regenerate=regenerate)  # type: ignore[arg-type]
    assert result == PushResult(pushed=False, attempts=1, rebased=False, regenerated=True)
    assert len(world.remote_log("reports/demo/a/README.md")) == 1
    assert git(world.root, "rev-parse", "HEAD") == git(world.remote, "rev-parse", "main")


def test_a_commit_identical_to_the_remote_one_is_not_pushed_again(world: World) -> None:
    # two reconcilers, the same observation in the same second: byte-identical commits
    env = {"GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
    other = world.clone("other-reconciler")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        world.report(other, "a", "same\n")
        ours = world.report(world.root, "a", "same\n")
    push(other)
    assert push(world.root) == PushResult(
        pushed=False, attempts=1, rebased=False, regenerated=False
    )
    assert world.remote_log()[0] == ours
    assert unpushed(world.root) == 0


def test_the_same_report_without_regenerate_stops_and_keeps_our_commit(world: World) -> None:
    other = world.clone("other-reconciler")
    world.report(other, "a", "theirs\n")
    push(other)
    ours = world.report(world.root, "a", "ours\n")
    with pytest.raises(GitError) as caught:
        push(world.root)
    assert "reports/demo/a/README.md" in str(caught.value)
    assert "regenerate" in caught.value.hint and caught.value.retryable
    assert git(world.root, "rev-parse", "HEAD").strip() == ours
    assert sync(world.root).dropped == 1  # the next pass's sync resolves it


def test_gives_up_after_attempts_when_the_branch_keeps_moving(world: World) -> None:
    other = world.clone("other-reconciler")
    world.report(other, "a", "theirs 0\n")
    push(other)
    world.report(world.root, "a", "ours\n")
    round_ = [0]

    def regenerate() -> list[str]:  # and meanwhile, the other reconciler pushes again
        round_[0] += 1
        sync(other)
        world.report(other, "a", f"theirs {round_[0]}\n")
        push(other)
        return [world.write(world.root, "reports/demo/a/README.md", f"ours {round_[0]}\n")]

    with pytest.raises(GitError) as caught:
        push(world.root, attempts=3, regenerate=regenerate)
    assert "failed 3 times" in str(caught.value) and caught.value.retryable
    assert round_ == [3]
    assert unpushed(world.root) == 1  # our last regenerated commit waits for the next pass


def test_a_remote_hook_refusal_is_not_retryable(world: World) -> None:
    hook = world.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'main is protected' >&2\nexit 1\n")
    hook.chmod(0o755)
    world.report(world.root, "a", "ours\n")
    with pytest.raises(GitError) as caught:
        push(world.root)
    assert "refused the push" in str(caught.value) and "main is protected" in str(caught.value)
    assert not caught.value.retryable


def test_push_refuses_uncommitted_changes(world: World) -> None:
    world.report(world.root, "a", "ours\n")
    world.write(world.root, "reports/demo/a/README.md", "not committed\n")
    with pytest.raises(GitError, match=r"uncommitted changes: reports/demo/a/README.md"):
        push(world.root)


def test_regenerate_may_not_write_outside_the_owned_folders(world: World) -> None:
    other = world.clone("other-reconciler")
    world.report(other, "a", "theirs\n")
    push(other)
    world.report(world.root, "a", "ours\n")
    with pytest.raises(GitError, match=r"outside reports: specs/demo/a.yaml"):
        push(world.root, regenerate=lambda: ["specs/demo/a.yaml"])
    assert world.remote_file("specs/demo/a.yaml") == "name: a\n"
