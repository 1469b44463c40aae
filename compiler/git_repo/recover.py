"""What a killed pass leaves behind, and how the next pass cleans it up.

A pass can be killed (SIGKILL, a pod evicted) between any two instructions, git's included.
Three things can be left: lock files git did not get to remove; a half-moved HEAD (a rebase, or
the reset that fast-forwards); and report files written but not committed (see `sync.tidy`).

Every HEAD move of ours is journalled: `.git/katib-gitops-op` names the branch, the commit to
return to and the other commit involved, written before the move and removed after it. A journal
found at the start of a pass is therefore an interrupted move of ours, and `finish` completes it
by resetting the branch to the commit it names. A rebase or merge without our journal is a
human's, and is refused.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from compiler.git_repo.errors import GitError
from compiler.git_repo.session import Session

JOURNAL = "katib-gitops-op"

# what git leaves in .git while a command is half done (the states `git status` reports)
_IN_PROGRESS = {
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase or `git am`",
    "MERGE_HEAD": "a merge",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "BISECT_LOG": "a bisect",
}
_REBASE = ("rebase-merge", "rebase-apply")


@dataclass(frozen=True)
class Journal:
    kind: str  # "rebase" or "reset"
    branch: str  # refs/heads/<branch>
    target: str  # the commit the branch is reset to when the move is found interrupted
    other: str  # the commit on the other side (rebase: the upstream; reset: where HEAD was)


def write_journal(s: Session, journal: Journal) -> None:
    path = s.git_dir / JOURNAL
    tmp = path.with_name(JOURNAL + ".tmp")
    tmp.write_text(f"{journal.kind} {journal.branch} {journal.target} {journal.other}\n")
    tmp.replace(path)  # atomic: a journal is whole or absent


def clear_journal(s: Session) -> None:
    (s.git_dir / JOURNAL).unlink(missing_ok=True)


def recover(s: Session) -> list[str]:
    """Clean up after a killed pass; what was done, in words. Refuses a repository that a
    human left mid-operation, or whose locks a running git process holds."""
    done = remove_stale_locks(s)
    journal = _read_journal(s)
    states = [name for name in _IN_PROGRESS if (s.git_dir / name).exists()]
    # a rebase of ours, killed mid-pick, may also leave the pick's CHERRY_PICK_HEAD
    ours = journal is not None and journal.kind == "rebase" and bool(set(states) & set(_REBASE))
    if states and not ours:
        what = ", ".join(_IN_PROGRESS[name] for name in states)
        raise GitError(
            f"{what} is in progress in {s.top}, not started by katib-gitops",
            "finish or abort it (e.g. git rebase --abort, git merge --abort) before the next pass",
        )
    if journal is not None:
        done.append(finish(s, journal))
    return done


def finish(s: Session, journal: Journal) -> str:
    """Complete an interrupted move: forget a rebase's state, put HEAD back on the branch and
    reset the branch, index and work tree to the journal's target (which also clears a
    CHERRY_PICK_HEAD or MERGE_HEAD)."""
    if any((s.git_dir / name).exists() for name in _REBASE):
        status, _, _ = s.attempt("rebase", "--quit")
        if status != 0:  # its state was half written when the kill came: remove it ourselves
            for name in _REBASE:
                shutil.rmtree(s.git_dir / name, ignore_errors=True)
    s.run("symbolic-ref", "HEAD", journal.branch)
    s.run("reset", "--hard", "-q", journal.target)
    # a checkout killed before it wrote the index leaves files of the other commit untracked
    untracked = set(s.run("ls-files", "-z", "--others", "--exclude-standard").split("\0"))
    other = set(s.run("ls-tree", "-r", "-z", "--name-only", journal.other).split("\0"))
    for path in untracked & other:
        if path:
            (s.top / path).unlink(missing_ok=True)
    clear_journal(s)
    return f"finished an interrupted {journal.kind}: {journal.branch} at {journal.target[:12]}"


def _read_journal(s: Session) -> Journal | None:
    path = s.git_dir / JOURNAL
    if not path.exists():
        return None
    fields = path.read_text().split()
    if len(fields) != 4:
        raise GitError(f"{path} is not a katib-gitops journal", f"remove {path} by hand")
    return Journal(*fields)


def remove_stale_locks(s: Session) -> list[str]:
    """Remove the lock files a killed git left. The rule: a lock is stale when no git process
    uses this repository (none has its working directory in it). Any git whose directory we
    cannot read (another user's) counts as using it, and without /proc we cannot tell, so we
    refuse. GitPython's persistent `cat-file` children of ours take no lock, and do not count.
    The race between looking and removing is closed by comparing each lock's inode and mtime
    before the process scan and just before unlink: a lock created in between is another file."""
    locks = [*s.git_dir.glob("*.lock"), *s.git_dir.glob("refs/**/*.lock")]
    before = {lock: _identity(lock) for lock in locks}
    if not any(before.values()):
        return []
    users = _git_processes((s.top.resolve(), s.git_dir.resolve()))
    names = ", ".join(sorted(str(lock.relative_to(s.git_dir)) for lock in locks))
    if users is None:
        raise GitError(
            f"{s.git_dir} has lock files ({names}) and this system has no /proc to tell whether "
            "a git process holds them",
            "remove them by hand once no git process runs in the clone",
        )
    if users:
        raise GitError(
            f"{s.git_dir} is locked ({names}) by running git processes (pid "
            f"{', '.join(map(str, users))})",
            "wait for them to finish; the next pass tries again",
            retryable=True,
        )
    removed = []
    for lock, seen in before.items():
        if seen is not None and _identity(lock) == seen:
            lock.unlink(missing_ok=True)
            removed.append(str(lock.relative_to(s.git_dir)))
    return [f"removed stale .git/{name}" for name in sorted(removed)]


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


def _git_processes(dirs: tuple[Path, ...]) -> list[int] | None:
    """The pids of git processes working in one of `dirs`; None without /proc."""
    proc = Path("/proc")
    if not (proc / "self" / "cwd").exists():
        return None
    me, found = os.getpid(), []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            if not (entry / "comm").read_text().startswith("git"):
                continue
            state, parent = _state(entry)
            if state in "ZX":  # dead, not yet reaped: it holds nothing
                continue
            if parent == me and b"\0cat-file\0" in (entry / "cmdline").read_bytes():
                continue
            cwd = (entry / "cwd").readlink()
        except (FileNotFoundError, ProcessLookupError):
            continue  # it exited meanwhile
        except PermissionError:
            found.append(int(entry.name))
            continue
        if any(cwd == d or d in cwd.parents for d in dirs):
            found.append(int(entry.name))
    return sorted(found)


def _state(entry: Path) -> tuple[str, int]:
    # /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ")"
    state, ppid = (entry / "stat").read_text().rpartition(")")[2].split()[:2]
    return state, int(ppid)
