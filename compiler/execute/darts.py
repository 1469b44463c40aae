"""darts (reference §6.9): the suggestion only hands the configuration to the trial, which does
the architecture search itself. Every suggested trial gets the same three assignments:
`algorithm-settings` (Katib's defaults overlaid with the experiment's settings, `"None"` as null),
`search-space` (`skip_connection` bare, any other operation `<op>_<k>x<k>` for each value of its
first parameter) and `num-layers`, the JSON texts with `"` replaced by `'` as the service does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from compiler.execute.sources import Suggestion, TrialView
from compiler.model.katib import Experiment

_DEFAULTS: dict[str, Any] = {
    "num_epochs": 50,
    "w_lr": 0.025,
    "w_lr_min": 0.001,
    "w_momentum": 0.9,
    "w_weight_decay": 3e-4,
    "w_grad_clip": 5.0,
    "alpha_lr": 3e-4,
    "alpha_weight_decay": 1e-3,
    "batch_size": 128,
    "num_workers": 4,
    "init_channels": 16,
    "print_step": 50,
    "num_nodes": 4,
    "stem_multiplier": 3,
}


def darts_assignments(exp: Experiment) -> dict[str, str]:
    nas = exp.spec.nas_config
    ops = nas.operations if nas else ()
    space: list[str] = []
    for op in ops:
        if op.operation_type == "skip_connection":
            space.append(op.operation_type)
        elif op.parameters:
            sizes = op.parameters[0].feasible_space.list
            space += [f"{op.operation_type}_{k}x{k}" for k in sizes]
    settings = dict(_DEFAULTS)
    for s in exp.spec.algorithm.algorithm_settings if exp.spec.algorithm else ():
        settings[s.name] = None if s.value == "None" else s.value
    layers = nas.graph_config.num_layers if nas else None
    return {
        "algorithm-settings": json.dumps(settings).replace('"', "'"),
        "search-space": json.dumps(space).replace('"', "'"),
        "num-layers": str(layers or 0),
    }


class Darts:
    notes: tuple[str, ...] = ()

    def __init__(self, exp: Experiment) -> None:
        self.assignments = darts_assignments(exp)

    def state(self) -> dict[str, Any]:
        return {}

    def restore(self, state: dict[str, Any]) -> None:
        return None

    def suggest(self, count: int, trials: Sequence[TrialView]) -> list[Suggestion]:
        return [Suggestion(dict(self.assignments)) for _ in range(count)]
