"""The upstream branch, and the calls that talk to the remote: clone, fetch and push."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import git

from compiler.git_repo.errors import GitError, tail
from compiler.git_repo.session import Session, git_env

TIMEOUT = 120.0  # seconds for one fetch or push; the next pass tries again

_PASSWORD = re.compile(r"://[^/\s@]*:[^/\s]*@")  # userinfo with a password: user:token@

# stderr of a remote that will not let us in: a human must fix the credentials
_DENIED = (
    "authentication failed",
    "could not read username",
    "could not read password",
    "terminal prompts disabled",
    "permission denied",
    "host key verification failed",
    "invalid username or password",
    "the requested url returned error: 401",
    "the requested url returned error: 403",
)
# the remote or the branch is not there: a human must fix the address
_ABSENT = (
    "not found",  # GitHub's "Repository not found", git's "repository '<url>' not found"
    "does not appear to be a git repository",
    "does not exist",
    "couldn't find remote ref",
    "the requested url returned error: 404",
)


@dataclass(frozen=True)
class Upstream:
    remote: str
    branch: str  # on the remote

    @property
    def tracking(self) -> str:
        return f"refs/remotes/{self.remote}/{self.branch}"

    def __str__(self) -> str:
        return f"{self.remote}/{self.branch}"


def upstream(s: Session, remote: str, branch: str | None) -> Upstream:
    """`remote`/`branch`, or the branch HEAD's branch tracks on `remote`."""
    local = s.branch_ref().removeprefix("refs/heads/")
    if remote not in {r.name for r in s.repo.remotes}:
        raise GitError(f"{s.top} has no remote named {remote!r}", "git remote add, or pass remote=")
    if branch is None:
        config = s.repo.config_reader()
        section = f'branch "{local}"'
        if config.get_value(section, "remote", "") == remote:
            branch = str(config.get_value(section, "merge", "")).removeprefix("refs/heads/")
    if not branch:
        raise GitError(
            f"branch {local} of {s.top} has no upstream on {remote}",
            f"pass branch=, or set one: git branch --set-upstream-to={remote}/<branch>",
        )
    return Upstream(remote, branch)


def fetch(s: Session, up: Upstream, timeout: float) -> str:
    """Update the tracking ref from the remote; the upstream's commit."""
    status, _, err = s.attempt(
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        up.remote,
        f"+refs/heads/{up.branch}:{up.tracking}",
        timeout=timeout,
    )
    if status != 0:
        raise remote_error("fetch from", _where(s, up), err, timeout)
    return s.sha(up.tracking)


#: what a remote says when another push took the branch between its check and its update
LOST_RACE = ("cannot lock ref", "incorrect old value provided")


def push_once(s: Session, up: Upstream, timeout: float) -> str:
    """Push HEAD to the upstream branch: "pushed", "up to date" (the remote has this very
    commit: another writer made the same one), or "rejected" (the remote has moved on: someone
    pushed first). Anything else raises."""
    status, out, err = s.attempt(
        "push", "--porcelain", up.remote, f"HEAD:refs/heads/{up.branch}", timeout=timeout
    )
    if status == 0:
        s.run("update-ref", up.tracking, s.sha())
        # porcelain: "<flag>\t<from>:<to>\t<summary>"; "=" is an up-to-date ref
        same = any(line.startswith("=\t") for line in out.splitlines())
        return "up to date" if same else "pushed"
    refused = [line for line in out.splitlines() if line.startswith("!")]
    if any("[rejected]" in line for line in refused):
        return "rejected"
    if refused and any(words in f"{refused[0]} {err}" for words in LOST_RACE):
        return "rejected"  # another push moved the ref between the remote's check and its lock
    if refused:  # [remote rejected]: a hook or a branch protection said no
        reason = refused[0].split("\t")[-1]
        raise GitError(
            f"{up.remote} refused the push to {up.branch}: {reason}; {tail(err)}",
            "the reconciler needs push access to the branch (check branch protection)",
        )
    raise remote_error("push to", _where(s, up), err, timeout)


def clone(
    url: str,
    root: Path,
    *,
    branch: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> None:
    """Clone `url` into `root` (absent or empty), checking `branch` (or the default) out."""
    if _PASSWORD.search(url):
        raise GitError(
            f"the clone URL {url} carries a password or token: git would keep it in .git/config",
            "give the URL without it, and the token as a mounted Secret (credentials)",
        )
    if root.exists() and any(root.iterdir()):
        raise GitError(f"cannot clone into {root}: it is not empty", "give an empty folder")
    existed = root.exists()  # e.g. an emptyDir volume: empty it on failure, keep the mount
    root.parent.mkdir(parents=True, exist_ok=True)
    chosen = ["--branch", branch] if branch else []
    execute: Any = git.Git(str(root.parent)).execute
    status, _, err = execute(
        ["git", "clone", "--quiet", *chosen, "--", url, str(root)],
        with_extended_output=True,
        with_exceptions=False,
        env=git_env(env),
        kill_after_timeout=timeout,
    )
    if status != 0:
        for leftover in root.iterdir() if existed else [root]:  # a clone killed half way
            shutil.rmtree(leftover, ignore_errors=True)
        raise remote_error("clone of", url, err, timeout)


def _where(s: Session, up: Upstream) -> str:
    return f"{up} ({s.repo.remote(up.remote).url})"


def remote_error(action: str, where: str, err: str, timeout: float) -> GitError:
    """A failed fetch or push, classified: retryable unless the remote refused us or is absent."""
    lowered = err.lower()
    if err.startswith("Timeout:"):
        return GitError(
            f"git {action} {where} timed out after {timeout:g}s",
            "the next pass tries again",
            retryable=True,
        )
    if any(word in lowered for word in _DENIED):
        return GitError(
            f"git {action} {where} was denied: {tail(err)}",
            "check the git credentials (token, or ssh-privatekey and known_hosts)",
        )
    if any(word in lowered for word in _ABSENT):
        return GitError(f"git {action} {where} failed: {tail(err)}", "check the remote and branch")
    return GitError(
        f"git {action} {where} failed: {tail(err)}", "the next pass tries again", retryable=True
    )
