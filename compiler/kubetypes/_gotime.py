"""metav1.Time's JSON form: time.Parse(time.RFC3339, s), printed in UTC whole seconds.

Why a hand parser: Go's layout parser is laxer than RFC 3339 (a one-digit hour, a comma
before the fraction, a signed year, a "+24:00" offset are all accepted) and its error texts
name the layout element that failed. Years can leave 0..9999 after a zone shift, and the
zero instant (0001-01-01T00:00:00Z) marshals as `null`; plain day arithmetic covers that.
"""

from __future__ import annotations

_LAYOUT = "2006-01-02T15:04:05Z07:00"
_ZERO_INSTANT = -62135596800  # 0001-01-01T00:00:00Z in Unix seconds
_DIGITS = "0123456789"


class TimeParseError(ValueError):
    """time.Parse refused the text; the message follows Go's ParseError."""


def _days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(y: int, m: int, d: int) -> int:
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, doy - (153 * mp + 2) // 5 + 1


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Parser:
    """Go's layout walk for RFC3339: each element consumes a prefix of the rest."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.rest = text

    def bad(self, elem: str, at: str) -> TimeParseError:
        return TimeParseError(
            f"parsing time {_quote(self.text)} as {_quote(_LAYOUT)}: "
            f"cannot parse {_quote(at)} as {_quote(elem)}"
        )

    def out_of_range(self, what: str) -> TimeParseError:
        return TimeParseError(f"parsing time {_quote(self.text)}: {what} out of range")

    def literal(self, ch: str) -> None:
        if not self.rest.startswith(ch):
            raise self.bad(ch, self.rest)
        self.rest = self.rest[1:]

    def num(self, elem: str, fixed: bool, hi: int, lo: int, what: str) -> int:
        s = self.rest
        if s[:1] == "" or s[0] not in _DIGITS:
            raise self.bad(elem, s)
        width = 2 if s[1:2] != "" and s[1] in _DIGITS else 1
        if width == 1 and fixed:
            raise self.bad(elem, s)
        n = int(s[:width])
        self.rest = s[width:]
        if not lo <= n <= hi:
            raise self.out_of_range(what)
        return n

    def year(self) -> int:
        s = self.rest
        if len(s) < 4 or any(c not in _DIGITS for c in s[:4]):
            raise self.bad("2006", s)
        self.rest = s[4:]
        return int(s[:4])

    def zone(self) -> int:
        s = self.rest
        if s.startswith("Z"):
            self.rest = s[1:]
            return 0
        if len(s) < 6 or s[3] != ":":
            raise self.bad("Z07:00", s)
        hour_ok = all(c in _DIGITS for c in s[1:3])
        digits = hour_ok and all(c in _DIGITS for c in s[4:6])
        hours = int(s[1:3]) if hour_ok else 0
        minutes = int(s[4:6]) if digits else 0
        if hours > 24:  # Go tests ranges with ">" and before the other errors
            raise self.out_of_range("time zone offset hour")
        if minutes > 60:
            raise self.out_of_range("time zone offset minute")
        if not digits or s[0] not in "+-":
            raise self.bad("Z07:00", s)
        self.rest = s[6:]
        return (hours * 60 + minutes) * 60 * (-1 if s[0] == "-" else 1)


def parse_rfc3339(s: str) -> tuple[int, int]:
    """(Unix seconds, nanoseconds) of time.Parse(time.RFC3339, s), or TimeParseError."""
    p = _Parser(s)
    year = p.year()
    p.literal("-")
    month = p.num("01", True, 12, 1, "month")
    p.literal("-")
    day = p.num("02", True, 99, 0, "day")
    p.literal("T")
    hour = p.num("15", False, 23, 0, "hour")
    p.literal(":")
    minute = p.num("04", True, 59, 0, "minute")
    p.literal(":")
    sec = p.num("05", True, 59, 0, "second")
    nanos = 0
    if len(p.rest) >= 2 and p.rest[0] in ".," and p.rest[1] in _DIGITS:
        n = 2
        while n < len(p.rest) and p.rest[n] in _DIGITS:
            n += 1
        nanos = int((p.rest[1:n] + "000000000")[:9])
        p.rest = p.rest[n:]
    offset = p.zone()
    if p.rest:
        raise TimeParseError(f"parsing time {_quote(s)}: extra text: {_quote(p.rest)}")
    if day < 1 or day > _days_in(month, year):
        raise p.out_of_range("day")
    days = _days_from_civil(year, month, day)
    return days * 86400 + hour * 3600 + minute * 60 + sec - offset, nanos


def format_rfc3339_utc(seconds: int) -> str:
    """Go's t.UTC().Format(time.RFC3339) for whole seconds."""
    days, rem = divmod(seconds, 86400)
    y, mo, d = _civil_from_days(days)
    year = f"-{-y:04d}" if y < 0 else f"{y:04d}"
    return f"{year}-{mo:02d}-{d:02d}T{rem // 3600:02d}:{rem % 3600 // 60:02d}:{rem % 60:02d}Z"


def time_json(text: str) -> str | None:
    """metav1.Time round trip of a string: its marshalled form, or None for a zero time."""
    seconds, nanos = parse_rfc3339(text)
    if seconds == _ZERO_INSTANT and nanos == 0:
        return None
    return format_rfc3339_utc(seconds)
