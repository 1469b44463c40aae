"""The hand-written protobuf codec of compiler/cluster/dbmanager.py against stubs generated from
Katib's own api.proto (pkg/apis/manager/v1beta1, the Katib module in the Go module cache):
the same bytes out, the same messages in, and the same verdict on damaged bytes."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from google.protobuf.message import DecodeError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from compiler.cluster.dbmanager import WireError, decode_reply, encode_request

# proto3 strings are UTF-8: any text without lone surrogates (which UTF-8 cannot encode)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
LOG = st.tuples(TEXT, TEXT, TEXT)  # (time_stamp, metric name, value)
SETTINGS = settings(
    derandomize=True,
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def pb(katib_pb: tuple[ModuleType, ModuleType]) -> ModuleType:
    return katib_pb[0]


def reply_bytes(pb: ModuleType, logs: list[tuple[str, str, str]]) -> bytes:
    metric_logs = [
        pb.MetricLog(time_stamp=t, metric=pb.Metric(name=n, value=v)) for t, n, v in logs
    ]
    reply = pb.GetObservationLogReply(observation_log=pb.ObservationLog(metric_logs=metric_logs))
    return bytes(reply.SerializeToString())


def katib_decode(pb: ModuleType, data: bytes) -> list[tuple[str, str, str]] | str:
    reply = pb.GetObservationLogReply()
    try:
        reply.ParseFromString(data)
    except DecodeError:
        return "invalid"
    return [
        (m.time_stamp, m.metric.name, m.metric.value) for m in reply.observation_log.metric_logs
    ]


def our_decode(data: bytes) -> list[tuple[str, str, str]] | str:
    try:
        return decode_reply(data)
    except WireError:
        return "invalid"


@SETTINGS
@given(trial=TEXT, metric=TEXT, start=TEXT, end=TEXT)
@example(trial="", metric="", start="", end="")
@example(trial="t" * 200, metric="ü" * 70, start="", end="x")  # lengths past one varint byte
def test_request_bytes_equal_katib_stubs(
    pb: ModuleType, trial: str, metric: str, start: str, end: str
) -> None:
    ours = encode_request(trial, metric, start, end)
    theirs = pb.GetObservationLogRequest(
        trial_name=trial, metric_name=metric, start_time=start, end_time=end
    ).SerializeToString()
    assert ours == theirs
    parsed = pb.GetObservationLogRequest.FromString(ours)
    assert (parsed.trial_name, parsed.metric_name, parsed.start_time, parsed.end_time) == (
        trial,
        metric,
        start,
        end,
    )


@SETTINGS
@given(logs=st.lists(LOG, max_size=60))
@example(logs=[])
@example(logs=[("", "", "")])  # a log of empty strings: an empty MetricLog and Metric
@example(logs=[("2024-03-04T17:55:08Z", "loss", "")])  # an empty value
@example(logs=[("", "名前", "значение"), ("🙂", "a\x00b", "\u2028")])
def test_reply_decodes_as_katib_stubs_do(pb: ModuleType, logs: list[tuple[str, str, str]]) -> None:
    assert decode_reply(reply_bytes(pb, logs)) == logs


def test_many_logs_and_long_values(pb: ModuleType) -> None:
    logs = [
        (f"2024-03-04T17:55:{i % 60:02d}.{i:06d}Z", f"m{i % 3}", str(i / 7)) for i in range(5000)
    ]
    logs.append(("", "long", "v" * 70_000))  # a length varint of three bytes
    data = reply_bytes(pb, logs)
    assert len(data) > 200_000
    assert decode_reply(data) == logs


def test_an_empty_reply_and_an_empty_log(pb: ModuleType) -> None:
    assert decode_reply(b"") == []  # GetObservationLogReply{} (no observation_log)
    assert decode_reply(reply_bytes(pb, [])) == []  # what katib-db-manager sends: b"\n\x00"
    assert reply_bytes(pb, []) == b"\n\x00"


def mutate(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    out = bytearray(data)
    for op, where, byte in edits:
        at = where % (len(out) + 1)
        if op == 0 and out:
            out[at % len(out)] = byte
        elif op == 1:
            out.insert(at, byte)
        elif out:
            del out[at % len(out)]
    return bytes(out)


EDIT = st.tuples(st.integers(0, 2), st.integers(0, 1 << 16), st.integers(0, 255))  # op, where, byte
EDITS = st.lists(EDIT, min_size=1, max_size=4)


@settings(SETTINGS, max_examples=1500)
@given(logs=st.lists(LOG, max_size=4), edits=EDITS)
def test_damaged_replies_are_judged_as_katib_stubs_judge_them(
    pb: ModuleType, logs: list[tuple[str, str, str]], edits: list[tuple[int, int, int]]
) -> None:
    data = mutate(reply_bytes(pb, logs), edits)
    assert our_decode(data) == katib_decode(pb, data)


@settings(SETTINGS, max_examples=1500)
@given(data=st.binary(max_size=24))
def test_random_bytes_are_judged_as_katib_stubs_judge_them(pb: ModuleType, data: bytes) -> None:
    assert our_decode(data) == katib_decode(pb, data)


CASES: dict[str, bytes] = {
    "unknown varint, fixed64, fixed32 and bytes fields": b"\x10\x01\x19"
    + b"\0" * 8
    + b"\x25\0\0\0\0\x2a\x01x",
    "a known field number with another wire type": b"\x08\x01",
    "an unknown group": b"\x1b\x08\x01\x1c",
    "a group closed by another field's end-group": b"\x1b\x24",
    "an end-group with no group": b"\x0c",
    "groups nested 100 deep": b"\x1b" * 100 + b"\x1c" * 100,
    "groups nested 101 deep": b"\x1b" * 101 + b"\x1c" * 101,
    "wire type 6": b"\x0e",
    "wire type 7": b"\x0f",
    "field number 0": b"\x00\x00",
    "a tag past 32 bits": b"\x80\x80\x80\x80\x10\x00",
    "a tag of 6 bytes": b"\x88\x80\x80\x80\x80\x00\x00",
    "a varint of 10 bytes": b"\x10" + b"\xff" * 9 + b"\x01",
    "a varint of 11 bytes": b"\x10" + b"\xff" * 10 + b"\x01",
    "a length that overruns": b"\x0a\x05\x0a\x03",
    "a truncated varint": b"\x0a",
    "a padded length varint": b"\x0a\x80\x80\x80\x80\x00",
    "invalid UTF-8 in a name": b"\x0a\x07\x0a\x05\x12\x03\x0a\x01\xff",
    "an encoded surrogate in a value": b"\x0a\x09\x0a\x07\x12\x05\x12\x03\xed\xa0\x80",
    "invalid UTF-8 in an unknown field": b"\x0a\x05\x0a\x03\x1a\x01\xff",
    "two metrics in one log, merged": b"\x0a\x10\x0a\x0e\x12\x05\x0a\x03abc\x12\x05\x12\x03xyz",
    "two observation logs, appended": b"\x0a\x04\x0a\x02\x0a\x00\x0a\x04\x0a\x02\x0a\x00",
    "a time stamp given twice: the last wins": b"\x0a\x08\x0a\x06\x0a\x01a\x0a\x01b",
}


@pytest.mark.parametrize("data", CASES.values(), ids=CASES.keys())
def test_edge_cases_are_judged_as_katib_stubs_judge_them(pb: ModuleType, data: bytes) -> None:
    assert our_decode(data) == katib_decode(pb, data)


def test_edge_cases_cover_both_verdicts(pb: ModuleType) -> None:
    verdicts: dict[str, Any] = {k: katib_decode(pb, v) for k, v in CASES.items()}
    assert verdicts["an unknown group"] == []
    assert verdicts["groups nested 101 deep"] == "invalid"
    assert verdicts["two metrics in one log, merged"] == [("", "abc", "xyz")]
    assert verdicts["a time stamp given twice: the last wins"] == [("b", "", "")]


def test_a_decode_error_says_where(pb: ModuleType) -> None:
    with pytest.raises(WireError, match="overruns its message at byte 2"):
        decode_reply(b"\x0a\x05\x0a\x03")
