"""resource.Quantity parsing and canonical printing.

Every expected value in TABLE was produced by the real Go code (apimachinery v0.34.0,
`Quantity.UnmarshalJSON` then `MarshalJSON`) through tools/gotypes/crosscheck; the full
list of 100+ inputs is in data/go_expected.json and checked by test_go_crosscheck.py.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from compiler.kubetypes import QuantityError, canonical_quantity, parse_quantity
from compiler.kubetypes.quantity import quantity_from_json

# (input, what Go stores) -- from Go, see the module docstring.
TABLE = [
    ("1024Mi", "1Gi"),
    ("1000m", "1"),
    ("0.5", "500m"),
    ("100Mi", "100Mi"),
    ("1536Mi", "1536Mi"),
    ("1.5Gi", "1536Mi"),
    ("0.5Gi", "512Mi"),
    ("0.1Gi", "107374182400m"),
    ("1.25Gi", "1280Mi"),
    ("0.5Mi", "512Ki"),
    ("4096Mi", "4Gi"),
    ("2048Ki", "2Mi"),
    ("1024Ki", "1Mi"),
    ("1023Ki", "1023Ki"),
    ("8Ki", "8Ki"),
    ("0.5Ki", "512"),
    ("0.0001Ki", "102400u"),
    ("8Ei", "9223372036854775807"),
    ("-8Ei", "-9223372036854775807"),
    ("16Ei", "9223372036854775807"),
    ("1000", "1k"),
    ("1.5", "1500m"),
    (".5", "500m"),
    ("0.25", "250m"),
    ("0.1m", "100u"),
    ("0.0001", "100u"),
    ("0.0000000001", "1n"),
    ("-0.0000000001", "-1n"),
    ("0.000001m", "1n"),
    ("3.000", "3"),
    ("1.000", "1"),
    ("1.0", "1"),
    ("0.010", "10m"),
    ("1.5k", "1500"),
    ("1.500k", "1.500k"),
    ("1e3", "1e3"),
    ("1E3", "1E3"),
    ("1e+3", "1e+3"),
    ("1e2", "100"),
    ("1.5e3", "1500"),
    ("15e5", "1500e3"),
    ("1e-10", "1e-9"),
    ("1e19", "10e18"),
    ("+1", "+1"),
    ("5.", "5."),
    ("007", "007"),
    ("-1.5Gi", "-1536Mi"),
    ("1200m", "1200m"),
    ("2500m", "2500m"),
    ("123.456789", "123.456789"),
    ("9223372036854775808", "9223372036854775808"),
    ("1000000000000000000000", "1"),
    ("1000E", "1"),
    ("Gi", "0"),
    ("m", "0"),
    (".", "0"),
    ("-", "0"),
    ("-0", "0"),
    ("00", "0"),
    ("+.5Ki", "512"),
]

ERRORS = [
    ("", "quantities must match"),
    ("1 Gi", "quantities must match"),
    ("1gi", "quantities must match"),
    ("abc", "quantities must match"),
    ("1.5.5", "quantities must match"),
    ("1e3.5", "quantities must match"),
    ("1K", "unable to parse quantity's suffix"),
    ("1mi", "unable to parse quantity's suffix"),
    ("1e", "unable to parse quantity's suffix"),
    ("1Ki1", "unable to parse quantity's suffix"),
]


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_canonical_forms_match_go(text: str, expected: str) -> None:
    assert canonical_quantity(text) == expected


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_invalid_quantities(text: str, message: str) -> None:
    with pytest.raises(QuantityError, match=message[:20]):
        parse_quantity(text)


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 40


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.5", "500m"),
        ("1e3", "1e3"),
        ("1000", "1k"),
        ("null", "0"),
        ('" 2Gi "', "2Gi"),
        ("100000000000000000000", "100E"),
    ],
)
def test_json_numbers_and_strings(raw: str, expected: str) -> None:
    assert quantity_from_json(raw) == expected


def test_quantity_value() -> None:
    q = parse_quantity("1.5Gi")
    assert Fraction(q.unscaled) * Fraction(10) ** q.exp == 1536 * 2**20
    assert q.format == "BinarySI" and not q.is_zero
    assert str(parse_quantity("100Mi")) == "100Mi" and parse_quantity("100Mi").cached == "100Mi"
    assert parse_quantity("Gi").is_zero


def test_huge_exponents_do_not_hang() -> None:
    assert canonical_quantity("1e999999999") == "1e999999999"
    assert canonical_quantity("12345678901234567890e-999999999") == "1e-9"  # rounded up
