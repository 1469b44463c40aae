"""Metrics collection as Katib's collectors do it, as pure functions over text (reference §5).

* StdOut and File/TEXT (§5.2): a line counts only if it *contains* a metric name; every filter
  (default `DEFAULT_FILTER`) is applied with find-all, RE2 syntax as in Go; group 1 trimmed must
  *equal* a metric name, group 2 trimmed is the value (a string, maybe non-numeric); a leading
  RFC 3339 token followed by a space is the timestamp.
* File/JSON (§5.3): every non-empty line must be a JSON object, or collection fails; only
  **string** values are taken; `timestamp` is RFC 3339 text or Unix seconds.
* Push (§5.5): the trial appends JSON objects `{metric: number}` to the file named by
  `KATIB_GITOPS_PUSH_FILE`, as `katib.report_metrics` sends them: every value must convert with
  `float()` (else that report is refused), each stored as `str(value)`, one UTC timestamp at
  second resolution per report (an optional `timestamp` key gives it).
* When the objective was never reported, the collector reports only an "unavailable" objective
  log and drops the rest (file-metricscollector `newObservationLog`).
* Observation (§5.6): min/max over numeric values only, latest by timestamp (the later log wins
  a tie), everything "unavailable" until reported; the objective by its metric strategy.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from compiler.admission.regex import compile_go
from compiler.model.results import UNAVAILABLE, MetricLog, TrialMetric

DEFAULT_FILTER = r"([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)"
ZERO_TIME = "0001-01-01T00:00:00Z"
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})"
)


class CollectionError(ValueError):
    """The collector would fail (a malformed JSON line): the trial fails, no metrics."""


@dataclass(frozen=True)
class Log:
    name: str
    value: str
    timestamp: str = ZERO_TIME


def parse_text(
    lines: Iterable[str], names: Sequence[str], filters: Sequence[str] = ()
) -> list[Log]:
    regexes = [compile_go(f) for f in (filters or (DEFAULT_FILTER,))]
    logs: list[Log] = []
    for line in lines:
        if not any(n in line for n in names):
            continue
        stamp = _line_timestamp(line)
        for regex in regexes:
            for match in regex.finditer(line):
                if regex.groups < 2:
                    continue
                name, value = (match.group(1) or "").strip(), (match.group(2) or "").strip()
                if name in names:
                    logs.append(Log(name, value, stamp))
    return logs


def _line_timestamp(line: str) -> str:
    head, sep, _ = line.partition(" ")
    return head if sep and _RFC3339.fullmatch(head) else ZERO_TIME


def parse_json(lines: Iterable[str], names: Sequence[str]) -> list[Log]:
    logs: list[Log] = []
    for number, line in enumerate(lines, 1):
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise CollectionError(
                f"failed to parse the json object (line {number}): {exc}"
            ) from None
        if obj is None:
            obj = {}  # Go unmarshals null into an empty map
        if not isinstance(obj, dict):
            raise CollectionError(f"failed to parse the json object (line {number}): not an object")
        stamp = _json_timestamp(obj.get("timestamp"))
        logs += [Log(n, obj[n], stamp) for n in names if isinstance(obj.get(n), str)]
    return logs


def _json_timestamp(value: object) -> str:
    if isinstance(value, str):
        return value if _RFC3339.fullmatch(value) else ZERO_TIME
    if isinstance(value, float | int) and not isinstance(value, bool) and math.isfinite(value):
        whole, _, frac = repr(float(value)).partition(".")
        if "e" in whole or "e" in frac:
            return ZERO_TIME
        # §5.3 (inferred): the fraction's digits are read as a whole number of nanoseconds
        nanos = int(frac) if frac else 0
        moment = datetime.fromtimestamp(int(whole), UTC)
        return _format(moment, nanos)
    return ZERO_TIME


def _format(moment: datetime, nanos: int) -> str:
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    extra = divmod(nanos, 10**9)
    if extra[0]:
        moment = datetime.fromtimestamp(moment.timestamp() + extra[0], UTC)
        base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    frac = f"{extra[1]:09d}".rstrip("0")
    return f"{base}.{frac}Z" if frac else f"{base}Z"


def parse_push(lines: Iterable[str], fallback: str) -> tuple[list[Log], list[str]]:
    """Reports and the problems of refused ones. `fallback` stamps reports without one."""
    logs: list[Log] = []
    problems: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("a report is a JSON object of metric names to numbers")
            stamp = _push_stamp(obj.pop("timestamp", None), fallback)
            values = {
                str(k): str(float(v)) if isinstance(v, str) else str(v) for k, v in obj.items()
            }
            for v in obj.values():
                float(v)  # report_metrics: every value must convert, or the report is refused
        except (ValueError, TypeError) as exc:
            problems.append(f"push report {number} refused: {exc}")
            continue
        logs += [Log(k, v, stamp) for k, v in values.items()]
    return logs, problems


def _push_stamp(value: object, fallback: str) -> str:
    if isinstance(value, str) and _RFC3339.fullmatch(value):
        return value
    return fallback


def objective_or_nothing(logs: list[Log], objective: str) -> list[Log]:
    """newObservationLog: without an objective report, only an "unavailable" objective log."""
    if any(log.name == objective for log in logs):
        return logs
    return [Log(objective, UNAVAILABLE)]


def timestamp_key(stamp: str) -> tuple[int, int]:
    """(seconds since the epoch, nanoseconds), for ordering logs as the database does."""
    m = _RFC3339.fullmatch(stamp)
    if not m:
        return (-(10**12), 0)
    y, mo, d, h, mi, s, frac, zone = m.groups()
    offset = 0
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        offset = sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    moment = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=UTC)
    nanos = int((frac or ".0")[1:].ljust(9, "0"))
    return (int(moment.timestamp()) - offset, nanos)


def observe(logs: Sequence[Log], names: Sequence[str]) -> tuple[TrialMetric, ...]:
    """One metric per strategy name (objective first), min/max/latest as §5.6."""
    return tuple(_metric(name, [g for g in logs if g.name == name]) for name in names)


def _metric(name: str, logs: list[Log]) -> TrialMetric:
    lo = hi = None
    lo_text = hi_text = UNAVAILABLE
    latest, latest_key = UNAVAILABLE, None
    for log in logs:
        value = number(log.value)
        if value is not None:
            if lo is None or value < lo:
                lo, lo_text = value, log.value
            if hi is None or value > hi:
                hi, hi_text = value, log.value
        key = timestamp_key(log.timestamp)
        if latest_key is None or key >= latest_key:
            latest, latest_key = log.value, key
    series = tuple(MetricLog(value=g.value, timestamp=_series_stamp(g.timestamp)) for g in logs)
    series = tuple(s for s in series if s.value != UNAVAILABLE)
    return TrialMetric(name=name, min=lo_text, max=hi_text, latest=latest, series=series)


def _series_stamp(stamp: str) -> str:
    return "" if stamp == ZERO_TIME else stamp


def number(text: str) -> float | None:
    """Go's strconv.ParseFloat accepts what Python's float() does here, bar `_` and spaces."""
    if "_" in text or text != text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        return None


def objective_text(metric: TrialMetric | None, strategy: str) -> str | None:
    """§5.6: min → Min, max → Max (each falling back to Latest), latest → Latest; any other
    strategy gives nothing ("unavailable")."""
    if metric is None:
        return None
    chosen = {"min": metric.min, "max": metric.max, "latest": metric.latest}.get(strategy)
    if chosen == UNAVAILABLE and strategy in ("min", "max"):
        chosen = metric.latest
    return None if chosen in (None, UNAVAILABLE) else chosen
