"""The only writer of reports/: each experiment's README.md, results.json, trials.csv and SVG
plots under `reports/<namespace>/<experiment>/`, plus `reports/index.md` and
`reports/results.schema.json`.

Reports are rendered from `Results` alone, and rendering is byte-stable: the same Results give
the same bytes, files are written only when their bytes change, and the experiment's folder
holds only what we wrote (stale files are removed).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from compiler.model.results import Results
from compiler.reports import render

REPORTS = "reports"


def report_dir(root: Path, results: Results) -> Path:
    return root / REPORTS / results.namespace / results.name


def render_report(results: Results, root: Path) -> dict[str, bytes]:
    """File name → bytes, for one experiment's folder."""
    from compiler.reports.plots import FILES, render_plots

    env = render.environment(root)
    rel = f"{REPORTS}/{results.namespace}/{results.name}"
    files = {
        "README.md": render.render(
            env, "README.md.j2", render.context(results, rel, FILES)
        ).encode(),
        "results.json": results.to_json().encode(),
        "trials.csv": trials_csv(results).encode(),
    }
    files.update(render_plots(results))
    return files


def write_reports(results: Results, root: Path) -> list[str]:
    """Write one experiment's report and the index; the paths we own, relative to root."""
    files = render_report(results, root)
    folder = report_dir(root, results)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in sorted(p for p in folder.iterdir() if p.is_file() and p.name not in files):
        stale.unlink()
    for name, data in files.items():
        _write(folder / name, data)
    write_index(root)
    rel = folder.relative_to(root).as_posix()
    return [rel, f"{REPORTS}/index.md", f"{REPORTS}/results.schema.json"]


def write_index(root: Path) -> None:
    rows = []
    for path in sorted((root / REPORTS).glob("*/*/results.json")):
        try:
            r = Results.from_json(path.read_text(encoding="utf-8"))
        except ValueError:
            continue  # not ours, or from an incompatible version: left out of the index
        best = r.best
        rows.append(
            {
                "namespace": r.namespace,
                "name": r.name,
                "outcome": r.outcome,
                "reason": r.reason,
                "best": f"{r.objective.objective_metric_name} = {render.num(best.objective)}"
                if best
                else "",
                "trials": len(r.trials),
                "backend": r.backend,
                "link": f"{r.namespace}/{r.name}/README.md",
            }
        )
    env = render.environment(root)
    _write(root / REPORTS / "index.md", render.render(env, "index.md.j2", {"rows": rows}).encode())
    schema = json.dumps(Results.model_json_schema(by_alias=True), indent=2, sort_keys=True) + "\n"
    _write(root / REPORTS / "results.schema.json", schema.encode())


def trials_csv(results: Results) -> str:
    params = [p.name for p in results.parameters]
    metrics = sorted(
        {m.name for t in results.trials for m in t.metrics},
        key=lambda n: (n != results.objective.objective_metric_name, n),
    )
    head = ["index", "name", "state", "reason", "objective", *params]
    head += [f"{m}:{k}" for m in metrics for k in ("min", "max", "latest")]
    head += [
        "start_time",
        "completion_time",
        "duration_seconds",
        "exit_code",
        "attempts",
        "message",
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(head)
    for t in results.trials:
        row = [
            t.index,
            t.name,
            t.state,
            t.reason,
            render.num(t.objective),
            *(t.parameter(p) or "" for p in params),
        ]
        for m in metrics:
            metric = t.metric(m)
            row += [metric.min, metric.max, metric.latest] if metric else ["", "", ""]
        row += [
            t.start_time or "",
            t.completion_time or "",
            render.num(t.duration_seconds),
            render.num(t.exit_code),
            t.attempts,
            t.message,
        ]
        writer.writerow(row)
    return out.getvalue()


def _write(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
