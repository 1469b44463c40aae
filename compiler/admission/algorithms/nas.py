"""NAS: `enas` and `darts`, and the operation validation they share (reference §6.9).

Source: pkg/suggestion/v1beta1/nas/common/validation.py (validate_operations),
nas/enas/service.py (graph checks, settings), nas/enas/Operation.py (the search space, built in
GetSuggestions), nas/darts/service.py. Katib's webhook checks nothing inside nasConfig.

Beyond the reference: ENAS' GetSuggestions reads every int operation parameter with
`int(min)`, `int(max)` and `int(step)` (Operation.py:68-70, no step default), skips discrete
parameters and then indexes past its list (Operation.py:85-88, IndexError), and on a double
whose arange overshoots max runs `del` on a numpy array (Operation.py:77-78, ValueError). All
three hang the experiment although validation passed.

Codes are KATIB-R2x. Severity E = error (hang or Fail), W = warning; "op" is
spec.nasConfig.operations[j], "param" is op.parameters[k].

| code | field | sev | rule |
|---|---|---|---|
| R23 | spec.nasConfig | E | enas and darts need it (other services: `_space.py`) |
| R23 | spec.nasConfig.operations | E | at least one operation |
| R23 | op.operationType, op.parameters | E | set, with at least one parameter |
| R23 | param.name, .parameterType | E | a name and a known type |
| R23 | param.feasibleSpace | E | a list for categorical/discrete; min or max for |
|     |                     |   | int/double; a double's step > 0 |
| R23 | graphConfig.* | E | enas: inputSizes, outputSizes, numLayers set |
| R23 | param | E | enas runtime: int min/max/step parse; no discrete; a |
|     |       |   | double's max on its step grid |
| R23 | graphConfig.numLayers, param | W | darts: numLayers unset (trials get 0); a first |
|     |                              |   | parameter without a list |
| R20 | algorithmSettings[i].name | E/W | unknown name (enas); darts passes it to the trial |
| R21 | algorithmSettings[i].value | E | `_nas_settings.py` |
"""

from __future__ import annotations

from compiler.admission.algorithms._common import (
    R20,
    R21,
    R23,
    algorithm_settings,
    check_settings,
    error,
    rejects_unknown,
    setting_path,
    warning,
)
from compiler.admission.algorithms._nas_ops import enas_operation, shared_operation
from compiler.admission.algorithms._nas_settings import DARTS_RULES, ENAS_RULES
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import Experiment, NasConfig

_GRAPH = "spec.nasConfig.graphConfig"


def check_enas(exp: Experiment) -> list[RuntimeFinding]:
    nas = exp.spec.nas_config
    if nas is None:
        return [_missing("enas")]
    out = _graph(nas) + _operations(nas)
    for j, op in enumerate(nas.operations):
        out += enas_operation(j, op)
    unknown = rejects_unknown("enas", tuple(ENAS_RULES))
    return out + check_settings(algorithm_settings(exp), ENAS_RULES, code=R21, unknown=unknown)


def check_darts(exp: Experiment) -> list[RuntimeFinding]:
    nas = exp.spec.nas_config
    if nas is None:
        return [_missing("darts")]
    out = _operations(nas)
    if not nas.graph_config.num_layers:
        message = "numLayers is not set; darts passes num-layers 0 to every trial"
        out.append(warning(R23, f"{_GRAPH}.numLayers", message, "set graphConfig.numLayers"))
    for j, op in enumerate(nas.operations):
        first = op.parameters[0] if op.parameters else None
        if op.operation_type != "skip_connection" and first and not first.feasible_space.list:
            message = (
                f"darts builds {op.operation_type}_<k>x<k> from the list of the first parameter "
                f"({first.name}), which has none, so the operation adds nothing"
            )
            path = f"spec.nasConfig.operations[{j}].parameters[0].feasibleSpace.list"
            out.append(warning(R23, path, message, "make the first parameter a categorical list"))
    return out + check_settings(
        algorithm_settings(exp), DARTS_RULES, code=R21, unknown=_darts_unknown
    )


def _darts_unknown(i: int, name: str) -> RuntimeFinding:
    message = f"darts does not know the setting {name} and passes it to the trial as is"
    fix = "check the spelling; keep it only if the trial's DARTS code reads it"
    return warning(R20, setting_path(i, "name"), message, fix)


def _missing(algorithm: str) -> RuntimeFinding:
    message = f"{algorithm} searches the architecture described by spec.nasConfig, which is missing"
    return error(R23, "spec.nasConfig", message, "describe the graph and operations in nasConfig")


def _graph(nas: NasConfig) -> list[RuntimeFinding]:
    """enas/service.py ValidateAlgorithmSettings, in its order."""
    g = nas.graph_config
    checks = (
        ("inputSizes", bool(g.input_sizes), "InputSizes"),
        ("outputSizes", bool(g.output_sizes), "OutputSizes"),
        ("numLayers", bool(g.num_layers), "NumLayers"),
    )
    return [
        error(R23, f"{_GRAPH}.{key}", f"Missing {shown} in GraphConfig", f"set graphConfig.{key}")
        for key, present, shown in checks
        if not present
    ]


def _operations(nas: NasConfig) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    if not nas.operations:
        message = "nasConfig.operations is empty: there is no operation to search over"
        out.append(error(R23, "spec.nasConfig.operations", message, "list the operations"))
    for j, op in enumerate(nas.operations):
        out += shared_operation(j, op)
    return out
