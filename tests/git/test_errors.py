"""Every message of the git room goes through redaction: no URL keeps its credentials."""

from __future__ import annotations

import pytest

from compiler.git_repo import GitError, redact


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://user:token@host/x", "https://***@host/x"),
        ("fatal: unable to access 'https://oauth2:glpat-x@gitlab.example.com/t/r.git/': 403",
         "fatal: unable to access 'https://***@gitlab.example.com/t/r.git/': 403"),
        ("https://tok@en@host:8443/x", "https://***@host:8443/x"),  # an unencoded @ in a token
        ("ssh://git@host/r.git", "ssh://***@host/r.git"),
        ("git@github.com:team/repo.git", "git@github.com:team/repo.git"),  # no secret in scp form
        ("https://host/path?x=a@b", "https://host/path?x=a@b"),
        ("two: http://a:b@h1/x and HTTPS://c:d@h2/y", "two: http://***@h1/x and HTTPS://***@h2/y"),
    ],
)  # fmt: skip
def test_redact(text: str, shown: str) -> None:
    assert redact(text) == shown


def test_git_error_redacts_its_message_and_hint() -> None:
    err = GitError("push to https://u:t0k@h/x failed", "retry https://u:t0k@h/x", retryable=True)
    assert "t0k" not in str(err) and "t0k" not in err.hint
    assert err.retryable and err.exit_code == 2
