"""The report's text: jinja2 templates, overridable per repository, and what they are given.

Templates are looked up first in the repository's `templates/reports/`, then in the package's
own (`compiler/templates/reports/`). Undefined names are errors, and every number is printed
by one formatter, so the same Results give the same bytes.
"""

from __future__ import annotations

import functools
import math
import posixpath
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from compiler.errors import KatibGitopsError
from compiler.model.results import Results, TrialResult

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "reports"
REPO_TEMPLATES = Path("templates") / "reports"
TOP_K = 5


class TemplateError(KatibGitopsError):
    """A report template does not load or render."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def environment(root: Path) -> jinja2.Environment:
    """One environment per repository: jinja2 compiles each template once and reloads it when
    its file changes (compiling one costs more than rendering a report)."""
    return _environment(str(root.resolve()))


@functools.lru_cache(maxsize=8)
def _environment(root_text: str) -> jinja2.Environment:
    root = Path(root_text)
    loader = jinja2.FileSystemLoader([str(root / REPO_TEMPLATES), str(PACKAGE_TEMPLATES)])
    # Markdown, not HTML: values go through `cell`, so autoescape stays off (S701)
    env = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701
    )
    env.filters.update(num=num, cell=cell)
    return env


def render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        text = env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"{exc.filename or name}:{exc.lineno}: template error: {exc.message}",
            "fix the template, or delete it to use the built-in one",
        ) from None
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        raise TemplateError(
            f"{name}: template error: {type(exc).__name__}: {exc}",
            "fix the template, or delete it to use the built-in one",
        ) from None
    return text if text.endswith("\n") else text + "\n"


def num(value: object) -> str:
    """Numbers as %.6g; text as it is."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def cell(value: object) -> str:
    """Safe inside a Markdown table cell."""
    text = num(value).replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(text.split())


def ranked(results: Results) -> list[TrialResult]:
    """Trials with an objective, best first; creation order breaks ties (Katib's first wins)."""
    sign = 1.0 if results.objective.type == "minimize" else -1.0
    scored = [t for t in results.trials if t.objective is not None]
    return sorted(scored, key=lambda t: (sign * float(t.objective or 0.0), t.index))


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = round(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h {m:02d}m {s:02d}s" if h else f"{m}m {s:02d}s" if m else f"{seconds:.1f}s"


def span_seconds(start: str | None, end: str | None) -> float | None:
    from datetime import datetime

    if not start or not end:
        return None
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return (datetime.strptime(end, fmt) - datetime.strptime(start, fmt)).total_seconds()


def convergence(results: Results) -> dict[str, Any] | None:
    """The Mermaid xychart's data: each scored trial's value and the best so far."""
    scored = [t for t in results.trials if t.objective is not None]
    if not scored:
        return None
    values = [float(t.objective or 0.0) for t in scored]
    best: list[float] = []
    minimize = results.objective.type == "minimize"
    for v in values:
        if not best or (v < best[-1] if minimize else v > best[-1]):
            best.append(v)
        else:
            best.append(best[-1])
    lo, hi = min(values), max(values)
    if results.objective.goal is not None:
        lo, hi = min(lo, results.objective.goal), max(hi, results.objective.goal)
    pad = (hi - lo) * 0.05 or abs(hi) * 0.05 or 1.0
    return {
        "x": [str(t.index) for t in scored],
        "ys": [num(v) for v in values],
        "best": [num(v) for v in best],
        "low": num(lo - pad),
        "high": num(hi + pad),
    }


def context(results: Results, report_dir: str, plots: Sequence[str]) -> dict[str, Any]:
    ranked_trials = ranked(results)
    metrics = [results.objective.objective_metric_name, *results.objective.additional_metric_names]
    up = posixpath.relpath(".", report_dir)
    return {
        "r": results,
        "s": results.status,
        "best": results.best,
        "top": ranked_trials[:TOP_K],
        "params": [p.name for p in results.parameters],
        "metrics": metrics,
        "unsuccessful": [
            t
            for t in results.trials
            if t.state in ("Failed", "MetricsUnavailable", "EarlyStopped", "Killed")
        ],
        "chart": convergence(results),
        "plots": list(plots),
        "spec_link": posixpath.join(up, results.source.spec) if results.source.spec else "",
        "span": duration(span_seconds(results.status.start_time, results.status.completion_time)),
        "duration": duration,
    }
