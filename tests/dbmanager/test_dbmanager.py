"""The client against Katib's own katib-db-manager on a real PostgreSQL: logs reported through
ReportObservationLog (as Katib's metrics collectors report them) come back as Katib gives them
to its trial controller (reference §5.6: by time, values as reported)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import grpc
import pytest

from compiler.cluster.dbmanager import DBManager
from compiler.cluster.errors import Transient
from compiler.cluster.retry import Retry
from compiler.model.results import MetricLog
from tests.dbmanager.conftest import Report, reporter, start_postgres
from tools.dbmanager import harness


def katib_answer(
    katib_pb: tuple[ModuleType, ModuleType], address: str, trial: str, metric: str
) -> list[MetricLog]:
    """What Katib's own generated client reads for (trial, metric), as our MetricLogs."""
    pb, pb_grpc = katib_pb
    request = pb.GetObservationLogRequest(trial_name=trial, metric_name=metric)
    with grpc.insecure_channel(address) as channel:
        reply = pb_grpc.DBManagerStub(channel).GetObservationLog(request, timeout=30)
    return [
        MetricLog(value=m.metric.value, timestamp=m.time_stamp)
        for m in reply.observation_log.metric_logs
    ]


def test_series_are_katib_s_logs_in_katib_s_order(
    report: Report, db_manager: harness.DBManagerServer, katib_pb: tuple[ModuleType, ModuleType]
) -> None:
    trial = "series-order-7f2k9"
    # reported out of time order, in two calls, with what collectors send: RFC 3339 with
    # nanoseconds, non-numeric values, an empty value, unicode names, and the collector's
    # "unavailable" log at Go's zero time (file-metricscollector's newObservationLog)
    report(trial, [
        ("2024-03-04T17:55:09Z", "loss", "0.30"),
        ("2024-03-04T17:55:07.123456789Z", "loss", "0.50"),
        ("2024-03-04T17:55:08+02:00", "loss", "nan"),
        ("2024-03-04T17:55:07.5Z", "accuracy", "0.71"),
    ])  # fmt: skip
    report(trial, [
        ("2024-03-04T17:55:08Z", "loss", ""),
        ("0001-01-01T00:00:00Z", "loss", "unavailable"),
        ("2024-03-04T17:55:10Z", "précision", "best"),
    ])  # fmt: skip
    with DBManager(db_manager.address) as db:
        got = db.series([(trial, ["loss", "accuracy", "précision"])])
    assert got == {
        trial: {
            "loss": (
                MetricLog(value="unavailable", timestamp=""),  # Go's zero time, spelled ""
                MetricLog(value="nan", timestamp="2024-03-04T15:55:08Z"),  # in UTC
                MetricLog(value="0.50", timestamp="2024-03-04T17:55:07.123457Z"),  # to µs
                MetricLog(value="", timestamp="2024-03-04T17:55:08Z"),
                MetricLog(value="0.30", timestamp="2024-03-04T17:55:09Z"),
            ),
            "accuracy": (MetricLog(value="0.71", timestamp="2024-03-04T17:55:07.5Z"),),
            "précision": (MetricLog(value="best", timestamp="2024-03-04T17:55:10Z"),),
        }
    }
    for metric, logs in got[trial].items():
        expected = katib_answer(katib_pb, db_manager.address, trial, metric)
        zero = [
            m.model_copy(update={"timestamp": ""}) if m.timestamp.startswith("0001-") else m
            for m in expected
        ]
        assert list(logs) == zero


def test_twenty_trials_of_two_metrics(report: Report, db_manager: harness.DBManagerServer) -> None:
    trials = [f"many-{i:02d}-q81x" for i in range(20)]
    for i, trial in enumerate(trials):
        report(trial, [
            (f"2024-03-04T17:{m:02d}:00Z", name, f"{i}.{m}")
            for m in range(10) for name in ("loss", "accuracy")
        ])  # fmt: skip
    with DBManager(db_manager.address) as db:
        got = db.series([(t, ["loss", "accuracy"]) for t in trials])
        assert db.requests == 40  # one GetObservationLog per trial and metric, as Katib asks
    assert list(got) == trials
    for i, trial in enumerate(trials):
        for name in ("loss", "accuracy"):
            assert [m.value for m in got[trial][name]] == [f"{i}.{m}" for m in range(10)]


