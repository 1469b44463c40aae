"""Canonical YAML output: the C dumper, keys in the order given (Go's field order), block style,
multi-line strings as literal blocks, LF line ends and a final newline. Same data, same bytes."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from compiler import goyaml, yamlnodes

_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _CanonicalDumper(_Dumper):  # type: ignore[misc]
    pass


# go-yaml reads a plain scalar as something other than text only if it starts with one of these
_MAYBE_NOT_TEXT = frozenset("+-.0123456789yYnNtTfFoO~<")


@lru_cache(maxsize=4096)
def _read_as_non_text(value: str) -> bool:
    return not isinstance(goyaml.resolve(value), str) or goyaml.core_number(value)


def _yaml11_break(value: str) -> bool:
    """NEL, LS or PS: line breaks to YAML 1.1 (PyYAML, go-yaml), text to YAML 1.2 (the npm
    `yaml` package of yaml-language-server); only their escapes (`\\N`, `\\L`, `\\P`) read the
    same to both."""
    return not value.isascii() and ("\x85" in value or "\u2028" in value or "\u2029" in value)


def _str(dumper: Any, value: str) -> Any:
    if _yaml11_break(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value and not any(c in value for c in "\r\t") and value == value.rstrip(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if value[:1] in _MAYBE_NOT_TEXT and _read_as_non_text(value):
        # PyYAML quotes what its YAML 1.1 resolver would misread, but kubectl (go-yaml v2)
        # also reads `1e-3`, `y` or `0x1F` as numbers and booleans, and YAML 1.2 reads
        # `6325e37460` as infinity: quote those too.
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_CanonicalDumper.add_representer(str, _str)


def dump(obj: Any) -> str:
    return yamlnodes.dump(  # yaml.dump's bytes, faster
        obj,
        _CanonicalDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=100,
        indent=2,
    )
