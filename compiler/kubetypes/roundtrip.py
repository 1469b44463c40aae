"""Public round trips: decode into a Go type the way Kubernetes code does, then marshal.

`roundtrip_json` is what Katib's admission webhooks do to an Experiment (decode the request
with sigs.k8s.io/json, marshal the struct back); `roundtrip_unstructured` is what Katib's
validator does to a batch/v1 Job template (runtime.DefaultUnstructuredConverter). Both take
plain Python data (as json.loads or a YAML loader gives it) and never mutate it.
"""

from __future__ import annotations

from typing import Any

from compiler.kubetypes._decode_json import JsonDecoder
from compiler.kubetypes._decode_unstructured import ConverterDecoder
from compiler.kubetypes._table import GoType, resolve
from compiler.kubetypes.results import Result

__all__ = ["go_type", "marshal_decoded", "roundtrip_json", "roundtrip_unstructured"]


def go_type(type_name: str) -> GoType:
    """The table's type by full Go name, e.g. `k8s.io/api/batch/v1.Job` (KeyError if unknown)."""
    return resolve(type_name)


def roundtrip_json(value: Any, type_name: str) -> Result:
    """json.Unmarshal (case-sensitive, as Kubernetes decodes) into the type, then json.Marshal.

    Numbers are read as Python's json.dumps writes them, so a float `1.0` is the literal
    `1.0` (which no int field accepts) and `1e3` arrives as `1000.0`.
    """
    decoder = JsonDecoder()
    out = decoder.value(resolve(type_name), value, (), None)
    return Result(out, decoder.errors, decoder.unknown)


def marshal_decoded(value: Any, type_name: str, verbatim: frozenset[int] = frozenset()) -> Any:
    """json.Marshal of a value that is already decoded: the output of `roundtrip_json` for the
    type, or the same shape with Go-typed values added (Katib's defaults). It equals
    `roundtrip_json(value, type_name).value` for such input; unstructured parts (a trialSpec)
    are copied as they are instead of being normalized and spelled out as JSON again, and so
    are the structs whose ids are in `verbatim` (parts of an earlier output)."""
    decoder = JsonDecoder(decoded=True, verbatim=verbatim)
    return decoder.value(resolve(type_name), value, (), None)


def roundtrip_unstructured(value: dict[str, Any], type_name: str) -> Result:
    """runtime.DefaultUnstructuredConverter.FromUnstructured into the type, then json.Marshal.

    Python ints are int64 (float64 beyond int64's range) and floats are float64, as
    Kubernetes' YAML/JSON decoding leaves them in an unstructured object.
    """
    if not isinstance(value, dict):
        raise TypeError("FromUnstructured needs an object (a dict)")
    decoder = ConverterDecoder()
    out = decoder.value(resolve(type_name), value, ())
    return Result(out, decoder.errors, decoder.unknown)
