"""How Katib's webhook decoder finds an Experiment's apiVersion and kind (H-1, reference §0.3).

Before decoding, apimachinery's JSON serializer reads `apiVersion` and `kind` with Go's
`encoding/json` (SimpleMetaFactory.Interpret), which matches keys case-insensitively. So an
unknown top-level key such as `APIVERSION: false` or `Kind: 5` breaks the decode, and
`apiversion: v2` overrides the real apiVersion when it comes later. The body the webhook reads
was re-encoded by the API server with sorted keys, so "later" means later in byte order. Empty
values are filled from the request's kind (gvkWithDefaults).
"""

from __future__ import annotations

from typing import Any

API_GROUP = "kubeflow.org"
API_VERSION_ONLY = "v1beta1"
KIND = "Experiment"
_GO_TYPES = {bool: "bool", int: "number", float: "number", list: "array", dict: "object"}
# Runes outside ASCII that Go's case folding maps onto letters of "apiversion" and "kind".
_FOLD = {"ſ": "S", "\u212a": "K"}  # long s, Kelvin sign
_LENGTHS = frozenset({len("APIVERSION"), len("KIND")})


def _fold(key: str) -> str:
    """encoding/json's foldName, as far as it matters for these two keys."""
    return "".join(_FOLD.get(c, c.upper() if c.isascii() else c) for c in key)


def type_meta_problem(data: dict[str, Any]) -> str | None:
    """The decode error Katib's webhook reports for the object's apiVersion and kind, or None."""
    found: dict[str, str] = {"APIVERSION": "", "KIND": ""}
    error = ""
    for key in sorted(data, key=lambda k: k.encode("utf-8")):
        # folding maps each rune onto one: only keys of those two lengths can match
        if len(key) not in _LENGTHS:
            continue
        folded = _fold(key)
        if folded not in found:
            continue
        value = data[key]
        if isinstance(value, str):
            found[folded] = value
        elif value is not None and not error:
            go_type = _GO_TYPES.get(type(value), "number")
            field = "apiVersion" if folded == "APIVERSION" else "kind"
            error = (
                "couldn't get version/kind; json parse error: json: cannot unmarshal "
                f"{go_type} into Go struct field .{field} of type string"
            )
    return error or _registered(found["APIVERSION"], found["KIND"])


def _registered(api_version: str, kind: str) -> str | None:
    """schema.ParseGroupVersion, then the request's kind fills in what is empty."""
    if api_version.count("/") > 1:
        return f"unexpected GroupVersion string: {api_version}"
    group, _, version = api_version.rpartition("/")
    if not version and (not group or group == API_GROUP):
        group, version = API_GROUP, API_VERSION_ONLY  # empty: defaulted from the request
    kind = kind or KIND
    if (group, version) != (API_GROUP, API_VERSION_ONLY):
        shown = f"{group}/{version}" if group else version
        return f'no kind "{kind}" is registered for version "{shown}"'
    if kind != KIND:
        return f'no kind "{kind}" is registered for version "{API_GROUP}/{API_VERSION_ONLY}"'
    return None
