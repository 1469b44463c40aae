"""The report's text: jinja2 templates, overridable per repository, and what they are given.

Templates are looked up first in the repository's `templates/reports/`, then in the package's
own (`compiler/templates/reports/`). Undefined names are errors, and every number is printed
by one formatter, so the same Results give the same bytes: `num` in prose, `Formats` in tables
(significant digits, the same for a whole column), `exact` where the full value is kept.
"""

from __future__ import annotations

import functools
import math
import posixpath
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from compiler.errors import KatibGitopsError
from compiler.model.results import Results, TrialResult
from compiler.reports.lineage import lineage as pbt_lineage

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "reports"
REPO_TEMPLATES = Path("templates") / "reports"
TOP_K = 5
SIGNIFICANT = (4, 6)  # a table column's significant digits: the fewest that keep values apart
_FIXED = (1e-4, 1e9)  # magnitudes written without an exponent
_SAME_LISTED = 10  # trials named beside a log ending they share with an earlier one
_BACKTICKS = re.compile(r"`+")


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


def exact(value: object) -> str:
    """The full value, for the CSV: floats as the shortest text that reads back the same."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


class Column:
    """The numbers of one table column, each with the same significant digits: the fewest in
    SIGNIFICANT that keep distinct values distinct, and an exponent for the whole column only
    when one of its values is outside the ordinary magnitudes. Text that is not a number is
    shown as it is."""

    def __init__(self, values: Iterable[object]) -> None:
        found = {v for v in map(_number, values) if v is not None and math.isfinite(v)}
        self.fixed = all(_FIXED[0] <= abs(v) < _FIXED[1] for v in found if v)
        low, high = SIGNIFICANT
        self.digits = next(
            (d for d in range(low, high) if len({self._format(v, d) for v in found}) == len(found)),
            high,
        )

    def __call__(self, value: object) -> str:
        number = _number(value)
        return num(value) if number is None else self._format(number, self.digits)

    def _format(self, v: float, digits: int) -> str:
        if v == 0 or not math.isfinite(v):
            return "0" if v == 0 else str(v)
        if not self.fixed:
            mantissa, _, exponent = f"{v:.{digits - 1}e}".partition("e")
            return f"{_trim(mantissa)}e{exponent}"
        decimals = max(0, digits - 1 - math.floor(math.log10(abs(v))))
        return _trim(f"{v:.{decimals}f}")


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


class Formats:
    """The report's table columns: double parameters, each metric's min/max/latest, the
    objective. Int, discrete and categorical values are shown as Katib holds them."""

    def __init__(self, results: Results) -> None:
        trials = results.trials
        self._params = {
            p.name: Column(t.parameter(p.name) for t in trials)
            for p in results.parameters
            if p.parameter_type == "double"
        }
        names = {m.name for t in trials for m in t.metrics}
        self._metrics = {
            n: Column(x for t in trials for m in t.metrics if m.name == n for x in _mml(m))
            for n in sorted(names)
        }
        self._objective = Column(t.objective for t in trials)

    def param(self, name: str, value: object) -> str:
        column = self._params.get(name)
        return num(value) if column is None else column(value)

    def metric(self, name: str, value: object) -> str:
        column = self._metrics.get(name)
        return num(value) if column is None else column(value)

    def objective(self, value: object) -> str:
        return self._objective(value)


def _mml(m: Any) -> tuple[str, str, str]:
    return (m.min, m.max, m.latest)


def log_tails(results: Results) -> list[dict[str, Any]]:
    """The last lines of each failed trial's log, once for each distinct ending: the first
    trial that ended so, and the others that did."""
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for t in results.trials:
        if not t.log_tail:
            continue
        group = groups.setdefault(t.log_tail, {"trial": t, "others": [], "lines": t.log_tail})
        if group["trial"] is not t:
            group["others"].append(t.name)
    for group in groups.values():
        others = group.pop("others")
        group["same"], group["more"] = others[:_SAME_LISTED], len(others[_SAME_LISTED:])
        group["fence"] = fence(group["lines"])
    return list(groups.values())


def fence(lines: Sequence[str]) -> str:
    """A code fence that no line of the block can close (CommonMark: a longer run of
    backticks than any inside)."""
    runs = [len(run) for line in lines for run in _BACKTICKS.findall(line)]
    return "`" * max(3, max(runs, default=0) + 1)


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
        "fmt": Formats(results),
        "log_tails": log_tails(results),
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
        "lineage": pbt_lineage(results),
    }
