"""The Markdown of a diff: a sticky comment GitHub accepts (at most 65,536 characters, cut
between whole sections), and untrusted values that cannot break out of it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from compiler.changes import FieldChange
from compiler.prdiff import markdown
from compiler.prdiff.model import Cost, ExperimentDiff, PullRequestDiff, Side
from tests.pr.conftest import Repo, spec

SHA = "0123456789abcdef0123456789abcdef01234567"
URL = "https://github.example/o/r/actions/runs/42"


def _side(name: str, revision: str = "abcdef0123", cost: Cost | None = None) -> Side:
    return Side(f"{name}-{revision}", revision, f"specs/team/{name}.yaml", cost or Cost(1.0, 0.0))


def _experiment(
    name: str, change: str = "added", fields: tuple[FieldChange, ...] = ()
) -> ExperimentDiff:
    before = None if change == "added" else _side(name, "0000000000")
    after = None if change == "removed" else _side(name)
    return ExperimentDiff("team", name, change, fields, before, after)  # type: ignore[arg-type]


def _diff(*experiments: ExperimentDiff, stale: bool = False) -> PullRequestDiff:
    return PullRequestDiff(
        SHA, SHA[::-1], stale, "1 file differs" if stale else "", (), experiments, (), ()
    )


def _table(text: str, first_header: str) -> list[list[str]]:
    """The rows (header included) of the table whose first header cell is `first_header`, as
    GitHub's Markdown parser (GFM tables) reads them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables: list[list[list[str]]] = []
    in_cell = False
    for t in tokens:
        if t.type == "table_open":
            tables.append([])
        elif t.type == "tr_open":
            tables[-1].append([])
        elif t.type in ("th_open", "td_open"):
            in_cell = True
        elif t.type == "inline" and in_cell:
            tables[-1][-1].append(t.content)
            in_cell = False
    found = [rows for rows in tables if rows and rows[0][0] == first_header]
    assert len(found) == 1
    return found[0]


def _sections(text: str) -> list[str]:
    return text.split("\n### ")[1:]


def test_it_starts_with_the_marker_and_renders_as_tables() -> None:
    text = markdown.render(
        _diff(
            _experiment(
                "a", "replace", (FieldChange("spec.algorithm.algorithmName", "random", "tpe"),)
            ),
            _experiment("b", "in-place", (FieldChange("spec.maxTrialCount", 6, 10),)),
        )
    )
    assert text.startswith(markdown.MARKER + "\n")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert sum(t.type == "table_open" for t in tokens) == 4  # summary, two experiments, cost
    assert tokens[0].type == "html_block" and tokens[0].content.strip() == markdown.MARKER


def test_a_huge_diff_is_cut_between_whole_sections() -> None:
    diff = _diff(*(_experiment(f"exp-{i:04d}") for i in range(2000)))
    full = markdown.render(diff, URL, limit=10**9)
    cut = markdown.render(diff, URL)
    assert len(full.encode()) > 5 * markdown.LIMIT
    assert len(cut.encode()) <= markdown.LIMIT and len(cut) <= markdown.LIMIT
    body, footer = cut.split("\n---\n\n✂️ ")
    assert full.startswith(body)  # a prefix of the whole
    assert full[len(body) :].startswith("### ")  # ... that ends where a section starts
    shown = len(_sections(body))
    total = len(_sections(full))
    assert 100 < shown < 2000
    assert footer.startswith(f"**{total - shown} more sections left out**")
    assert f"[the full diff]({URL})" in footer


def test_without_an_artifact_url_the_cut_points_at_the_artifact() -> None:
    cut = markdown.render(_diff(*(_experiment(f"e{i}") for i in range(2000))))
    assert "the full diff in the `diff.json` artifact of this run" in cut


def test_a_huge_field_is_shortened_not_the_comment_refused() -> None:
    huge = "x" * 1_000_000
    fields = tuple(FieldChange(f"spec.f{i}", huge, huge + "y") for i in range(100))
    text = markdown.render(_diff(_experiment("big", "replace", fields)))
    assert len(text.encode()) < markdown.LIMIT
    assert f"| … | {100 - markdown.MAX_FIELDS} more fields | |" in text
    assert "x" * markdown.VALUE_CHARS not in text


