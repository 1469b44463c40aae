"""Go's spelling of values: encoding/json number and string text, and fmt's `%v`.

Why: Go writes float64 values its own way (`1.0` becomes `1`, `1e21` becomes `1e+21`), and
several code paths re-encode values before parsing them again (the unstructured converter
hands custom unmarshalers `json.Marshal(value)`), so the exact text matters.
"""

from __future__ import annotations

import base64
import json
import math
from decimal import Decimal
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_B64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_HTML_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def _digits(f: float) -> tuple[bool, str, int]:
    """Shortest round-trip digits of |f| and the decimal point position (Go's `digs.dp`)."""
    sign, digits, exp = Decimal(repr(f)).as_tuple()
    text = "".join(map(str, digits)).lstrip("0") or "0"
    assert isinstance(exp, int)
    stripped = text.rstrip("0") or "0"
    exp += len(text) - len(stripped)
    return bool(sign), stripped, len(stripped) + exp


def _fmt_f(digits: str, dp: int) -> str:
    if dp <= 0:
        return "0." + "0" * -dp + digits
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return digits[:dp] + "." + digits[dp:]


def _fmt_e(digits: str, dp: int) -> str:
    exp = dp - 1
    mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"


def json_float_text(f: float) -> str:
    """encoding/json's text for a float64 ('f' format, 'e' outside [1e-6, 1e21))."""
    if not math.isfinite(f):
        raise ValueError(f"json: unsupported value: {f}")
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    neg, digits, dp = _digits(f)
    if 1e-6 <= abs(f) < 1e21:
        text = _fmt_f(digits, dp)
    else:
        text = _fmt_e(digits, dp)
        if text[-4:-1] == "e-0":  # encoding/json cleans e-07 up to e-7
            text = text[:-2] + text[-1]
    return ("-" if neg else "") + text


def float_out(f: float) -> int | float:
    """A float64 as `json.loads(json.Marshal(f))` gives it back: integral values become int.

    Go prints the shortest round-trip digits padded with zeros, so 2**63 as a float64 comes
    back as 9223372036854776000, not 9223372036854775808.
    """
    if f.is_integer() and abs(f) < 1e21:
        return int(f) if abs(f) < 2**53 else int(json_float_text(f))
    return f


def unstructured_number(v: int | float) -> int | float:
    """A JSON number as Kubernetes' unstructured decoding holds it: int64, else float64."""
    if isinstance(v, int) and not INT64_MIN <= v <= INT64_MAX:
        return float(v)
    return v


def normalize(v: Any) -> Any:
    """An unstructured value after Go decodes (ints preserved) and re-marshals it."""
    if isinstance(v, dict):
        return {k: x if type(x) in _SAME else normalize(x) for k in sorted(v) for x in (v[k],)}
    if isinstance(v, list):
        return [x if type(x) in _SAME else normalize(x) for x in v]
    if isinstance(v, float):
        return float_out(v)
    if isinstance(v, int) and not isinstance(v, bool) and not INT64_MIN <= v <= INT64_MAX:
        return float_out(float(v))
    return v


_SAME = frozenset({str, bool, type(None)})  # what normalize gives back as it is


def go_json_text(v: Any) -> str:
    """`json.Marshal(v)` for an unstructured value (sorted keys, Go floats, HTML escaping)."""
    if isinstance(v, dict):
        return "{" + ",".join(f"{go_json_text(k)}:{go_json_text(v[k])}" for k in sorted(v)) + "}"
    if isinstance(v, list):
        return "[" + ",".join(go_json_text(x) for x in v) + "]"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False).translate(_HTML_ESCAPES)
    if isinstance(v, float):
        return json_float_text(v)
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v) if INT64_MIN <= v <= INT64_MAX else json_float_text(float(v))
    return json.dumps(v)


def _base64_error(data: bytes) -> int | None:
    """Where Go's base64.StdEncoding.Decode fails (CorruptInputError), or None."""
    si, n = 0, len(data)
    while True:
        j = 0
        while j < 4:
            if si == n:
                return None if j == 0 else si - j
            c = data[si]
            si += 1
            if c in _B64_ALPHABET:
                j += 1
                continue
            if c in (10, 13):
                continue
            if c != 61 or j < 2:  # not "=", or padding too early
                return si - 1
            if j == 2:  # "==" expected
                while si < n and data[si] in (10, 13):
                    si += 1
                if si == n:
                    return n
                if data[si] != 61:
                    return si - 1
                si += 1
            while si < n and data[si] in (10, 13):
                si += 1
            return si if si < n else None


def decode_base64(s: str) -> tuple[str | None, str | None]:
    """A JSON string into []byte and back: (base64 as Go re-encodes it, Go's error)."""
    data = s.encode()
    bad = _base64_error(data)
    if bad is not None:
        return None, f"illegal base64 data at input byte {bad}"
    clean = data.replace(b"\r", b"").replace(b"\n", b"")
    return base64.b64encode(base64.b64decode(clean)).decode(), None


def request_text(v: Any) -> str:
    """The JSON text a client would send for a Python value (json.dumps, compact)."""
    return _REQUEST_ENCODER.encode(v)


# what json.dumps(v, ensure_ascii=False, separators=(",", ":")) builds on every call
_REQUEST_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def go_v(v: Any) -> str:
    """fmt's `%v` for an unstructured value, as Katib's error messages print them."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_v(v[k])}" for k in sorted(v)) + "]"
    if isinstance(v, list):
        return "[" + " ".join(go_v(x) for x in v) + "]"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "+Inf" if v > 0 else ("-Inf" if v < 0 else "NaN")
        if v == 0:
            return "-0" if math.copysign(1.0, v) < 0 else "0"
        neg, digits, dp = _digits(v)
        exp = dp - 1
        text = _fmt_e(digits, dp) if exp < -4 or exp >= 6 else _fmt_f(digits, dp)
        return ("-" if neg else "") + text
    return str(v)
