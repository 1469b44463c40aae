"""katib-db-manager's observation logs: the series of every metric a trial reported, which Katib
keeps only in its database (reference §5.6; the Trial object holds min, max and latest).

Read as Katib's trial controller reads them (`pkg/controller.v1beta1/trial/managerclient`): one
unary `GetObservationLog` call of service `api.v1.beta1.DBManager` per trial and metric name,
with no time range; the database answers `ORDER BY time` (`pkg/db/v1beta1/{mysql,postgres}`),
timestamps in RFC 3339 UTC (PostgreSQL keeps microseconds), values as the collector reported
them. Logs of equal timestamps (StdOut lines without one are all at Go's zero time, §5.2) come
in the order the database gives; Katib's query does not order them.

The protobuf messages are encoded and decoded here by hand, for exactly the five messages used,
so that a pip-installed katib-gitops needs only grpcio (the `dbmanager` extra) and no generated
code; tests check this codec byte for byte against stubs generated from Katib's own api.proto.
grpcio is imported only here, and only when a DBManager is made.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from compiler.cluster.errors import (
    ClusterError,
    ConfigError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Terminal,
    Transient,
    Unauthorized,
    Unreachable,
)
from compiler.cluster.retry import Retry
from compiler.execute.metrics import ZERO_TIME
from compiler.model.results import MetricLog

if TYPE_CHECKING:
    import grpc

SERVICE = "api.v1.beta1.DBManager"  # api.proto: `package api.v1.beta1; service DBManager`
GET_OBSERVATION_LOG = f"/{SERVICE}/GetObservationLog"
DEFAULT_PORT = 6789  # Katib's consts.DefaultKatibDBManagerServicePort
MAX_REPLY = 64 << 20  # bytes; Katib's own controller stops at grpc-go's default of 4 MiB
HINT = (
    "--db-manager is katib-db-manager's gRPC address; from outside the cluster run "
    "`kubectl port-forward -n kubeflow svc/katib-db-manager 6789` and give localhost:6789"
)

# -- the wire codec (https://protobuf.dev/programming-guides/encoding/) ---------------------------
# Katib v0.19.0 pkg/apis/manager/v1beta1/api.proto, all fields proto3 `string` or a message:
#   GetObservationLogRequest { trial_name = 1; metric_name = 2; start_time = 3; end_time = 4 }
#   GetObservationLogReply   { ObservationLog observation_log = 1 }
#   ObservationLog           { repeated MetricLog metric_logs = 1 }
#   MetricLog                { string time_stamp = 1; Metric metric = 2 }
#   Metric                   { string name = 1; string value = 2 }
LEN = 2  # wire type of strings and messages
MAX_DEPTH = 100  # nested groups in unknown fields, as protobuf's own parsers limit them


class WireError(ValueError):
    """Bytes that are not a valid GetObservationLogReply."""


def encode_request(
    trial_name: str, metric_name: str, start_time: str = "", end_time: str = ""
) -> bytes:
    """GetObservationLogRequest, as protobuf serialises it: fields in number order, empty
    strings (proto3 defaults) left out."""
    fields = (trial_name, metric_name, start_time, end_time)
    return b"".join(_string(n, text) for n, text in enumerate(fields, 1) if text)


def decode_reply(data: bytes) -> list[tuple[str, str, str]]:
    """GetObservationLogReply → its metric logs as (time_stamp, name, value), in order.

    Proto3 parsing rules: unknown fields (and known numbers with another wire type) are
    skipped, a repeated message field appends, a message field seen twice is merged, the last
    string wins, strings must be UTF-8."""
    logs: list[tuple[str, str, str]] = []
    for number, start, end in _fields(data, 0, len(data)):
        if number == 1:  # observation_log
            logs += [_metric_log(data, a, b) for n, a, b in _fields(data, start, end) if n == 1]
    return logs


def _metric_log(data: bytes, start: int, end: int) -> tuple[str, str, str]:
    stamp = name = value = ""
    for number, a, b in _fields(data, start, end):
        if number == 1:
            stamp = _text(data, a, b)
        elif number == 2:  # metric
            for n, c, d in _fields(data, a, b):
                if n == 1:
                    name = _text(data, c, d)
                elif n == 2:
                    value = _text(data, c, d)
    return stamp, name, value


def _fields(data: bytes, pos: int, end: int) -> Iterator[tuple[int, int, int]]:
    """(field number, payload start, payload end) of each length-delimited field in
    data[pos:end]; fields of other wire types are skipped, after checking they are whole."""
    while pos < end:
        number, wire, pos = _tag(data, pos, end)
        if wire == LEN:
            size, pos = _varint(data, pos, end)
            if size > end - pos:
                raise WireError(f"a field of {size} bytes overruns its message at byte {pos}")
            yield number, pos, pos + size
            pos += size
        else:
            pos = _skip(data, pos, end, number, wire)


def _skip(data: bytes, pos: int, end: int, number: int, wire: int, *, depth: int = 0) -> int:
    if wire == 0:
        return _varint(data, pos, end)[1]
    if wire in (1, 5):  # fixed64, fixed32
        pos += 8 if wire == 1 else 4
        if pos > end:
            raise WireError("a fixed-size field overruns its message")
        return pos
    if wire == LEN:
        size, pos = _varint(data, pos, end)
        if size > end - pos:
            raise WireError(f"a field of {size} bytes overruns its message at byte {pos}")
        return pos + size
    if wire == 3:  # a group: skip to its matching end-group tag
        if depth >= MAX_DEPTH:
            raise WireError(f"groups nested more than {MAX_DEPTH} deep at byte {pos}")
        while pos < end:
            inner, inner_wire, pos = _tag(data, pos, end)
            if inner_wire == 4:
                if inner != number:
                    raise WireError(f"group {number} closed by end-group {inner}")
                return pos
            pos = _skip(data, pos, end, inner, inner_wire, depth=depth + 1)
        raise WireError(f"group {number} is never closed")
    raise WireError(f"wire type {wire} of field {number} at byte {pos} is not valid here")


def _tag(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    tag, after = _varint(data, pos, end)
    if tag >> 3 == 0 or tag > 0xFFFFFFFF or after - pos > 5:  # a tag is a 32-bit varint
        raise WireError(f"invalid field tag {tag} at byte {pos}")
    return tag >> 3, tag & 7, after


def _varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    if pos < end and data[pos] < 0x80:  # the common case: one byte
        return data[pos], pos + 1
    result = 0
    for shift in range(0, 70, 7):
        if pos >= end:
            raise WireError("the message ends inside a varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result & 0xFFFFFFFFFFFFFFFF, pos
    raise WireError(f"a varint longer than 10 bytes ends at byte {pos}")


def _text(data: bytes, start: int, end: int) -> str:
    try:
        return data[start:end].decode("utf-8")
    except UnicodeDecodeError as err:
        raise WireError(f"a string field at byte {start} is not UTF-8") from err


def _string(number: int, text: str) -> bytes:
    raw = text.encode("utf-8")
    return _uvarint(number << 3 | LEN) + _uvarint(len(raw)) + raw


def _uvarint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


# -- errors: gRPC status codes → the cluster room's errors -------------------------------------
# The HTTP status beside each is grpc-gateway's HTTPStatusFromCode; None means "no answer", which
# `Retry` turns into Unreachable once the budget is spent. katib-db-manager returns its own
# failures (the database query failed) as plain Go errors, i.e. UNKNOWN: retried.
_CODES: dict[str, tuple[type[ClusterError], int | None]] = {
    "CANCELLED": (Transient, None),
    "UNKNOWN": (Transient, 500),
    "INVALID_ARGUMENT": (Invalid, 400),
    "DEADLINE_EXCEEDED": (Transient, None),
    "NOT_FOUND": (NotFound, 404),
    "ALREADY_EXISTS": (Conflict, 409),
    "PERMISSION_DENIED": (Forbidden, 403),  # e.g. a service mesh's authorization policy
    "RESOURCE_EXHAUSTED": (Transient, 429),
    "FAILED_PRECONDITION": (Invalid, 400),
    "ABORTED": (Conflict, 409),
    "OUT_OF_RANGE": (Invalid, 400),
    "UNIMPLEMENTED": (Terminal, 501),
    "INTERNAL": (Transient, 500),
    "UNAVAILABLE": (Transient, None),
    "DATA_LOSS": (Terminal, 500),
    "UNAUTHENTICATED": (Unauthorized, 401),
}
NOT_GRPC = ("Failed parsing HTTP/2", "http1.x server")  # grpc-core's words for a non-HTTP/2 peer


def rpc_error(code: str, details: str, *, call: str, server: str) -> ClusterError:
    """The error for a failed call, from its gRPC status code name and details."""
    where = f"katib-db-manager {server}"
    if code == "UNAVAILABLE" and any(words in details for words in NOT_GRPC):
        message = f"{call}: the server does not speak gRPC ({details})"
        return Terminal(message, reason=code, object=where, hint=HINT)
    if code == "UNIMPLEMENTED":
        message = f"{call}: the server has no {SERVICE} service ({details})"
        return Terminal(message, status=501, reason=code, object=where, hint=HINT)
    if code == "RESOURCE_EXHAUSTED" and "larger than max" in details:
        message = f"{call}: the reply is larger than {MAX_REPLY >> 20} MiB ({details})"
        return Terminal(message, status=413, reason=code, object=where)
    kind, status = _CODES.get(code, (Transient, 500))
    hint = HINT if status is None else ""
    return kind(f"{call}: {code}: {details}", status=status, reason=code, object=where, hint=hint)


# -- the address --------------------------------------------------------------------------------
_ADDRESS = re.compile(
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?"  # a DNS name or an IPv4 address
    r"|\[[0-9A-Fa-f:.]+\])"  # a bracketed IPv6 address
    r"(?::(?P<port>\d{1,5}))?"
)


def target(address: str) -> str:
    """`host[:port]` (a DNS name, an IPv4 address or a [bracketed] IPv6 one) → gRPC's target;
    the port defaults to Katib's 6789. Anything else is a usage error."""
    m = _ADDRESS.fullmatch(address.strip())
    port = int(m.group("port") or DEFAULT_PORT) if m else 0
    if m is None or not 0 < port < 65536:
        raise ConfigError(
            f"--db-manager {address!r} is not host[:port]",
            hint="e.g. localhost:6789 or katib-db-manager.kubeflow:6789 (no scheme, no path)",
        )
    return f"{m.group('host')}:{port}"


