"""A private PostgreSQL and Katib's own katib-db-manager on loopback, for tests.

* PostgreSQL comes from the machine's packages (Debian: ``apt-get install -y postgresql``, whose
  binaries live in ``/usr/lib/postgresql/<major>/bin``). A fresh cluster is made with ``initdb``
  in a temporary folder, owned by a non-root user when we are root (PostgreSQL refuses root),
  with a random password (scram-sha-256) and its own port and socket folder; the machine's own
  server, if any, is never touched.
* katib-db-manager is built by ``tools/dbmanager/build.py`` and started with Katib's PostgreSQL
  settings (``pkg/db/v1beta1/common/const.go``: ``DB_NAME=postgres``, ``DB_USER``,
  ``DB_PASSWORD``, ``KATIB_POSTGRESQL_DB_HOST``, ``_PORT``, ``_DATABASE``, ``_SSL_MODE``).

Command line (from the repository root)::

    python -m tools.dbmanager.harness up    # PostgreSQL + katib-db-manager until Ctrl-C

Only the standard library (and ``tools.devcluster.harness``' process helpers) are used.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tools.dbmanager.build import dbmanager_binary
from tools.devcluster.harness import LOOPBACK, HarnessError, Process, _die_with_parent, free_port

#: ours, not Katib's defaults (katib / katib), so that the settings are seen to be read
DB_USER = "katib_gitops"
DB_DATABASE = "katib_gitops_test"
UNPRIVILEGED = ("postgres", "nobody")  # who runs PostgreSQL when we are root

Log = Callable[[str], None]


class PostgresNotFound(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def postgres_bindir() -> Path:
    """The folder of initdb, postgres and pg_isready: on PATH, else Debian's newest."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not versions:
        raise PostgresNotFound(
            "PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin); "
            "on Debian: apt-get install -y postgresql"
        )
    return versions[-1].parent


def _can_connect(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), timeout=1):
        return True
    return False