def test_untrusted_values_cannot_ping_break_tables_or_fake_the_marker() -> None:
    hostile = "@octocat <!-- katib-gitops:diff --> | [x](javascript:alert(1)) `"
    fields = (FieldChange(f"metadata.labels[{hostile}]", hostile, {"k": hostile}),)
    text = markdown.render(_diff(_experiment("a", "in-place", fields)))
    assert "@" not in text
    assert text.count("<!--") == 1  # only our marker
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "href" not in html  # no link was made of it
    widths = {len(r) for r in _table(text, "Field")}
    assert widths == {3}  # the field table keeps three cells a row, whatever the values hold


def test_a_pipe_in_a_name_stays_in_its_cell() -> None:
    diff = _diff(_experiment("a|b", "in-place", (FieldChange("spec.x|y", 1, 2),)))
    rows = _table(markdown.render(diff), "Field")
    assert rows[1] == ["`spec.x|y`", "1", "2"]  # one cell, the pipe inside its code span


def test_a_stale_diff_warns_before_anything_else() -> None:
    text = markdown.render(_diff(_experiment("a"), stale=True))
    head = text.split("\n### ")[0]
    assert "> [!CAUTION]" in head and "generated/ is stale" in head


def test_costs_and_unbounded_ones() -> None:
    unbounded = Cost(None, 0.0, "the trial has no time limit")
    e = ExperimentDiff(
        "team",
        "a",
        "in-place",
        (FieldChange("spec.maxTrialCount", 1, 2),),
        _side("a", cost=Cost(10.0, 2.0)),
        _side("a", cost=unbounded),
    )
    text = markdown.render(_diff(e))
    assert "10.0 → unbounded CPU-hours" in text
    assert "(unbounded, not counted: 0 before, 1 after)" in text
    assert "| `team/a` | in-place | 10.0 → unbounded | ? | 2.0 → 0.0 | -2.0 |" in text


def test_a_pull_request_of_420_specs_is_cut_and_the_json_is_whole(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("empty")
    for i in range(420):
        repo.write(f"specs/team-{i % 4}/exp-{i:03d}.yaml", spec(f"exp-{i:03d}"))
    repo.compile()
    capsys.readouterr()
    assert repo.diff("--base", "HEAD", "--artifact-url", URL) == 0
    text = capsys.readouterr().out
    assert len(text.encode()) <= markdown.LIMIT
    assert text.startswith(markdown.MARKER) and "| ➕ added | 420 |" in text
    assert "more sections left out" in text and URL in text
    assert repo.diff("--base", "HEAD", "-o", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["added"] == 420 and len(data["experiments"]) == 420


def test_no_value_of_a_hand_made_manifest_can_fill_the_comment() -> None:
    long = "n" * 200_000
    e = ExperimentDiff(long, long, "added", (), None, Side(long, long, long, Cost(1.0, 0.0)))
    many = [ExperimentDiff(f"{long}{i}", "x", "added", (), None, e.after) for i in range(40)]
    text = markdown.render(_diff(e, *many))
    assert len(text.encode()) <= markdown.LIMIT
    assert text.startswith(markdown.MARKER) and "and 11 more" in text  # 41 namespaces, 30 shown


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["added", "removed", "in-place", "replace"]),
            st.integers(min_value=0, max_value=60),  # fields
            st.integers(min_value=0, max_value=3000),  # a value's length
        ),
        max_size=400,
    ),
    st.integers(min_value=4_000, max_value=markdown.LIMIT),
)
def test_any_diff_fits_its_limit_as_a_prefix_of_whole_sections(
    shape: list[tuple[str, int, int]], limit: int
) -> None:
    experiments = [
        _experiment(
            f"e{i}",
            change,
            tuple(FieldChange(f"spec.f{j}", "v" * size, j) for j in range(fields)),
        )
        for i, (change, fields, size) in enumerate(shape)
    ]
    diff = _diff(*experiments)
    full = markdown.render(diff, URL, limit=10**9)
    cut = markdown.render(diff, URL, limit=limit)
    assert cut.startswith(markdown.MARKER)
    assert len(cut.encode()) <= limit
    if cut != full:
        body = cut.split("\n---\n\n✂️ ")[0]
        assert full.startswith(body) and full[len(body) :].startswith("### ")
