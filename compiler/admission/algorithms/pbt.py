"""pbt: population-based training (reference §6.8).

Source: pkg/suggestion/v1beta1/pbt/service.py. ValidateAlgorithmSettings reads the settings into
a dict (the last of a repeated name wins) and returns at the first problem; its exceptions (an
n_population that is not an int, ...) come back as gRPC Unknown, which Katib treats as invalid.
`resample_probability` can never pass: service.py:69 compares the raw string with 0
(`0 <= "0.5"`), a TypeError (the reference marks this inferred; the code confirms it).
GetSuggestions builds each number's sample list with `numpy.arange(min, max + step / 2, step)`,
so a double without a step fails there (`float("")`) and the experiment hangs.

Codes are KATIB-R2x. Severity E = error (hang or Fail), W = warning.

| code | field | sev | rule |
|---|---|---|---|
| R24 | algorithmSettings | E | suggestion_trial_dir, n_population, truncation_threshold |
| R24 | algorithmSettings[i].value | E | n_population int >= 5; truncation_threshold float in |
|     |                            |   | [0, 1]; suggestion_trial_dir non-empty (a mountPath) |
| R24 | algorithmSettings[i].name | E | resample_probability always fails validation |
| R24 | spec.resumePolicy | E | FromVolume: only then does the checkpoint PVC exist |
| R24 | metadata.name | E | <= 26 characters: `<name>-<uuid4>` is a label value |
| R24 | feasibleSpace.step | E | a double needs a step |
| R20 | algorithmSettings[i].name | W | other names are ignored |
| R22 | feasibleSpace.distribution | W | ignored: values come from the step grid |
"""

from __future__ import annotations

from compiler.admission.algorithms._common import (
    R20,
    R24,
    SETTINGS,
    algorithm_settings,
    error,
    last_index,
    ptype,
    py_float,
    py_int,
    setting_path,
    space_path,
    warning,
)
from compiler.admission.algorithms._space import basic_space, ignored_space
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import Experiment

_REQUIRED = ("suggestion_trial_dir", "n_population", "truncation_threshold")
MAX_NAME = 26  # 63 (label value) - 37 ("-" + uuid4)


def check(exp: Experiment) -> list[RuntimeFinding]:
    settings = algorithm_settings(exp)
    index = last_index(settings)
    values = {name: settings[i].value for name, i in index.items()}
    out: list[RuntimeFinding] = []
    missing = [n for n in _REQUIRED if n not in values]
    if missing:
        message = f"Required params missing: {', '.join(missing)}"
        out.append(error(R24, SETTINGS, message, f"add {', '.join(missing)}"))
    out += _values(index, values) + _names(exp) + _experiment(exp)
    return out + basic_space(exp, "pbt") + _steps(exp) + ignored_space(exp, "pbt", step=False)


def _values(index: dict[str, int], values: dict[str, str]) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    if "n_population" in values:
        n, exc = py_int(values["n_population"])
        if n is None or n < 5:
            message = exc or "Param(n_population) should be >= 5"
            path = setting_path(index["n_population"])
            out.append(error(R24, path, message, "use an integer >= 5"))
    if "truncation_threshold" in values:
        t, exc = py_float(values["truncation_threshold"])
        if t is None or not 0 <= t <= 1:
            message = exc or "Param(truncation_threshold) should be between 0 and 1, inclusive"
            path = setting_path(index["truncation_threshold"])
            out.append(error(R24, path, message, "use a number from 0 to 1, e.g. 0.2"))
    if values.get("suggestion_trial_dir") == "":
        path = setting_path(index["suggestion_trial_dir"])
        message = "suggestion_trial_dir is empty; Katib mounts the checkpoint volume there"
        out.append(error(R24, path, message, "use the absolute checkpoint directory of trials"))
    return out


def _names(exp: Experiment) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    for i, s in enumerate(algorithm_settings(exp)):
        if s.name == "resample_probability":
            message = (
                "'<=' not supported between instances of 'int' and 'str': the validator "
                "compares the setting's string with 0, so any resample_probability fails"
            )
            fix = "remove resample_probability (PBT then perturbs values by 0.8 or 1.2)"
            out.append(error(R24, setting_path(i, "name"), message, fix))
        elif s.name not in _REQUIRED:
            message = f"the pbt service ignores the setting {s.name}"
            out.append(warning(R20, setting_path(i, "name"), message, "remove it"))
    return out


def _experiment(exp: Experiment) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    if exp.spec.resume_policy != "FromVolume":
        message = (
            f"resumePolicy {exp.spec.resume_policy or 'Never'}: only FromVolume gives the pbt "
            "suggestion its checkpoint volume, which trials share"
        )
        out.append(error(R24, "spec.resumePolicy", message, "set resumePolicy: FromVolume"))
    name = exp.metadata.name
    if len(name) > MAX_NAME:
        message = (
            f"name {name!r} has {len(name)} characters; PBT trial names <name>-<uuid4> must fit "
            "a 63-character label value"
        )
        fix = f"shorten the name to at most {MAX_NAME} characters"
        out.append(error(R24, "metadata.name", message, fix))
    return out


def _steps(exp: Experiment) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    for i, p in enumerate(exp.spec.parameters):
        if ptype(p) == "double" and not p.feasible_space.step:
            message = (
                f"pbt samples double {p.name} from numpy.arange(min, max + step / 2, step); "
                "without a step GetSuggestions fails on float('')"
            )
            out.append(error(R24, space_path(i, "step"), message, "give the double a step"))
    return out
