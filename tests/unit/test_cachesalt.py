"""The secret the .state/ caches are keyed with: one per user, kept outside the repository,
shared by the processes of that user, and still there (per process) when it cannot be kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.cachesalt import FILE, salt

PRINT = "from compiler.cachesalt import salt; print(salt())"


def in_a_process(cache_home: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    out = subprocess.run(
        [sys.executable, "-c", PRINT], check=False, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_one_secret_per_user_kept_outside_the_repository(tmp_path: Path) -> None:
    first = in_a_process(tmp_path / "home-cache")
    assert len(first) == 64 and int(first, 16) >= 0
    assert in_a_process(tmp_path / "home-cache") == first  # every process of the user
    kept = tmp_path / "home-cache" / "katib-gitops" / FILE
    assert kept.read_text().strip() == first
    assert kept.stat().st_mode & 0o777 == 0o600
    assert in_a_process(tmp_path / "other-user") != first


def test_a_damaged_secret_is_replaced(tmp_path: Path) -> None:
    kept = tmp_path / "katib-gitops" / FILE
    kept.parent.mkdir()
    kept.write_text("not a secret\n")
    fresh = in_a_process(tmp_path)
    assert len(fresh) == 64 and fresh != "not a secret"


def test_where_nothing_can_be_kept_each_process_has_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")  # the cache folder would have to be inside a file
    a, b = in_a_process(blocked), in_a_process(blocked)
    assert len(a) == len(b) == 64 and a != b
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    salt.cache_clear()
    try:
        assert salt() == salt()  # stable within the process
    finally:
        salt.cache_clear()
