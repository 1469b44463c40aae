"""Bring the reconciler's clone up to its upstream, keeping our unpushed report commits.

The clone is the reconciler's; in it, the `owned` folders (reports/) are ours alone and
everything else is the humans'. So a local commit is ours only when katib-gitops wrote it (author
and committer) and it touches owned paths only, and we never merge: we fast-forward, or replay
our commits on top of the upstream. When the upstream changed a file our unpushed commits also
change (another reconciler wrote the same report), git would merge two observations line by line;
instead our commits are dropped and the report is written again from the current observation.

`root` is the clone's top folder; `owned` paths are relative to it. Credentials come from
`use_credentials` (or `env=`, e.g. `credentials_env(folder)`), for the fetch as for every call.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from compiler.git_repo.errors import GitError
from compiler.git_repo.recover import Journal, clear_journal, finish, recover, write_journal
from compiler.git_repo.remote import TIMEOUT, Upstream, fetch, upstream
from compiler.git_repo.session import IDENTITY, Identity, Session, session


@dataclass(frozen=True)
class Sync:
    head: str  # HEAD after the sync
    upstream: str  # the upstream's commit, as fetched
    fast_forwarded: bool  # HEAD moved to the upstream (no commits of ours to keep)
    rebased: int  # our unpushed commits replayed on top of the upstream
    restored: tuple[str, ...] = ()  # owned paths a killed pass left dirty, restored to HEAD
    dropped: int = 0  # our unpushed commits dropped: the upstream changed the same files
    recovered: tuple[str, ...] = ()  # what else a killed pass left, and what was done


@dataclass(frozen=True)
class Commit:
    sha: str
    merge: bool
    author: str  # "Name <email>"
    ours: bool  # author and committer are our identity
    subject: str
    paths: tuple[str, ...]


def sync(
    root: Path,
    *,
    remote: str = "origin",
    branch: str | None = None,
    owned: Sequence[str] = ("reports",),
    identity: Identity = IDENTITY,
    env: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> Sync:
    """Recover from a killed pass, fetch, and fast-forward or rebase onto the upstream."""
    with session(root, env) as s:
        recovered = tuple(recover(s))
        up = upstream(s, remote, branch)
        restored = tidy(s, owned)
        fetched = fetch(s, up, timeout)
        moved = integrate(s, up, identity, owned)
        return Sync(
            head=s.sha(),
            upstream=fetched,
            fast_forwarded=moved.fast_forwarded,
            rebased=moved.rebased,
            restored=restored,
            dropped=moved.dropped,
            recovered=recovered,
        )


def unpushed(
    root: Path,
    *,
    remote: str = "origin",
    branch: str | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """How many commits HEAD has that the upstream (as last fetched) has not."""
    with session(root, env) as s:
        up = upstream(s, remote, branch)
        return int(s.run("rev-list", "--count", f"{up.tracking}..HEAD").strip() or 0)


@dataclass(frozen=True)
class Moved:
    """What `integrate` did to HEAD."""

    fast_forwarded: bool = False
    rebased: int = 0
    dropped: int = 0
    conflict: tuple[str, ...] = ()  # the files both sides changed (or why the rebase failed)
    message: str = ""  # the dropped commits' messages, newest first: for the commit again


def integrate(
    s: Session, up: Upstream, identity: Identity, owned: Sequence[str], *, drop: bool = True
) -> Moved:
    """Move HEAD onto the fetched upstream: fast-forward, or replay our commits on it. When
    both sides changed the same files, drop ours and fast-forward (with drop=False, leave HEAD
    where it is and say so in `conflict`)."""
    ahead, behind = s.run("rev-list", "--left-right", "--count", f"HEAD...{up.tracking}").split()
    mine = local_commits(s, up, identity) if int(ahead) else []
    refuse_foreign(s, up, mine, identity, owned)
    if int(behind) == 0:
        return Moved()
    if not mine:
        move(s, s.sha(up.tracking))
        return Moved(fast_forwarded=True)
    conflict = overlap(s, up, mine)
    if not conflict:
        if rebase(s, up, identity):
            return Moved(rebased=len(mine))
        conflict = (f"the rebase of our commits onto {up} failed",)
    if not drop:
        return Moved(conflict=conflict)
    messages = s.run("log", "--format=%B%x00", f"{up.tracking}..HEAD").split("\0")
    message = "\n\n".join(m.strip() for m in messages if m.strip())
    move(s, s.sha(up.tracking))
    return Moved(fast_forwarded=True, dropped=len(mine), conflict=conflict, message=message)


def local_commits(s: Session, up: Upstream, identity: Identity) -> list[Commit]:
    """HEAD's commits that the upstream has not, newest first, with the paths each changes."""
    fields = "%x1e%H%x1f%P%x1f%an <%ae>%x1f%ae%x1f%ce%x1f%s"
    out = s.run(
        "-c", "core.quotePath=false", "log", "--no-renames", "--name-only",
        f"--format={fields}", f"{up.tracking}..HEAD",
    )  # fmt: skip
    commits = []
    for record in out.split("\x1e")[1:]:
        header, _, names = record.partition("\n")
        sha, parents, author, author_email, committer_email, subject = header.split("\x1f")
        commits.append(
            Commit(
                sha=sha,
                merge=len(parents.split()) > 1,
                author=author,
                ours=author_email == committer_email == identity.email,
                subject=subject,
                paths=tuple(name for name in names.splitlines() if name),
            )
        )
    return commits


