"""`render-trial`: one concrete trial job of a spec, with chosen parameter values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compiler.commands.common import load_configmaps
from compiler.commands.compile import compile_specs
from compiler.errors import UsageError
from compiler.model.diagnostics import Diagnostic, Severity
from compiler.render.trial import RenderedTrial, RenderError, render_trial, trial_template_text


@dataclass
class RenderTrialRun:
    rendered: RenderedTrial | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.rendered is None or any(d.severity == Severity.ERROR for d in self.diagnostics):
            return 1
        return 1 if self.rendered.issues else 0


def parse_sets(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--set takes NAME=VALUE, not {pair!r}")
        out[name] = value
    return out


def render_spec_trial(
    root: Path,
    spec: str,
    sets: Sequence[str] = (),
    experiment: str | None = None,
    configmaps: Sequence[str] = (),
    *,
    katib_config: str | None = None,
    cluster: str | None = None,
) -> RenderTrialRun:
    run = RenderTrialRun()
    compiled = compile_specs(
        root, [spec], katib_config=katib_config, configmaps=configmaps, cluster=cluster
    )
    run.diagnostics = compiled.diagnostics
    chosen = [c for c in compiled.compiled if experiment in (None, c.name)]
    if not chosen:
        if experiment is None and any(d.severity == Severity.ERROR for d in run.diagnostics):
            return run  # the spec did not load: its diagnostics say why
        named = f" named {experiment!r}" if experiment is not None else ""
        raise UsageError(f"{spec} declares no experiment{named}")
    if len(chosen) > 1:
        names = ", ".join(c.name for c in chosen)
        raise UsageError(
            f"{spec} declares several experiments ({names}); pick one with --experiment"
        )
    c = chosen[0]
    if c.experiment is None or not c.ok:
        return run
    templates = load_configmaps([str(root / m) for m in configmaps])
    try:
        run.rendered = render_trial(
            c.experiment, trial_template_text(c.experiment, templates), parse_sets(sets)
        )
    except RenderError as exc:
        raise UsageError(str(exc)) from None
    return run
