"""The report's SVG plots; the only importer of matplotlib.

Byte-stable: matplotlib's defaults (not the machine's matplotlibrc), a fixed `svg.hashsalt`,
text kept as text with matplotlib's own DejaVu fonts for layout, and no date or version in the
metadata. The four plots follow Katib's UI (the seed chapter's Figures 10-5 to 10-7): the best
value so far, parallel coordinates of parameters and objective, the objective against each
parameter, and each trial's metric curves. A logUniform parameter has a log axis in both of
the plots that draw parameters.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from compiler.model.results import Results, TrialResult

FILES = ("convergence.svg", "parallel.svg", "parameters.svg", "metrics.svg")
_RC: dict[str, Any] = {
    "svg.hashsalt": "katib-gitops",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100.0,
}
_META = {"Creator": "katib-gitops", "Date": None, "Format": None, "Type": None}


def render_plots(results: Results) -> dict[str, bytes]:
    """File name → SVG bytes."""
    out: dict[str, bytes] = {}
    makers: dict[str, Callable[[Results], Figure]] = {
        "convergence.svg": _convergence,
        "parallel.svg": _parallel,
        "parameters.svg": _parameters,
        "metrics.svg": _metrics,
    }
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        params: Any = matplotlib.rcParams
        params.update(_RC)
        for name, make in makers.items():
            fig = make(results)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="svg", metadata=_META, bbox_inches="tight")
            out[name] = buffer.getvalue()
    return out


def _scored(results: Results) -> list[TrialResult]:
    return [t for t in results.trials if t.objective is not None]


def _metric_name(results: Results) -> str:
    return results.objective.objective_metric_name


def _better(results: Results, a: float, b: float) -> bool:
    return a < b if results.objective.type == "minimize" else a > b


def _empty(fig: Figure, text: str) -> Figure:
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return fig


def _convergence(results: Results) -> Figure:
    fig = Figure(figsize=(7.0, 3.6))
    scored = _scored(results)
    if not scored:
        return _empty(fig, "no trial reported the objective")
    ax = fig.add_subplot()
    xs = [t.index for t in scored]
    ys = [float(t.objective or 0.0) for t in scored]
    best: list[float] = []
    for y in ys:
        best.append(y if not best or _better(results, y, best[-1]) else best[-1])
    ax.scatter(xs, ys, s=14, color="#9aa5b1", label="trial", zorder=2)
    ax.step(xs, best, where="post", color="#1f77b4", linewidth=2, label="best so far", zorder=3)
    if results.objective.goal is not None:
        ax.axhline(
            results.objective.goal, color="#d62728", linestyle="--", linewidth=1, label="goal"
        )
    ax.set_xlabel("trial")
    ax.set_ylabel(_metric_name(results))
    ax.set_title(f"{results.objective.type} {_metric_name(results)}: best so far")
    # a fixed corner: "best" tries every place against every point (a third of the plot's time)
    if results.objective.type == "maximize":
        ax.legend(loc="lower right", frameon=False)
    else:
        ax.legend(loc="upper right", frameon=False)
    return fig


def _axis_values(
    results: Results, name: str, trials: Sequence[TrialResult]
) -> tuple[list[float], list[str]]:
    """Numbers for a parameter axis; categorical values become their list positions."""
    spec = next((p for p in results.parameters if p.name == name), None)
    texts = [t.parameter(name) or "" for t in trials]
    if spec is not None and spec.parameter_type in ("int", "double"):
        return [_float(x) for x in texts], []
    labels = list(spec.feasible_space.list) if spec is not None else sorted(set(texts))
    return [float(labels.index(x)) if x in labels else math.nan for x in texts], labels


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _log_scaled(results: Results, name: str) -> bool:
    spec = next((p for p in results.parameters if p.name == name), None)
    return spec is not None and spec.feasible_space.distribution in ("logUniform", "logNormal")


def _parallel(results: Results) -> Figure:
    scored = _scored(results)
    names = [p.name for p in results.parameters]
    fig = Figure(figsize=(max(6.0, 1.6 * (len(names) + 1)), 4.0))
    if not scored or not names:
        return _empty(fig, "no trial to draw")
    ax = fig.add_subplot()
    columns = [_axis_values(results, n, scored) for n in names]
    columns.append(([float(t.objective or 0.0) for t in scored], []))
    logs = [_log_axis(results, n, values) for n, (values, _) in zip(names, columns, strict=False)]
    logs.append(False)
    scaled = [_scale(_log10(v) if log else v) for (v, _), log in zip(columns, logs, strict=True)]
    objective = columns[-1][0]
    lo, hi = min(objective), max(objective)
    cmap = matplotlib.colormaps["viridis" if results.objective.type == "maximize" else "viridis_r"]
    for i in range(len(scored)):
        colour = cmap((objective[i] - lo) / (hi - lo) if hi > lo else 0.5)
        ax.plot(range(len(columns)), [c[i] for c in scaled], color=colour, alpha=0.8, linewidth=1.2)
    for x, (values, labels) in enumerate(columns):
        ax.axvline(x, color="#555555", linewidth=0.8)
        _axis_labels(ax, x, values, labels)
    ticks = [f"{n}\n(log)" if log else n for n, log in zip(names, logs, strict=False)]
    ax.set_xticks(range(len(columns)), [*ticks, _metric_name(results)])
    ax.set_yticks([])
    ax.set_ylim(-0.08, 1.08)
    ax.set_title("parameters and objective of every trial")
    ax.grid(False)
    return fig


def _log_axis(results: Results, name: str, values: list[float]) -> bool:
    """A logUniform (or logNormal) parameter's axis is logarithmic (Katib samples it so,
    reference §6.3: over (ln min, ln max)) when every value is positive."""
    return _log_scaled(results, name) and all(v > 0 for v in values if not math.isnan(v))


def _log10(values: list[float]) -> list[float]:
    return [math.log10(v) if v > 0 else math.nan for v in values]


def _scale(values: list[float]) -> list[float]:
    finite = [v for v in values if not math.isnan(v)]
    if not finite:
        return [0.5 for _ in values]
    lo, hi = min(finite), max(finite)
    return [0.5 if hi == lo or math.isnan(v) else (v - lo) / (hi - lo) for v in values]


def _axis_labels(ax: Any, x: int, values: list[float], labels: list[str]) -> None:
    finite = [v for v in values if not math.isnan(v)]
    if labels:
        used = sorted({int(v) for v in finite})
        lo, hi = (min(used), max(used)) if used else (0, 0)
        for v in used:
            y = 0.5 if hi == lo else (v - lo) / (hi - lo)
            ax.text(x + 0.03, y, labels[v], fontsize=7, va="center")
        return
    if finite:
        ax.text(x + 0.03, 1.02, f"{max(finite):.4g}", fontsize=7, va="bottom")
        ax.text(x + 0.03, -0.02, f"{min(finite):.4g}", fontsize=7, va="top")


def _parameters(results: Results) -> Figure:
    scored = _scored(results)
    names = [p.name for p in results.parameters]
    cols = min(3, max(1, len(names)))
    rows = max(1, math.ceil(len(names) / cols))
    fig = Figure(figsize=(3.2 * cols, 2.8 * rows))
    if not scored or not names:
        return _empty(fig, "no trial to draw")
    for i, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, i + 1)
        values, labels = _axis_values(results, name, scored)
        ax.scatter(values, [float(t.objective or 0.0) for t in scored], s=14, color="#1f77b4")
        if labels:
            ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
        elif _log_axis(results, name, values):
            ax.set_xscale("log")
        ax.set_xlabel(name)
        ax.set_ylabel(_metric_name(results))
    fig.suptitle(f"{_metric_name(results)} against each parameter")
    fig.tight_layout()
    return fig


def _metrics(results: Results) -> Figure:
    names = [results.objective.objective_metric_name, *results.objective.additional_metric_names]
    if not any(m.series for t in results.trials for m in t.metrics if m.name in names):
        return _empty(Figure(figsize=(7.0, 2.8 * len(names))), "no metric was reported")
    fig = Figure(figsize=(7.0, 2.8 * len(names)))
    series_found = False
    for i, name in enumerate(names):
        ax = fig.add_subplot(len(names), 1, i + 1)
        for t in results.trials:
            metric = t.metric(name)
            points = [_float(p.value) for p in metric.series] if metric else []
            if len(points) >= 1:
                series_found = True
                ax.plot(
                    range(1, len(points) + 1),
                    points,
                    linewidth=1,
                    alpha=0.8,
                    marker="." if len(points) < 30 else None,
                )
        ax.set_ylabel(name)
        ax.set_xlabel("report")
    fig.suptitle("metrics of each trial, report by report")
    if not series_found:
        fig.clear()
        return _empty(fig, "no metric was reported")
    fig.tight_layout()
    return fig