class Postgres:
    """One private PostgreSQL server, its data in a temporary folder removed by `stop`."""

    def __init__(self, log: Log | None = None) -> None:
        self.bindir = postgres_bindir()
        self.log = log or (lambda msg: print(f"[postgres] {msg}", file=sys.stderr, flush=True))
        self.user, self.database = DB_USER, DB_DATABASE
        self.password = secrets.token_urlsafe(24)
        self.port = 0
        self.dir = Path(tempfile.mkdtemp(prefix="katib-gitops-pg-"))
        self._owner = pwd.getpwnam(_unprivileged()) if os.geteuid() == 0 else None
        self._popen: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        """katib-db-manager's settings for this server (Katib's const.go names)."""
        return {
            "DB_NAME": "postgres",
            "DB_USER": self.user,
            "DB_PASSWORD": self.password,
            "KATIB_POSTGRESQL_DB_HOST": LOOPBACK,
            "KATIB_POSTGRESQL_DB_PORT": str(self.port),
            "KATIB_POSTGRESQL_DB_DATABASE": self.database,
            "KATIB_POSTGRESQL_SSL_MODE": "disable",
        }

    def start(self, timeout: float = 60) -> Postgres:
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, timeout: float) -> None:
        t0 = time.monotonic()
        if self._owner is not None:
            os.chown(self.dir, self._owner.pw_uid, self._owner.pw_gid)
        (self.dir / "pw").write_text(self.password + "\n")
        self._chown(self.dir / "pw")
        self._run("initdb", "-D", "data", "-U", self.user, "--pwfile=pw", "-A", "scram-sha-256",
                  "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions")  # fmt: skip
        (self.dir / "pw").unlink()
        self.port = free_port()
        argv = [str(self.bindir / "postgres"), "-D", "data", "-p", str(self.port),
                "-c", f"listen_addresses={LOOPBACK}", "-c", f"unix_socket_directories={self.dir}",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                "-c", "shared_buffers=32MB", "-c", "max_connections=50"]  # fmt: skip
        log = open(self.dir / "postgres.log", "ab")  # noqa: SIM115 - the child keeps it
        self._popen = subprocess.Popen(
            argv,
            cwd=self.dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=self._child_env(),
            **self._as_owner(),
        )
        log.close()
        deadline = time.monotonic() + timeout
        while self._run("pg_isready", "-q", "-h", LOOPBACK, "-p", str(self.port), check=False):
            if self._popen.poll() is not None or time.monotonic() > deadline:
                raise HarnessError(f"PostgreSQL did not start:\n{self.tail()}")
            time.sleep(0.1)
        self._run("createdb", "-h", LOOPBACK, "-p", str(self.port), "-U", self.user, self.database)
        self.log(f"PostgreSQL up on {LOOPBACK}:{self.port} in {time.monotonic() - t0:.1f}s")

    def _child_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        return {**env, "PGPASSWORD": self.password, "LC_ALL": "C"}

    def _as_owner(self) -> dict[str, object]:
        if self._owner is None:
            return {"preexec_fn": _die_with_parent}
        o = self._owner  # preexec_fn runs after the uid change: the death signal survives it
        return {
            "user": o.pw_uid,
            "group": o.pw_gid,
            "extra_groups": [],
            "preexec_fn": _die_with_parent,
        }

    def _chown(self, path: Path) -> None:
        if self._owner is not None:
            os.chown(path, self._owner.pw_uid, self._owner.pw_gid)

    def _run(self, tool: str, *args: str, check: bool = True) -> int:
        res = subprocess.run(  # noqa: PLW1510 - checked just below
            [str(self.bindir / tool), *args],
            cwd=self.dir,
            env=self._child_env(),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            **self._as_owner(),
        )
        if check and res.returncode != 0:
            raise HarnessError(f"{tool} failed (exit {res.returncode}): {res.stderr.strip()}")
        return res.returncode

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            text = (self.dir / "postgres.log").read_text(errors="replace")
            return "\n".join(text.splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        """Fast shutdown (SIGINT), then SIGKILL of our server's process group; data removed."""
        p, self._popen = self._popen, None
        if p is not None and p.poll() is None:
            for sig, wait in ((signal.SIGINT, 20), (signal.SIGKILL, 5)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    p.wait(wait)
                    break
        shutil.rmtree(self.dir, ignore_errors=True)


def _unprivileged() -> str:
    for name in UNPRIVILEGED:
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise HarnessError(f"running as root, and none of the users {UNPRIVILEGED} exists")


class DBManagerServer:
    """katib-db-manager on a free loopback port, against a database given by `env`."""

    def __init__(self, env: dict[str, str], workdir: Path, binary: Path | None = None) -> None:
        self.binary = binary or dbmanager_binary()
        self.env, self.workdir = env, workdir
        self.port = 0
        self.process: Process | None = None
        self.startup_seconds = 0.0

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 90) -> DBManagerServer:
        t0 = time.monotonic()
        self.port = free_port()
        # Katib's OpenSQLConn tries the database on a 5 s ticker: the first try is after 5 s
        argv = [str(self.binary), f"--listen-address={self.address}", "--connect-timeout=60s"]
        log = self.workdir / f"katib-db-manager-{self.port}.log"
        self.process = Process("katib-db-manager", argv, log, env={**os.environ, **self.env})
        deadline = time.monotonic() + timeout
        while not _can_connect(self.port):  # it listens once the database is open and set up
            self.process.check_alive()
            if time.monotonic() > deadline:
                self.stop()
                raise HarnessError(f"katib-db-manager did not listen in {timeout:.0f}s")
            time.sleep(0.1)
        self.startup_seconds = time.monotonic() - t0
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None


@contextlib.contextmanager
def running(workdir: Path) -> Iterator[tuple[Postgres, DBManagerServer]]:
    """PostgreSQL and katib-db-manager, stopped (and the data removed) on exit."""
    pg = Postgres().start()
    try:
        server = DBManagerServer(pg.env(), workdir).start()
        try:
            yield pg, server
        finally:
            server.stop()
    finally:
        pg.stop()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["up"]:
        print("usage: python -m tools.dbmanager.harness up", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="katib-gitops-dbmanager-"))
    with running(workdir) as (_, server):
        print(f"katib-db-manager at {server.address} (logs in {workdir}); Ctrl-C stops it")
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
