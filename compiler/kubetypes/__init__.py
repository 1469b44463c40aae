"""Go's JSON semantics over Kubernetes, Katib and Kubeflow Go types, in pure Python.

Why: Katib's admission webhooks decode an Experiment into Go structs and store what the
structs marshal back to, and its validator converts batch/v1 Job templates through Go types.
To predict exactly what the cluster will store or reject, offline and without Go, this
package replays those steps over a type table generated from the real Go types
(tools/gotypes -> compiler/data/gotypes.json).

- `roundtrip_json`: sigs.k8s.io/json decode (case-sensitive) + encoding/json Marshal;
  `marshal_decoded`: Marshal alone, for what has been decoded already.
- `roundtrip_unstructured`: runtime.DefaultUnstructuredConverter.FromUnstructured + Marshal.
- `create_patch`: mattbaird/jsonpatch CreatePatch.
- `validate_batch_job`: Katib rule V-34.
- `check`: unknown fields and type mismatches in a rendered manifest, with hints.
- `canonical_quantity` / `parse_quantity`: resource.Quantity parsing and printing.
"""

from __future__ import annotations

from compiler.kubetypes._table import known_types, modules
from compiler.kubetypes._values import copy_plain
from compiler.kubetypes.batchjob import validate_batch_job
from compiler.kubetypes.check import check
from compiler.kubetypes.jsonpatch import JsonPatchPanic, create_patch
from compiler.kubetypes.quantity import Quantity, QuantityError, canonical_quantity, parse_quantity
from compiler.kubetypes.results import GoError, Issue, PatchOp, Path, Result, dotted
from compiler.kubetypes.roundtrip import (
    go_type,
    marshal_decoded,
    roundtrip_json,
    roundtrip_unstructured,
)

__all__ = [
    "GoError",
    "Issue",
    "JsonPatchPanic",
    "PatchOp",
    "Path",
    "Quantity",
    "QuantityError",
    "Result",
    "canonical_quantity",
    "check",
    "copy_plain",
    "create_patch",
    "dotted",
    "go_type",
    "known_types",
    "marshal_decoded",
    "modules",
    "parse_quantity",
    "roundtrip_json",
    "roundtrip_unstructured",
    "validate_batch_job",
]
