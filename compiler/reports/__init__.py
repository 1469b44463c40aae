"""The only writer (and reader) of reports/: each experiment's README.md, results.json,
trials.csv and SVG plots under `reports/<namespace>/<experiment>/`, its earlier revisions under
`reports/<namespace>/<experiment>/revisions/<revision>/`, plus `reports/index.md` and
`reports/results.schema.json`.

Reports are rendered from `Results` alone, and rendering is byte-stable: the same Results give
the same bytes, files are written only when their bytes change, and a folder holds only what
we wrote (stale files are removed). When an experiment's report is written for another
revision (or another run: a new object uid) than the one its folder holds, the one it holds is
moved to `revisions/` first, so earlier revisions stay reachable from the index.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from compiler.model.results import SCHEMA, Results
from compiler.reports import render

REPORTS = "reports"
REVISIONS = "revisions"
RESULTS = "results.json"


def report_dir(root: Path, results: Results) -> Path:
    return root / REPORTS / results.namespace / results.name


def render_report(results: Results, root: Path, folder: Path | None = None) -> dict[str, bytes]:
    """File name → bytes, for one report's folder (by default the experiment's own)."""
    from compiler.reports.plots import FILES, render_plots

    env = render.environment(root)
    rel = (folder or report_dir(root, results)).relative_to(root).as_posix()
    files = {
        "README.md": render.render(
            env, "README.md.j2", render.context(results, rel, FILES)
        ).encode(),
        "results.json": results.to_json().encode(),
        "trials.csv": trials_csv(results).encode(),
    }
    files.update(render_plots(results))
    return files


def write_reports(
    results: Results, root: Path, *, current: bool | None = True, index: bool = True
) -> list[str]:
    """Write one experiment's report and the index; the paths we own, relative to root.
    `current`: in the experiment's folder (True), as an earlier revision in `revisions/`
    (False), or wherever this run's report is now (None: the folder if it holds this run or
    nothing, else revisions/)."""
    folder = report_dir(root, results)
    if current is None:
        held = _read(folder / RESULTS)
        current = held is None or _same_run(held, results)
    if current:
        _archive_other_run(root, folder, results)
        target = folder
    else:
        target = revision_dir(folder, results)
    _write_folder(root, target, results)
    if index:
        write_index(root)
    rel = folder.relative_to(root).as_posix()
    return [rel, f"{REPORTS}/index.md", f"{REPORTS}/results.schema.json"]


def revision_dir(folder: Path, results: Results) -> Path:
    """revisions/<revision>/, or <revision>-<uid> when that revision ran twice (a revert)."""
    revision = results.source.experiment_revision or "unknown"
    plain = folder / REVISIONS / revision
    held = _read(plain / RESULTS)
    if held is None or _same_run(held, results):
        return plain
    return folder / REVISIONS / f"{revision}-{results.object.uid[:8] or 'local'}"


def _archive_other_run(root: Path, folder: Path, results: Results) -> None:
    held = _read(folder / RESULTS)
    if held is None or _same_run(held, results):
        return
    _write_folder(root, revision_dir(folder, held), held)
    for old in (p for p in folder.iterdir() if p.is_file()):
        old.unlink()


def _same_run(a: Results, b: Results) -> bool:
    """The same revision, and (on a cluster) the same object."""
    if a.source.experiment_revision != b.source.experiment_revision:
        return False
    return not (a.object.uid and b.object.uid and a.object.uid != b.object.uid)


def _write_folder(root: Path, folder: Path, results: Results) -> None:
    files = render_report(results, root, folder)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in sorted(p for p in folder.iterdir() if p.is_file() and p.name not in files):
        stale.unlink()
    for name, data in sorted(files.items(), key=lambda x: x[0] == RESULTS):
        _write(folder / name, data)  # results.json last: a crash leaves it stale, not others


def _read(path: Path) -> Results | None:
    try:
        return Results.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class Recorded:
    """A report as found on disk: its folder (relative to the repository) and its results.json,
    parsed as plain JSON; `results` validates it into the model when asked."""

    folder: str
    data: dict[str, Any]

    @cached_property
    def results(self) -> Results:
        return Results.model_validate(self.data)


_SEEN: dict[Path, tuple[tuple[int, int], Recorded | None]] = {}  # path → (mtime, size) → parse


def recorded(root: Path) -> list[Recorded]:
    """Every report: current ones and earlier revisions. Reports that do not parse (not ours,
    or another version's) are left out. A file unchanged since the last call is not read again
    (a reconciler reads 1,000 reports at every pass)."""
    out = []
    for folder in _report_folders(root / REPORTS):
        found = _light(root / folder / RESULTS, folder)
        if found is not None:
            out.append(found)
    return out


def _report_folders(base: Path) -> list[str]:
    """reports/<ns>/<name>/ and reports/<ns>/<name>/revisions/<rev>/, relative to the repository,
    sorted: os.scandir, since pathlib's glob costs a reconciler 100 ms a pass at 1,000 reports."""
    out = []
    for ns in _subfolders(str(base)):
        for name in _subfolders(ns.path):
            out.append(f"{REPORTS}/{ns.name}/{name.name}")
            revisions = os.path.join(name.path, REVISIONS)  # noqa: PTH118
            out += [f"{out[-1]}/{REVISIONS}/{r.name}" for r in _subfolders(revisions)]
    return sorted(out)


def _subfolders(path: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as entries:
            return [e for e in entries if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _light(path: Path, folder: str) -> Recorded | None:
    try:
        st = path.stat()
    except OSError:
        return None
    stamp = (st.st_mtime_ns, st.st_size)
    seen = _SEEN.get(path)
    if seen is not None and seen[0] == stamp and (seen[1] is None or seen[1].folder == folder):
        return seen[1]
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        data = None
    ok = isinstance(data, dict) and data.get("schema") == SCHEMA
    found = Recorded(folder, data) if ok and isinstance(data, dict) else None
    _SEEN[path] = (stamp, found)
    return found


def write_index(root: Path) -> None:
    rows = []
    for path in sorted((root / REPORTS).glob(f"*/*/{RESULTS}")):
        r = _read(path)
        if r is None:
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
                "deleted": r.deleted.reason if r.deleted else "",
                "revision": r.source.experiment_revision,
                "revisions": _revisions(path.parent, f"{r.namespace}/{r.name}"),
            }
        )
    env = render.environment(root)
    _write(root / REPORTS / "index.md", render.render(env, "index.md.j2", {"rows": rows}).encode())
    schema = json.dumps(Results.model_json_schema(by_alias=True), indent=2, sort_keys=True) + "\n"
    _write(root / REPORTS / "results.schema.json", schema.encode())


def _revisions(folder: Path, link: str) -> list[dict[str, str]]:
    out = []
    for path in sorted((folder / REVISIONS).glob(f"*/{RESULTS}")):
        r = _read(path)
        if r is not None:
            name = path.parent.name
            out.append({"name": name, "link": f"{link}/{REVISIONS}/{name}/README.md"})
    return out


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
            render.exact(t.objective),  # full values: the tables show significant digits
            *(t.parameter(p) or "" for p in params),
        ]
        for m in metrics:
            metric = t.metric(m)
            row += [metric.min, metric.max, metric.latest] if metric else ["", "", ""]
        row += [
            t.start_time or "",
            t.completion_time or "",
            render.exact(t.duration_seconds),
            render.exact(t.exit_code),
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
