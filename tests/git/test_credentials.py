"""Credentials from a mounted Secret folder: the token reaches the server through a credential
helper and nowhere else; an SSH key becomes ssh options that ssh itself accepts."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from compiler.git_repo import GitError, clone, credentials_env, push, sync, use_credentials
from tests.git.conftest import World, git
from tests.git.http_remote import GitHTTP

TOKEN = "ghp_s3cr3tT0kenThatMustNotLeak"


def secret(folder: Path, **files: str) -> Path:
    """A Secret as Kubernetes mounts it: each key a file behind the ..data symlink."""
    data = folder / "..2026_01_01_00_00_00.000000001"
    data.mkdir(parents=True)
    (folder / "..data").symlink_to(data.name)
    for key, value in files.items():
        (data / key).write_text(value)
        (data / key).chmod(0o400)
        (folder / key).symlink_to(f"..data/{key}")
    return folder


def fill(env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        ["git", "credential", "fill"],
        input="protocol=https\nhost=git.example.com\npath=team/repo.git\n\n",
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **env, "GIT_TERMINAL_PROMPT": "0"},
        check=True,
    )
    return done.stdout


def test_the_helper_answers_git_credential_fill(tmp_path: Path) -> None:
    env = credentials_env(secret(tmp_path / "git", token=TOKEN + "\n", username="robot\n"))
    out = fill(env, tmp_path)
    assert "username=robot\n" in out and f"password={TOKEN}\n" in out
    assert all(TOKEN not in value for value in env.values())  # only the file's path


def test_without_a_username_the_token_goes_as_x_access_token(tmp_path: Path) -> None:
    env = credentials_env(secret(tmp_path / "git", token=TOKEN))  # no final newline
    assert f"username=x-access-token\npassword={TOKEN}\n" in fill(env, tmp_path)


def test_a_basic_auth_secret_works_too(tmp_path: Path) -> None:
    env = credentials_env(secret(tmp_path / "git", username="robot", password=TOKEN))
    assert f"username=robot\npassword={TOKEN}\n" in fill(env, tmp_path)


def test_helpers_configured_elsewhere_are_cleared(tmp_path: Path, world: World) -> None:
    # a `store` helper would write the token to a file after a successful login
    git(world.root, "config", "credential.helper", f"store --file={tmp_path / 'stored'}")
    env = credentials_env(secret(tmp_path / "git", token=TOKEN))
    listed = git(world.root, "config", "--list", "--show-origin", env=env)
    assert TOKEN not in listed
    helpers = git(world.root, "config", "--get-all", "credential.helper", env=env).splitlines()
    assert helpers[-2] == "" and helpers[-1].startswith("!f()")  # reset, then ours only


def test_sync_and_push_over_http_with_the_token(tmp_path: Path, world: World) -> None:
    env = credentials_env(secret(tmp_path / "git", token=TOKEN, username="robot"))
    trace = tmp_path / "trace.log"
    env_traced = {**env, "GIT_TRACE": str(trace), "GIT_TRACE_CURL": str(trace)}
    with GitHTTP(world.base, "robot", TOKEN) as server:
        url = f"{server.url}/remote.git"
        clone = tmp_path / "over-http"
        git(tmp_path, "clone", "-q", url, str(clone), env=env)
        world.human_push("specs/demo/a.yaml", "name: a\nmax: 3\n")
        assert sync(clone, env=env_traced).fast_forwarded
        world.report(clone, "a", "over http\n")
        assert push(clone, env=env_traced).pushed
    assert world.remote_file("reports/demo/a/README.md") == "over http\n"
    assert server.authorized >= 4 and server.refused >= 1  # git asked the helper after a 401
    assert server.leaks == []  # no process's argv or environment held the token meanwhile
    assert TOKEN not in (clone / ".git" / "config").read_text()
    assert git(clone, "remote", "get-url", "origin").strip() == url
    assert trace.stat().st_size > 0 and TOKEN not in trace.read_text()


def test_a_wrong_token_is_denied_and_not_retryable(tmp_path: Path, world: World) -> None:
    good = credentials_env(secret(tmp_path / "good", token=TOKEN))
    bad = credentials_env(secret(tmp_path / "bad", token="wrong-" + TOKEN))
    with GitHTTP(world.base, "x-access-token", TOKEN) as server:
        clone = tmp_path / "over-http"
        git(tmp_path, "clone", "-q", f"{server.url}/remote.git", str(clone), env=good)
        with pytest.raises(GitError) as caught:
            sync(clone, env=bad)
    assert "was denied" in str(caught.value) and not caught.value.retryable
    assert "credentials" in caught.value.hint and TOKEN not in str(caught.value)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_token_in_a_failing_remote_url_is_redacted(world: World) -> None:
    url = f"http://robot:{TOKEN}@127.0.0.1:{_closed_port()}/team/repo.git"
    git(world.root, "remote", "set-url", "origin", url)
    with pytest.raises(GitError) as caught:
        sync(world.root)
    message = str(caught.value)
    assert TOKEN not in message and TOKEN not in caught.value.hint
    assert "http://***@127.0.0.1" in message and caught.value.retryable  # connection refused


def test_a_token_in_the_url_of_a_missing_repository_is_redacted(world: World) -> None:
    with GitHTTP(world.base, "robot", TOKEN) as server:
        url = server.url.replace("http://", f"http://robot:{TOKEN}@") + "/absent.git"
        git(world.root, "remote", "set-url", "origin", url)
        with pytest.raises(GitError) as caught:
            sync(world.root)
    assert TOKEN not in str(caught.value) and "***@" in str(caught.value)
    assert not caught.value.retryable


def test_an_ssh_key_becomes_options_ssh_accepts(tmp_path: Path) -> None:
    folder = secret(
        tmp_path / "git", **{"ssh-privatekey": "KEY", "known_hosts": "h ssh-ed25519 AAAA"}
    )
    env = credentials_env(folder)
    command = shlex.split(env["GIT_SSH_COMMAND"])
    config = subprocess.run(
        [*command, "-G", "git.example.com"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert f"identityfile {folder / 'ssh-privatekey'}" in config
    assert {"identitiesonly yes", "stricthostkeychecking true", "batchmode yes"} <= set(config)
    assert f"userknownhostsfile {folder / 'known_hosts'}" in config
    assert "..2026" not in env["GIT_SSH_COMMAND"]  # the mount's path, so a rotated key is read


def test_git_runs_our_ssh_command_and_an_unreachable_host_is_retryable(
    tmp_path: Path, world: World
) -> None:
    folder = secret(tmp_path / "git", **{"ssh-privatekey": "KEY", "known_hosts": ""})
    git(world.root, "remote", "set-url", "origin", f"ssh://git@127.0.0.1:{_closed_port()}/r.git")
    with pytest.raises(GitError) as caught:
        sync(world.root, env=credentials_env(folder))
    assert "Connection refused" in str(caught.value) and caught.value.retryable
    assert "ssh://***@127.0.0.1" in str(caught.value)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "holds no git credentials"),
        ({"username": "robot"}, "holds no git credentials"),
        ({"ssh-privatekey": "KEY"}, "comes without known_hosts"),
        ({"token": "\n"}, "token is empty"),
    ],
)
def test_unusable_secrets_are_refused(tmp_path: Path, files: dict[str, str], message: str) -> None:
    with pytest.raises(GitError, match=message) as caught:
        credentials_env(secret(tmp_path / "git", **files))
    assert caught.value.hint


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "git"
    folder.mkdir()
    (folder / "ssh-privatekey").write_text("KEY")
    (folder / "ssh-privatekey").chmod(0o644)
    (folder / "known_hosts").write_text("")
    with pytest.raises(GitError, match="can be read by others") as caught:
        credentials_env(folder)
    assert "defaultMode: 0400" in caught.value.hint


@pytest.fixture
def no_credentials_after() -> Iterator[None]:
    yield
    use_credentials(None)


@pytest.mark.usefixtures("no_credentials_after")
def test_use_credentials_serves_clone_sync_and_push(tmp_path: Path, world: World) -> None:
    use_credentials(secret(tmp_path / "git", token=TOKEN))
    assert "GIT_CONFIG_COUNT" not in os.environ  # only this room's git calls get them
    with GitHTTP(world.base, "x-access-token", TOKEN) as server:
        clone(f"{server.url}/remote.git", tmp_path / "clone", branch="main")
        world.human_push("specs/demo/a.yaml", "name: a\nmax: 3\n")
        assert sync(tmp_path / "clone").fast_forwarded
        world.report(tmp_path / "clone", "a", "via use_credentials\n")
        assert push(tmp_path / "clone").pushed
        use_credentials(None)
        with pytest.raises(GitError, match="was denied"):
            sync(tmp_path / "clone")
    assert server.leaks == []


def test_clone_refuses_a_token_in_the_url(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="carries a password or token") as caught:
        clone(f"https://robot:{TOKEN}@git.example.com/team/repo.git", tmp_path / "c")
    assert TOKEN not in str(caught.value) and not (tmp_path / "c").exists()


def test_a_failed_clone_leaves_nothing_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "volume").mkdir()  # an empty mount point stays
    with pytest.raises(GitError) as caught:
        clone(f"http://127.0.0.1:{_closed_port()}/r.git", tmp_path / "volume")
    assert caught.value.retryable and list((tmp_path / "volume").iterdir()) == []
    with pytest.raises(GitError, match="does not exist") as caught:
        clone(str(tmp_path / "absent.git"), tmp_path / "other")
    assert not caught.value.retryable and not (tmp_path / "other").exists()


def test_clone_refuses_a_folder_with_files(tmp_path: Path, world: World) -> None:
    with pytest.raises(GitError, match="it is not empty"):
        clone(str(world.remote), world.root)
