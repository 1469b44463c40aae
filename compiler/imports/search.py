"""The shortest spec that compiles back to what Katib stores: start from every section's
shortest form, compile in memory, and move each section whose Katib part differs to its next,
rawer form until the whole object matches byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from compiler.admission import ConfigMaps, KatibConfig, field_to_path
from compiler.admission.runtime import NAS_OUTPUTS
from compiler.imports.sections import (
    Form,
    algorithm_forms,
    assemble_parameters,
    metadata,
    metrics_forms,
    nas_forms,
    objective_forms,
    parameters_forms,
    resume_forms,
    trials_forms,
)
from compiler.imports.trial import TrialForm, trial_forms
from compiler.model.source import Document, Path
from compiler.model.spec import ExperimentSpec
from compiler.normalize import SpecContext
from compiler.pipeline import compile_document, revision_of

# the spec's sections, in writing order, and the Katib paths each one makes
SECTIONS: dict[str, tuple[Path, ...]] = {
    "objective": (("spec", "objective"),),
    "algorithm": (("spec", "algorithm"),),
    "earlyStopping": (("spec", "earlyStopping"),),
    "trials": (
        ("spec", "parallelTrialCount"),
        ("spec", "maxTrialCount"),
        ("spec", "maxFailedTrialCount"),
    ),
    "resume": (("spec", "resumePolicy"),),
    "parameters": (("spec", "parameters"),),
    "nas": (("spec", "nasConfig"),),
    "trial": (("spec", "trialTemplate"),),
    "metrics": (("spec", "metricsCollectorSpec"),),
}
Group = str | int  # a section's name, or a parameter's index


@dataclass
class Found:
    spec: dict[str, Any]
    manifest: dict[str, Any] | None
    differing: list[str] = field(default_factory=list)  # Katib paths still different

    @property
    def exact(self) -> bool:
        return self.manifest is not None and not self.differing


@dataclass
class _State:
    """The candidate forms of each section and which one is being tried."""

    forms: dict[Group, list[Form]]
    pick: dict[Group, int]

    def current(self, group: Group) -> Form:
        return self.forms[group][self.pick[group]]

    def advance(self, group: Group) -> bool:
        if self.pick[group] + 1 < len(self.forms[group]):
            self.pick[group] += 1
            return True
        return False


Compiler = Callable[[dict[str, Any]], tuple[dict[str, Any] | None, list[Path]]]


def search(stored: dict[str, Any], folder: str, compile_spec: Compiler | None) -> Found:
    """The shortest spec for `stored` (a Katib Experiment as the API server keeps it). Without a
    compiler (Katib cannot decode the manifest, so nothing to compare with), the shortest form
    of every section."""
    spec = stored.get("spec") or {}
    params = [p for p in spec.get("parameters") or [] if isinstance(p, dict)]
    names = [str(p.get("name", "")) for p in params]
    algorithm = (spec.get("algorithm") or {}).get("algorithmName", "")
    outputs = NAS_OUTPUTS.get(algorithm, ()) if spec.get("nasConfig") is not None else ()
    sections: dict[Group, list[Form]] = {
        "objective": objective_forms(spec.get("objective")),
        "algorithm": algorithm_forms(spec.get("algorithm")),
        "earlyStopping": algorithm_forms(spec.get("earlyStopping")),
        "trials": trials_forms(spec),
        "resume": resume_forms(spec),
        "nas": nas_forms(spec.get("nasConfig")),
        "metrics": metrics_forms(spec.get("metricsCollectorSpec")),
    }
    state = _State(sections, dict.fromkeys(sections, 0))
    meta = metadata(stored.get("metadata") or {}, folder, revision_of(stored))
    best: Found | None = None
    for trial in trial_forms(spec.get("trialTemplate"), names, outputs):
        for i, forms in enumerate(parameters_forms(params, trial.descriptions)):
            state.forms[i], state.pick[i] = forms, 0
        if compile_spec is None:
            return Found(assemble(meta, params, trial, state), None, ["(not compiled)"])
        found, trial_ok = _improve(
            stored, meta, params, trial, state=state, compile_spec=compile_spec
        )
        if best is None or len(found.differing) < len(best.differing) or found.exact:
            best = found
        if found.exact or trial_ok:
            break
    assert best is not None
    return best


def _improve(
    stored: dict[str, Any],
    meta: dict[str, Any],
    params: list[dict[str, Any]],
    trial: TrialForm,
    *,
    state: _State,
    compile_spec: Compiler,
) -> tuple[Found, bool]:
    """Move differing sections to rawer forms while that helps: (the last try, whether the
    trial form was right). A wrong trial form returns at once: the caller tries the next one."""
    while True:
        data = assemble(meta, params, trial, state)
        manifest, broken = compile_spec(data)
        if manifest is None:
            found, groups = Found(data, None, ["(spec)"]), _groups(broken)
        else:
            differing = _differing(stored, manifest)
            found, groups = Found(data, manifest, differing), _groups(_paths(differing))
            if not differing:
                return found, True
        if not groups:  # nothing points anywhere: every section moves on
            groups = {"trial", "parameters", *state.forms}
        if "parameters" in groups:  # the list itself differs
            groups |= {g for g in state.forms if isinstance(g, int)}
        moved = [g for g in groups if g in state.forms and state.advance(g)]
        if "trial" in groups or not moved:
            return found, "trial" not in groups


def _paths(fields: list[str]) -> list[Path]:
    return [field_to_path(f) for f in fields]


def assemble(
    meta: dict[str, Any], params: list[dict[str, Any]], trial: TrialForm, state: _State
) -> dict[str, Any]:
    """The spec, in writing order; sections with nothing to say are left out."""
    data = dict(meta)
    for name in SECTIONS:
        if name == "parameters":
            value: Form = (
                assemble_parameters(params, [state.current(i) for i in range(len(params))])
                if params
                else None
            )
        elif name == "trial":
            value = trial.trial
        else:
            value = state.current(name)
        if value is not None:
            data[name] = value
    return data


def _differing(stored: dict[str, Any], manifest: dict[str, Any]) -> list[str]:
    """Katib paths (as `spec.parameters[1]`) whose values differ, down to sections and
    parameters."""
    out = []
    for key in sorted(set(stored) | set(manifest)):
        a, b = stored.get(key), manifest.get(key)
        if key == "spec" and isinstance(a, dict) and isinstance(b, dict):
            out += _differing_spec(a, b)
        elif _text(a) != _text(b):
            out.append(key)
    if not out and _text(stored) != _text(manifest):
        out.append("(order)")
    return out


def _differing_spec(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    out = []
    for key in list(dict.fromkeys([*a, *b])):
        x, y = a.get(key), b.get(key)
        if key == "parameters" and isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            pairs = enumerate(zip(x, y, strict=True))
            out += [f"spec.parameters[{i}]" for i, (p, q) in pairs if _text(p) != _text(q)]
        elif _text(x) != _text(y):
            out.append(f"spec.{key}")
    if not out and _text(a) != _text(b):
        out.append("spec")
    return out


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _groups(paths: list[Path]) -> set[Group]:
    """The sections (or parameter indexes) that made these Katib paths."""
    out: set[Group] = set()
    for path in paths:
        if path[:1] != ("spec",):
            out.add("head")  # metadata and the like: no other form would say it differently
            continue
        if len(path) >= 3 and path[:2] == ("spec", "parameters") and isinstance(path[2], int):
            out.add(path[2])
            continue
        for name, prefixes in SECTIONS.items():
            if any(path[: len(p)] == p for p in prefixes):
                out.add(name)
    return out


def spec_paths(data: dict[str, Any], exc: ValidationError) -> list[Path]:
    """Katib paths for the sections a spec-level error is in (a parameter's by its index)."""
    names = list(data.get("parameters") or [])
    out: list[Path] = []
    for err in exc.errors():
        loc = err["loc"]
        if not loc:
            continue
        if loc[0] == "parameters":
            index = next((names.index(p) for p in loc[1:] if p in names), None)
            if index is None:
                index = next((p for p in loc[1:] if isinstance(p, int)), None)
            out.append(
                ("spec", "parameters", index) if index is not None else ("spec", "parameters")
            )
        elif loc[0] in SECTIONS:
            out.extend(SECTIONS[str(loc[0])])
    return out


def compiler_for(file: str, folder: str, config: KatibConfig, configmaps: ConfigMaps) -> Compiler:
    """Compile spec data in memory: (what Katib would store, Katib paths of what broke)."""
    ctx = SpecContext(file, folder)

    def run(data: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Path]]:
        try:
            ExperimentSpec.model_validate(data)
        except ValidationError as exc:
            return None, spec_paths(data, exc)
        compiled = compile_document(Document(data, file), ctx, config, configmaps)
        broken = [field_to_path(d.field) for d in compiled.diagnostics if d.field]
        return compiled.manifest, broken

    return run
