"""Our stand-ins for Go's strconv and numpy.arange, checked against the real things.

The tables below were produced by Go's strconv; `test_strconv_matches_go` re-runs them through
Go when a toolchain is present (marked conformance). The arange test compares with numpy when
numpy is installed (it is not a dependency of the package).
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.admission.algorithms._arange import ArangeError, arange_last, arange_length
from compiler.admission.algorithms._gostrconv import atoi, parse_float

# text: (ParseFloat value or None, Atoi value or None), as Go 1.26 printed them
GO: dict[str, tuple[float | None, int | None]] = {
    "1_000.5": (1000.5, None),
    "1e1_0": (1e10, None),
    "0x1p-2": (0.25, None),
    "0x1.8p1": (3.0, None),
    "0x1": (None, None),
    "+nan": (None, None),
    "NaN": (math.nan, None),
    "-Inf": (-math.inf, None),
    "infinity": (math.inf, None),
    "infin": (None, None),
    ".5": (0.5, None),
    "5.": (5.0, None),
    ".": (None, None),
    "1e": (None, None),
    "1e400": (None, None),
    "-1e400": (None, None),
    "1e-400": (0.0, None),
    " 1": (None, None),
    "1 ": (None, None),
    "+5": (5.0, 5),
    "-0": (-0.0, 0),
    "9223372036854775807": (9.223372036854776e18, 9223372036854775807),
    "9223372036854775808": (9.223372036854776e18, None),
    "1_0": (10.0, None),
    "0x_1p0": (1.0, None),
    "_1": (None, None),
    "1_": (None, None),
    "1__0": (None, None),
    "0b1": (None, None),
    "0o7": (None, None),
    "": (None, None),
    "+": (None, None),
    "\u0663": (None, None),  # ARABIC-INDIC DIGIT THREE: Python's int() accepts it
    "1.5": (1.5, None),
    "00012": (12.0, 12),
    "0x1p1024": (None, None),
    "0x.8p1": (1.0, None),
    "1E5": (100000.0, None),
    "1e+05": (100000.0, None),
    "1._5": (None, None),
    "1_.5": (None, None),
}


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return (math.isnan(a) and math.isnan(b)) or (
        a == b and math.copysign(1, a) == math.copysign(1, b)
    )


@pytest.mark.parametrize("text", list(GO))
def test_strconv_table(text: str) -> None:
    want_float, want_int = GO[text]
    assert _same(parse_float(text)[0], want_float)
    assert atoi(text)[0] == want_int


_GO_PROGRAM = """package main

import (
\t"bufio"
\t"fmt"
\t"os"
\t"strconv"
)

func main() {
\tsc := bufio.NewScanner(os.Stdin)
\tfor sc.Scan() {
\t\tf, ferr := strconv.ParseFloat(sc.Text(), 64)
\t\ti, ierr := strconv.Atoi(sc.Text())
\t\tfmt.Printf("%v %v %v %v\\n", strconv.FormatFloat(f, 'g', -1, 64), ferr == nil, i, ierr == nil)
\t}
}
"""

_FUZZ = [
    *GO,
    "1e308",
    "1.7976931348623159e308",
    "0x1.fffffffffffffp1023",
    "-0x1p-1074",
    "4.9e-324",
    "2.4703282292062328e-324",
    "INF",
    "+Infinity",
    "-nan",
    "0X1P+2",
    "1e-0_1",
    "0x1p",
    "0x.p1",
    "1e+",
    "--1",
    "+-1",
    "0x1.8p1_0",
    "00.00e00",
    "1_2_3",
    "0_1",
]


@pytest.mark.conformance
def test_strconv_matches_go(tmp_path: Path) -> None:
    go = shutil.which("go")
    if go is None:
        pytest.skip("needs the Go toolchain")
    source = tmp_path / "main.go"
    source.write_text(_GO_PROGRAM)
    lines = "\n".join(t for t in _FUZZ if "\n" not in t) + "\n"
    done = subprocess.run(
        [go, "run", str(source)],
        input=lines,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "GO111MODULE": "off"},
        timeout=300,
    )
    for text, row in zip(lines.splitlines(), done.stdout.splitlines(), strict=True):
        f_text, f_ok, i_text, i_ok = row.split(" ")
        assert (parse_float(text)[0] is not None) == (f_ok == "true"), text
        if f_ok == "true":
            assert _same(parse_float(text)[0], float(f_text)), text
        assert (atoi(text)[0] is not None) == (i_ok == "true"), text
        if i_ok == "true":
            assert atoi(text)[0] == int(i_text), text


def test_arange_reference_cases() -> None:
    assert arange_last(0.1, 0.4, 0.1) == (4, 0.4)  # so the grid 0.1..0.3 step 0.1 has 3
    assert arange_last(0.01, 0.055, 0.005) == (9, 0.049999999999999996)
    assert arange_length(1.0, 0.0, 0.1) == 0
    assert arange_length(0.0, 1e-320, 1e300) == 1  # underflow
    assert arange_length(0.0, -1e-320, 1e300) == 0
    for bad in ((0.0, 1.0, 0.0), (0.0, math.nan, 1.0), (0.0, math.inf, 1.0)):
        with pytest.raises(ArangeError):
            arange_length(*bad)


_floats = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
_steps = st.floats(min_value=1e-6, max_value=1e3).flatmap(lambda s: st.sampled_from([s, -s]))


@settings(max_examples=600, deadline=None)
@given(start=_floats, span=st.floats(min_value=-10, max_value=1e4), step=_steps)
def test_arange_matches_numpy(start: float, span: float, step: float) -> None:
    np = pytest.importorskip("numpy")
    stop = start + span
    if abs(span / step) > 1e6:
        return  # keep numpy's arrays small
    arr = np.arange(start, stop, step)
    n, last = arange_last(start, stop, step)
    assert n == len(arr)
    assert last == (float(arr[-1]) if len(arr) else None)
