"""Algorithm-setting rules of the two NAS services.

* ENAS (nas/enas/service.py ValidateAlgorithmSettings with AlgorithmSettings.py's table): each
  name has a type and a range; floats must lie in (low, high] (high "inf": no upper bound), ints
  in [low, inf); four names also accept the literal "None". Unknown names are rejected.
* DARTS (nas/darts/service.py validate_algorithm_settings): only the names below are checked;
  every other name is passed to the trial untouched in the `algorithm-settings` assignment.
"""

from __future__ import annotations

from compiler.admission.algorithms._common import Rule, float_rule, int_rule

# name: (type, low, high); high None means "inf"
_ENAS: dict[str, tuple[type, float, float | None]] = {
    "controller_hidden_size": (int, 1, None),
    "controller_temperature": (float, 0, None),
    "controller_tanh_const": (float, 0, None),
    "controller_entropy_weight": (float, 0.0, None),
    "controller_baseline_decay": (float, 0.0, 1.0),
    "controller_learning_rate": (float, 0.0, 1.0),
    "controller_skip_target": (float, 0.0, 1.0),
    "controller_skip_weight": (float, 0.0, None),
    "controller_train_steps": (int, 1, None),
    "controller_log_every_steps": (int, 1, None),
}
_ENAS_NONE = (
    "controller_temperature",
    "controller_tanh_const",
    "controller_entropy_weight",
    "controller_skip_weight",
)


def _enas_rule(kind: type, low: float, high: float | None) -> Rule:
    upper = "inf" if high is None else high
    shown = "float" if kind is float else "int"

    def rule(name: str, value: str) -> tuple[str, str] | None:
        if name in _ENAS_NONE and value == "None":
            return None
        try:
            v: float = kind(value)
        except ValueError as e:
            return f"Algorithm Setting {name} must be {shown} type: exception {e}", _fix(name)
        if kind is float:  # NaN passes both comparisons, as in the service
            if v <= low or (high is not None and v > high):
                message = f"Algorithm Setting {name}: {v} with float type must be in range "
                return message + f"({low}, {upper})", _fix(name)
        elif v < low:
            message = f"Algorithm Setting {name}: {v} with int type must be in range "
            return message + f"[{low}, {upper})", _fix(name)
        return None

    return rule


def _fix(name: str) -> str:
    kind, low, high = _ENAS[name]
    if kind is int:
        return f"use an integer >= {low}"
    bound = f"in ({low}, {high}]" if high is not None else f"> {low}"
    return f"use a number {bound}" + (' or "None"' if name in _ENAS_NONE else "")


ENAS_RULES: dict[str, Rule] = {name: _enas_rule(*spec) for name, spec in _ENAS.items()}


def _non_negative(name: str) -> Rule:
    message = f"{name} should be greater than or equal to zero"
    return float_rule(lambda v: v >= 0.0, message, "use a number >= 0")


def _batch_size(name: str, value: str) -> tuple[str, str] | None:
    if value == "None":
        return None
    return int_rule(
        lambda v: v >= 1,
        "batch_size should be greater than or equal to one",
        'use an integer >= 1, or "None"',
    )(name, value)


_AT_LEAST_ONE = "{} should be greater than or equal to one"
DARTS_RULES: dict[str, Rule] = {
    "num_epochs": int_rule(
        lambda v: v > 0, "num_epochs should be greater than zero", "use an integer > 0"
    ),
    **{
        n: _non_negative(n)
        for n in (
            *("w_lr", "w_lr_min", "alpha_lr"),
            *("w_weight_decay", "alpha_weight_decay", "w_momentum", "w_grad_clip"),
        )
    },
    "batch_size": _batch_size,
    "num_workers": int_rule(
        lambda v: v >= 0,
        "num_workers should be greater than or equal to zero",
        "use an integer >= 0",
    ),
    **{
        n: int_rule(lambda v: v >= 1, _AT_LEAST_ONE.format(n), "use an integer >= 1")
        for n in ("init_channels", "print_step", "num_nodes", "stem_multiplier")
    },
}