def test_an_unknown_trial_or_metric_has_an_empty_series(
    report: Report, db_manager: harness.DBManagerServer
) -> None:
    report("known-trial-3jd8", [("2024-03-04T17:55:08Z", "loss", "0.1")])
    with DBManager(db_manager.address) as db:
        got = db.series([("no-such-trial-a8d2", ["loss"]), ("known-trial-3jd8", ["accuracy"])])
    assert got == {"no-such-trial-a8d2": {"loss": ()}, "known-trial-3jd8": {"accuracy": ()}}


def test_a_log_without_a_timestamp_is_never_stored(
    report: Report, db_manager: harness.DBManagerServer
) -> None:
    # Katib's RegisterObservationLog skips logs whose time_stamp is "" (pkg/db/v1beta1/postgres)
    report("stampless-ke02", [("", "loss", "0.9"), ("2024-03-04T17:55:08Z", "loss", "0.8")])
    with DBManager(db_manager.address) as db:
        assert db.series([("stampless-ke02", ["loss"])]) == {
            "stampless-ke02": {"loss": (MetricLog(value="0.8", timestamp="2024-03-04T17:55:08Z"),)}
        }


def test_names_asked_twice_or_empty_are_asked_once_or_not(
    report: Report, db_manager: harness.DBManagerServer
) -> None:
    report("twice-zz81", [("2024-03-04T17:55:08Z", "loss", "0.1")])
    with DBManager(db_manager.address) as db:
        got = db.series([("twice-zz81", ["loss", "", "loss"]), ("twice-zz81", ["loss"])])
        assert db.requests == 1  # "" would ask Katib for every metric of the trial
    once = (MetricLog(value="0.1", timestamp="2024-03-04T17:55:08Z"),)
    assert got == {"twice-zz81": {"loss": once}}


def test_the_client_reconnects_after_close(
    report: Report, db_manager: harness.DBManagerServer
) -> None:
    report("reopen-pp01", [("2024-03-04T17:55:08Z", "loss", "0.1")])
    db = DBManager(db_manager.address)
    first = db.series([("reopen-pp01", ["loss"])])
    db.close()
    assert db.series([("reopen-pp01", ["loss"])]) == first
    db.close()


def test_a_database_that_went_away_is_transient_then_katib_s_words(
    katib_pb: tuple[ModuleType, ModuleType], dbmanager_binary: Path, tmp_path: Path
) -> None:
    """katib-db-manager answers a failed query with a plain Go error (gRPC UNKNOWN): retried,
    then raised with Katib's message; the data already read is not lost on the caller's side."""
    pg = start_postgres()
    try:
        server = harness.DBManagerServer(pg.env(), tmp_path, dbmanager_binary).start()
        try:
            reporter(katib_pb, server.address)(
                "gone-db-4k", [("2024-03-04T17:55:08Z", "loss", "1")]
            )
            retry = Retry(attempts=3, base=0.01, cap=0.02)
            with DBManager(server.address, timeout=5, retry=retry) as db:
                assert db.series([("gone-db-4k", ["loss"])])["gone-db-4k"]["loss"][0].value == "1"
                pg.stop()
                with pytest.raises(Transient) as caught:
                    db.series([("gone-db-4k", ["loss"])])
                assert db.requests == 1 + 3
        finally:
            server.stop()
    finally:
        pg.stop()
    assert not pg.dir.exists()  # the private server's data is gone with it
    err = caught.value
    assert (err.status, err.reason, err.exit_code) == (500, "UNKNOWN", 3)
    assert "Failed to get ObservationLogs" in err.message  # Katib's own words
    assert str(err).startswith(f"katib-db-manager {server.address}: GetObservationLog(trial ")


def test_logs_without_timestamps_keep_the_order_they_were_reported_in(
    report: Report, db_manager: harness.DBManagerServer
) -> None:
    """StdOut lines without a leading timestamp are all reported at Go's zero time (reference
    §5.2), so Katib's ORDER BY time has only ties; PostgreSQL then gives them back in the order
    they were stored, which is the curve's step order. (Observed behaviour of Katib on
    PostgreSQL, not a promise of Katib's: equal timestamps have no order in its query.)"""
    zero = "0001-01-01T00:00:00Z"
    steps = [(zero, name, str(step)) for step in range(300) for name in ("loss", "acc")]
    report("steps-hh42", steps)
    report("steps-hh42", [(zero, "loss", "300")])
    with DBManager(db_manager.address) as db:
        got = db.series([("steps-hh42", ["loss", "acc"])])["steps-hh42"]
    assert [m.value for m in got["loss"]] == [str(step) for step in range(301)]
    assert [m.value for m in got["acc"]] == [str(step) for step in range(300)]
    assert {m.timestamp for m in got["loss"]} == {""}
