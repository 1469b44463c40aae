"""Fixtures for the katib-db-manager client (`compiler/cluster/dbmanager.py`):

* ``katib_pb`` (session): Katib's Python stubs (``api_pb2``, ``api_pb2_grpc``), generated from
  the Katib module's own api.proto with grpcio-tools (`tools/dbmanager/stubs.py`);
* ``postgres`` (session): a private PostgreSQL server on loopback (`tools/dbmanager/harness.py`);
* ``db_manager`` (session): Katib's own katib-db-manager, built from the Katib module, on it;
* ``report``: sends observation logs through the db-manager's ``ReportObservationLog``, with
  Katib's stubs, as Katib's Python metrics collectors do.

Without Go or PostgreSQL the tests that need them skip, unless ``KATIB_GITOPS_REQUIRE_GO=1``
(CI), which turns the skip into a failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import require_go, skip_or_fail
from tools.dbmanager import build, harness, stubs

_REPORT: list[str] = []

Report = Callable[[str, Sequence[tuple[str, str, str]]], None]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _REPORT:
        terminalreporter.section("katib-db-manager harness")
        for line in _REPORT:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def katib_pb() -> tuple[ModuleType, ModuleType]:
    require_go()  # the proto comes from the Katib module in the Go module cache
    return stubs.katib_api()


def start_postgres() -> harness.Postgres:
    try:
        return harness.Postgres().start()
    except harness.PostgresNotFound as exc:
        skip_or_fail(str(exc), "KATIB_GITOPS_REQUIRE_GO")
        raise


@pytest.fixture(scope="session")
def postgres() -> Iterator[harness.Postgres]:
    pg = start_postgres()
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture(scope="session")
def dbmanager_binary() -> Path:
    require_go()
    t = time.monotonic()
    binary = build.dbmanager_binary()
    _REPORT.append(f"katib-db-manager ready in {time.monotonic() - t:.1f}s ({binary})")
    return binary


@pytest.fixture(scope="session")
def db_manager(
    postgres: harness.Postgres, dbmanager_binary: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[harness.DBManagerServer]:
    server = harness.DBManagerServer(
        postgres.env(), tmp_path_factory.mktemp("dbmanager"), dbmanager_binary
    ).start()
    _REPORT.append(f"katib-db-manager up in {server.startup_seconds:.1f}s at {server.address}")
    try:
        yield server
    finally:
        server.stop()


def reporter(katib_pb: tuple[ModuleType, ModuleType], address: str) -> Report:
    """`report(trial, [(time_stamp, name, value), ...])`: one ReportObservationLog call."""
    import grpc

    pb, pb_grpc = katib_pb

    def report(trial: str, logs: Sequence[tuple[str, str, str]]) -> None:
        metric_logs = [
            pb.MetricLog(time_stamp=t, metric=pb.Metric(name=n, value=v)) for t, n, v in logs
        ]
        request = pb.ReportObservationLogRequest(
            trial_name=trial, observation_log=pb.ObservationLog(metric_logs=metric_logs)
        )
        with grpc.insecure_channel(address) as channel:
            pb_grpc.DBManagerStub(channel).ReportObservationLog(request, timeout=30)

    return report


@pytest.fixture
def report(katib_pb: tuple[ModuleType, ModuleType], db_manager: harness.DBManagerServer) -> Report:
    return reporter(katib_pb, db_manager.address)
