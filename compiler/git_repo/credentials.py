"""Git credentials from a mounted Kubernetes Secret (one file per key), as environment.

- SSH (a `kubernetes.io/ssh-auth` Secret): `ssh-privatekey`, with `known_hosts` pinning the host
  keys; git runs ssh with that key only and refuses unknown hosts.
- HTTPS: `token` (or `password`, a `kubernetes.io/basic-auth` Secret), optional `username`.
  A credential helper, configured through GIT_CONFIG_COUNT, reads them from the files when git
  asks: the token is never in argv, in the remote URL, in .git/config or in a log.

Paths stay as mounted (absolute, not resolved): Kubernetes swaps the `..data` symlink when the
Secret changes, and the next git call reads the new files.
"""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

from compiler.git_repo.errors import GitError
from compiler.git_repo.session import set_credentials

DEFAULT_USERNAME = "x-access-token"  # GitHub's for tokens; GitLab and Gitea accept any name


def credentials_env(folder: Path) -> dict[str, str]:
    """The environment that makes git authenticate with the Secret mounted at `folder`."""
    folder = folder.absolute()
    env: dict[str, str] = {}
    if (folder / "ssh-privatekey").is_file():
        env |= _ssh(folder / "ssh-privatekey", folder / "known_hosts")
    secret = next((folder / n for n in ("token", "password") if (folder / n).is_file()), None)
    if secret is not None:
        env |= _helper(secret, folder / "username")
    if not env:
        raise GitError(
            f"{folder} holds no git credentials",
            "mount a Secret with ssh-privatekey and known_hosts, or with token (and username)",
        )
    return env


def use_credentials(folder: Path | None) -> None:
    """Every later git call of this room authenticates with the Secret at `folder` (None: with
    none). Only this room's git calls see them, not os.environ."""
    set_credentials(credentials_env(folder) if folder is not None else {})


def _ssh(key: Path, known_hosts: Path) -> dict[str, str]:
    if not known_hosts.is_file():
        raise GitError(
            f"{key} comes without {known_hosts.name}: the server's host key must be pinned",
            "add known_hosts to the Secret (ssh-keyscan <host>, checked against the host's "
            "published fingerprints)",
        )
    mode = key.stat()
    # ssh refuses a key of ours that others can read; a root-owned 0644 mount passes
    if mode.st_uid == os.getuid() and stat.S_IMODE(mode.st_mode) & 0o077:
        raise GitError(
            f"{key} can be read by others (mode {stat.S_IMODE(mode.st_mode):o}); ssh refuses it",
            "set defaultMode: 0400 on the Secret volume",
        )
    options = [
        "-i", str(key),
        "-o", "IdentitiesOnly=yes",
        "-o", f"UserKnownHostsFile={known_hosts}",
        "-o", "StrictHostKeyChecking=yes",
        "-o", "BatchMode=yes",
        "-o", "ConnectTimeout=30",
    ]  # fmt: skip
    return {"GIT_SSH_COMMAND": shlex.join(["ssh", *options])}


def _helper(secret: Path, username: Path) -> dict[str, str]:
    if not secret.read_text().strip():
        raise GitError(f"{secret} is empty", "put the token in the Secret")
    user = (
        f"IFS= read -r u < {shlex.quote(str(username))}"
        if username.is_file()
        else f"u={DEFAULT_USERNAME}"
    )
    # git runs "<helper> get" through sh and reads key=value lines from its stdout; `read` and
    # `printf` are sh builtins, so the token passes through no other process's argv
    script = (
        f'!f() {{ test "$1" = get || return 0; {user}; '
        f"IFS= read -r p < {shlex.quote(str(secret))}; "
        'printf \'username=%s\\npassword=%s\\n\' "$u" "$p"; }; f'
    )
    # the empty helper first: it clears helpers configured elsewhere (a `store` helper would
    # write the token to ~/.git-credentials)
    return {
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "credential.helper",
        "GIT_CONFIG_VALUE_0": "",
        "GIT_CONFIG_KEY_1": "credential.helper",
        "GIT_CONFIG_VALUE_1": script,
    }