# -- the client ---------------------------------------------------------------------------------
class DBManager:
    """One katib-db-manager: `series` reads the observation logs of trials' metrics."""

    def __init__(self, address: str, timeout: float = 10.0, *, retry: Retry | None = None) -> None:
        if not (math.isfinite(timeout) and timeout > 0):
            raise ConfigError(f"the katib-db-manager timeout must be positive, not {timeout}")
        self.address = target(address)
        self.timeout = timeout  # seconds per call
        self.retry = retry or Retry()
        self.requests = 0  # calls sent, retries included
        _require_grpc()
        self._channel: grpc.Channel | None = None

    def __enter__(self) -> DBManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None

    def series(
        self, trials: Sequence[tuple[str, Sequence[str]]]
    ) -> dict[str, dict[str, tuple[MetricLog, ...]]]:
        """trial name → metric name → its logs, in Katib's order (by time); a trial or metric
        Katib has no logs of gets an empty series, as Katib answers. Empty metric names are
        skipped: Katib would answer with every metric of the trial."""
        out: dict[str, dict[str, tuple[MetricLog, ...]]] = {}
        for trial, metrics in trials:
            logs = out.setdefault(trial, {})
            for metric in metrics:
                if metric and metric not in logs:
                    logs[metric] = self.observation_log(trial, metric)
        return out

    def observation_log(self, trial: str, metric: str) -> tuple[MetricLog, ...]:
        call = f"GetObservationLog(trial {trial!r}, metric {metric!r})"
        try:
            request = encode_request(trial, metric)
        except UnicodeEncodeError:
            raise Invalid(f"{call}: the names are not valid Unicode text") from None
        try:
            data = self.retry.run(lambda _: self._call(request, call), lambda e: e.retryable)
        except Unreachable as err:  # Retry's hint speaks of kubeconfigs
            raise Unreachable(
                err.message, reason=err.reason, object=err.object, hint=HINT
            ) from None
        try:
            logs = decode_reply(data)
        except WireError as err:
            message = f"{call}: the reply is not Katib's GetObservationLogReply: {err}"
            where = f"katib-db-manager {self.address}"
            raise Terminal(message, object=where, hint=HINT) from None
        # Go's zero time is what a log without a timestamp reads back as; MetricLog spells it ""
        return tuple(MetricLog(value=v, timestamp="" if t == ZERO_TIME else t) for t, _, v in logs)

    def _call(self, request: bytes, call: str) -> bytes:
        import grpc

        if self._channel is None:
            options = [("grpc.max_receive_message_length", MAX_REPLY)]
            self._channel = grpc.insecure_channel(self.address, options=options)
        # no serializers: bytes in and out, decoded here
        method: grpc.UnaryUnaryMultiCallable[bytes, bytes]
        method = self._channel.unary_unary(GET_OBSERVATION_LOG)
        self.requests += 1
        try:
            reply: bytes = method(request, timeout=self.timeout)
        except grpc.RpcError as exc:
            err = _failure(exc, call, self.address)
            if err.status is None:  # the next attempt dials anew, not after grpc's own backoff
                self.close()
            raise err from None
        return reply


def _failure(exc: grpc.RpcError, call: str, server: str) -> ClusterError:
    import grpc

    if isinstance(exc, grpc.Call):  # what a unary call raises: it carries the status
        return rpc_error(exc.code().name, exc.details() or "", call=call, server=server)
    return rpc_error("UNKNOWN", str(exc), call=call, server=server)


def _require_grpc() -> None:
    try:
        import grpc  # noqa: F401 - only to fail early, with a hint
    except ImportError:
        raise ConfigError(
            "--db-manager needs grpcio, which is not installed",
            hint="pip install 'katib-gitops[dbmanager]'",
        ) from None
