"""Every crash the fuzzers found (tests/fuzz/corpus/), replayed through every command that takes
its kind of input: no traceback, an exit code of 0..3, and each error located (`file:line:col`).

Layout: `corpus/<kind>/<case>.yaml` (a manifest, a katib-config or a ConfigMap: one file), or
`corpus/<kind>/<case>/<path in the workspace>` (a spec under specs/, a file of policies/), as
`python -m tests.fuzz.fuzz --save DIR` writes them. `<kind>` is one of tests.fuzz.seeds' kinds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fuzz.commands import run_in_process, targets, workspace
from tests.fuzz.seeds import CONFIGMAP, KATIB_CONFIG, MANIFEST, POLICY, SPEC, Seed

CORPUS = Path(__file__).parent / "corpus"
KINDS = (MANIFEST, SPEC, POLICY, KATIB_CONFIG, CONFIGMAP)
FLAT = (MANIFEST, KATIB_CONFIG, CONFIGMAP)  # one file, written at input/<name>


def located(output: str, rel: str) -> bool:
    """Whether the output points into the input at `rel` (any file, if empty) with a line and
    a column: as text (`path:line:col`), GitHub's (`file=path,line=L,col=C`), or JSON and SARIF
    fields."""
    name = re.escape(rel.rsplit("/", 1)[-1]) if rel else r"[^\s:,=\"]+"
    return bool(
        re.search(rf"{name}:\d+:\d+|{name},line=\d+,col=\d+", output)
        or re.search(rf'{name}".{{0,300}}?"(?:line|startLine)": ?\d+', output, re.DOTALL)
    )


NOTES = ("PROBLEM.txt", "README.md")


def cases() -> list[Seed]:
    out = []
    for kind in KINDS:
        base = CORPUS / kind
        if not base.is_dir():
            continue
        for entry in sorted(base.iterdir()):
            if kind in FLAT and entry.is_file():
                out.append(Seed(kind, f"{kind}/{entry.name}", _text(entry), entry.name))
            elif entry.is_dir():
                files = [p for p in sorted(entry.rglob("*")) if p.is_file() and p.name not in NOTES]
                assert len(files) == 1, f"{entry}: a case holds one input file, not {files}"
                rel = files[0].relative_to(entry).as_posix()
                out.append(Seed(kind, f"{kind}/{entry.name}", _text(files[0]), rel))
    return out


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "surrogateescape")  # bad UTF-8 is a case too


def _bytes(seed: Seed) -> bytes:
    return seed.text.encode("utf-8", "surrogateescape")


CASES = cases()


def test_the_corpus_covers_every_kind_it_has() -> None:
    assert {c.kind for c in CASES} >= {MANIFEST, POLICY}, "the corpus lost its cases"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case_never_crashes(case: Seed, tmp_path: Path) -> None:
    with workspace(tmp_path, case, _bytes(case)) as w:
        outcomes = [
            (name, run_in_process(name, argv(w), timeout=60)) for name, argv in targets(case.kind)
        ]
    problems = [f"{name}: {o.problem}" for name, o in outcomes if o.problem]
    assert not problems, "\n\n".join(problems)
    for name, o in outcomes:
        assert o.code is not None and 0 <= o.code <= 3, f"{name}: exit {o.code}"
        if o.code != 0 and not re.search(r" 0 errors, .*generated/ is OUT OF DATE", o.output):
            # a policy changes what is found in every spec: any file of the repository then
            rel = "" if case.kind == POLICY else case.rel
            assert located(o.output, rel), f"{name} (exit {o.code}):\n{o.output[-3000:]}"


@pytest.mark.parametrize("filler", ["a b ", "${x}"])
def test_a_megabyte_metrics_filter_is_checked_in_linear_time(filler: str, tmp_path: Path) -> None:
    """A 1 MB filter (a mutation the fuzzer found): Katib's two-group check, as a backtracking
    Python regex, took hours on it, and the Go-limits parse tens of seconds."""
    spec = (CORPUS / "spec/grid-too-large/specs/team-c/grid.yaml").read_text("utf-8")
    huge = filler * 250_000
    text = spec.replace("  format: JSON\n", f"  format: TEXT\n  filter: ['{huge}']\n")
    seed = Seed(SPEC, "a 1 MB filter", text, "specs/team-c/grid.yaml")
    with workspace(tmp_path, seed, text.encode()) as w:
        outcome = run_in_process("validate", ["validate", "--root", str(w.root), w.rel], 20)
    assert not outcome.problem
    assert "KATIB-V50" in outcome.output  # no two groups: refused, and said where
    assert outcome.seconds < 10


def test_a_megabyte_stdout_filter_is_checked_in_linear_time(tmp_path: Path) -> None:
    """The same through admission's run-time rule for StdOut filters (KATIB-R11)."""
    manifest = (CORPUS / "manifest/max-trial-count-string.yaml").read_text("utf-8")
    huge = "x" * 1_000_000
    collector = (
        f"  metricsCollectorSpec:\n    source:\n      filter:\n        metricsFormat: ['{huge}']\n"
    )
    text = manifest.replace('maxTrialCount: "12"', "maxTrialCount: 12")  # decodable again
    text = text.replace("  parameters:\n", collector + "  parameters:\n", 1)
    seed = Seed(MANIFEST, "a 1 MB StdOut filter", text, "m.yaml")
    with workspace(tmp_path, seed, text.encode()) as w:
        outcome = run_in_process("admit", ["admit", w.file], 20)
    assert not outcome.problem
    assert "KATIB-R11" in outcome.output
    assert outcome.seconds < 10


def test_a_megabyte_inline_script_is_not_lexed(tmp_path: Path) -> None:
    """`run`'s check of the files a trial's command names lexed a shell script with shlex,
    which takes quadratic time on one long token."""
    spec = (CORPUS / "spec/grid-too-large/specs/team-c/grid.yaml").read_text("utf-8")
    head = spec[: spec.index("  command:\n")]
    script = "x" * 1_000_000 + " --lr=${lr} --layers=${layers} --log=/katib/metrics.json"
    text = f"{head}  command: [bash, -c, '{script}']\n"
    seed = Seed(SPEC, "a 1 MB inline script", text, "specs/team-c/grid.yaml")
    argv = ["run", "--root", "", "specs/team-c/grid.yaml", "--max-trials", "0", "--plain"]
    with workspace(tmp_path, seed, text.encode()) as w:
        argv[2] = str(w.bare)  # no policies: nothing blocks the run
        outcome = run_in_process("run", argv, 20)
    assert not outcome.problem
    assert "its grid has" in outcome.output  # it got past the check, to the algorithm
    assert outcome.seconds < 10
