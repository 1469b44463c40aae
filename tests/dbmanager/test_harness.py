"""tools/dbmanager/harness.py: a private PostgreSQL (never the machine's own, never as root)
and the skip-or-fail rule when none can be had."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.dbmanager.conftest import start_postgres
from tools.dbmanager import harness


def test_postgres_is_private_and_unprivileged(postgres: harness.Postgres) -> None:
    assert postgres.port != 5432 and postgres.dir.is_dir()
    assert postgres.env()["KATIB_POSTGRESQL_DB_PORT"] == str(postgres.port)
    assert postgres.env()["DB_USER"] == "katib_gitops"  # not Katib's default user, "katib"
    assert postgres._popen is not None
    status = Path(f"/proc/{postgres._popen.pid}/status").read_text()
    uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    assert uid != 0  # PostgreSQL refuses root: the harness runs it as an unprivileged user
    assert os.geteuid() != 0 or uid == postgres._owner.pw_uid


def test_no_postgres_skips_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> Path:
        raise harness.PostgresNotFound("PostgreSQL is not installed (no initdb on PATH)")

    monkeypatch.setattr(harness, "postgres_bindir", missing)
    monkeypatch.delenv("KATIB_GITOPS_REQUIRE_GO", raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL is not installed"):
        start_postgres()
    monkeypatch.setenv("KATIB_GITOPS_REQUIRE_GO", "1")
    with pytest.raises(pytest.fail.Exception, match="KATIB_GITOPS_REQUIRE_GO=1"):
        start_postgres()