def refuse_foreign(
    s: Session, up: Upstream, mine: list[Commit], identity: Identity, owned: Sequence[str]
) -> None:
    """Our unpushed commits may only be katib-gitops's, touching owned paths only."""
    foreign = []
    for c in mine:
        outside = [p for p in c.paths if not under(p, owned)]
        if c.merge or not c.ours or outside:
            why = "a merge" if c.merge else "" if c.ours else f"by {c.author}"
            if outside:
                why += ("; " if why else "") + "changes " + ", ".join(outside[:3])
            foreign.append(f"{c.sha[:12]} {c.subject!r} ({why})")
    if foreign:
        listing = "; ".join(foreign)
        raise GitError(
            f"{s.top} has diverged from {up}: {len(foreign)} of its {len(mine)} unpushed "
            f"commits are not {identity.name}'s report commits: {listing}",
            f"the reconciler's clone holds only its own commits to {', '.join(owned)}: move "
            f"those commits elsewhere, then `git reset --hard {up}` (or clone again)",
        )


def overlap(s: Session, up: Upstream, mine: list[Commit]) -> tuple[str, ...]:
    """The files the upstream changed since it forked that our commits change too."""
    theirs = s.run("diff", "--no-renames", "--name-only", "-z", f"HEAD...{up.tracking}")
    return tuple(sorted(set(theirs.split("\0")) & {p for c in mine for p in c.paths}))


def rebase(s: Session, up: Upstream, identity: Identity) -> bool:
    """Replay our commits on the upstream (committer: us); on failure, undo and say False."""
    journal = Journal("rebase", s.branch_ref(), s.sha(), s.sha(up.tracking))
    write_journal(s, journal)
    status, _, _ = s.attempt(
        "rebase", "--quiet", "--no-autostash", "--no-verify", up.tracking, env=identity.committer()
    )
    if status != 0:
        finish(s, journal)  # what the next pass would do had we been killed here
        return False
    clear_journal(s)
    return True


def move(s: Session, target: str) -> None:
    """Reset the branch, index and work tree to `target`, journalled (see recover.py)."""
    write_journal(s, Journal("reset", s.branch_ref(), target, s.sha()))
    s.run("reset", "--hard", "--quiet", target)
    clear_journal(s)


def tidy(s: Session, owned: Sequence[str]) -> tuple[str, ...]:
    """Restore owned paths that a killed pass left dirty (report files written but not
    committed: the pass writes them again) to HEAD; refuse changes anywhere else."""
    entries = status(s)
    outside = sorted(path for _, path in entries if not under(path, owned))
    if outside:
        shown = ", ".join(outside[:10]) + (f" and {len(outside) - 10} more" if outside[10:] else "")
        raise GitError(
            f"{s.top} has changes outside {', '.join(owned)}: {shown}",
            "the reconciler's clone is its own: commit and push those changes from another "
            "clone, then discard them here (git status shows them), or clone again",
        )
    tracked = [path for xy, path in entries if xy != "??"]
    if tracked:
        s.run("restore", "--source=HEAD", "--staged", "--worktree", "--", *tracked)
    for xy, path in entries:
        if xy == "??":
            _remove(s.top, path)
    return tuple(sorted(path for _, path in entries))


def status(s: Session) -> list[tuple[str, str]]:
    """(XY, path) of every changed or untracked file (git status --porcelain)."""
    out = s.run("--no-optional-locks", "status", "--porcelain=v1", "-z", "-uall", "--no-renames")
    return [(entry[:2], entry[3:]) for entry in out.split("\0") if entry]


def under(path: str, owned: Sequence[str]) -> bool:
    return any(path == o.strip("/") or path.startswith(o.strip("/") + "/") for o in owned)


def _remove(top: Path, path: str) -> None:
    """Remove an untracked file (or a folder git shows whole: a nested repository), and the
    folders it leaves empty."""
    target = top / path
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)
    for folder in target.parents:
        if folder == top or any(folder.iterdir()):
            break
        folder.rmdir()
