"""Every output format, parsed or validated: SARIF against the official 2.1.0 schema, JSON,
GitHub workflow commands, JUnit XML, Markdown rendered, text."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest

from compiler.policy.outputs import FORMATS, render
from compiler.policy.report import Report
from tests.conftest import require_shared
from tests.unit.policy.helpers import CONFIG, clean_spec, repo, run

TODAY = dt.date(2026, 11, 29)
WAIVER = """\
waivers:
  - rule: images-tag
    target: specs/team-a/waived.yaml
    reason: "vendor image | no other tag <yet> & *never*"
    owner: ml-platform@example.com
    expires: 2027-01-31
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = tmp_path_factory.mktemp("outputs")
    specs = {
        "specs/team-a/clean.yaml": clean_spec("clean"),
        "specs/team-a/waived.yaml": clean_spec("waived").replace(":1.2.0", ":latest"),
        "specs/team-a/bad.yaml": clean_spec("bad", head="namespace: team-b\n").replace(
            "registry.example.com/ml/train:1.2.0", "evil.example.org/x:1"
        ),
        "specs/team-b/broken.yaml": "name: [unterminated\n",
    }
    files = {"config.yaml": CONFIG + "rules: {images-digest: warning}\n", "waivers.yaml": WAIVER}
    return run(repo(root, specs, files), today=TODAY)


def test_the_report_holds_errors_warnings_and_waived_findings(report: Report) -> None:
    assert report.count(report.fail_on) > 0
    assert report.waived == 1
    assert any(i.severity.value == "warning" for i in report.items)
    assert any(not i.experiment for i in report.items)  # the unreadable spec


def test_sarif_validates_against_the_official_schema(report: Report) -> None:
    import jsonschema

    schema_path = require_shared() / "schemas" / "sarif-schema-2.1.0.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    doc = json.loads(render(report, "sarif"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []
    results = doc["runs"][0]["results"]
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    suppressed = [r for r in results if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["POLICY-images-tag"]
    assert suppressed[0]["suppressions"][0]["status"] == "accepted"
    registry = next(r for r in results if r["ruleId"] == "POLICY-images-registry")
    region = registry["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (9, 10)


def test_json(report: Report) -> None:
    doc = json.loads(render(report, "json"))
    assert doc["summary"]["waived"] == 1
    assert doc["summary"]["failed"] is True
    tenancy = next(f for f in doc["findings"] if f["rule"] == "tenancy-namespace")
    assert (tenancy["file"], tenancy["line"], tenancy["column"]) == ("specs/team-a/bad.yaml", 2, 12)
    waived = next(f for f in doc["findings"] if f["waived"])
    assert waived["waiver"]["expires"] == "2027-01-31"


ANNOTATION = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


def test_github_annotations_parse(report: Report) -> None:
    lines = render(report, "github").splitlines()
    assert len(lines) == len(report.items)
    parsed = []
    for line in lines:
        match = ANNOTATION.match(line)
        assert match, line
        props = dict(p.split("=", 1) for p in match.group(2).split(",")) if match.group(2) else {}
        parsed.append((match.group(1), props, match.group(3)))
    registry = next(p for p in parsed if p[1].get("title") == "POLICY-images-registry")
    assert registry[0] == "error"
    assert (registry[1]["file"], registry[1]["line"], registry[1]["col"]) == (
        "specs/team-a/bad.yaml",
        "9",
        "10",
    )
    waived = next(p for p in parsed if p[1].get("title") == "POLICY-images-tag (waived)")
    assert waived[0] == "notice"
    assert "%0A" in waived[2] and "\n" not in waived[2]


def test_github_escapes_properties() -> None:
    from compiler.policy.outputs.github import escape_data, escape_property

    assert escape_property("a:b,c%\nd") == "a%3Ab%2Cc%25%0Ad"
    assert escape_data("50% done\r\n") == "50%25 done%0D%0A"


def test_junit_parses(report: Report) -> None:
    root = ET.fromstring(render(report, "junit"))
    assert root.tag == "testsuites"
    cases = root.findall(".//testcase")
    assert int(root.get("tests", "0")) == len(cases) == len(report.experiments) + 1
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert failed == {"team-b/bad", "policies and specs"}
    assert int(root.get("failures", "0")) == 2
    waived = next(c for c in cases if c.get("name") == "team-a/waived")
    assert waived.find("failure") is None
    assert "[waived]" in (waived.findtext("system-out") or "")


def test_markdown_renders(report: Report) -> None:
    from markdown_it import MarkdownIt

    text = render(report, "markdown")
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<table>" in html
    assert "<h2>katib-gitops check: ❌ failed</h2>" in html
    assert "&lt;yet&gt;" in html and "<yet>" not in html  # the waiver's reason is escaped
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == 1 + len([i for i in report.items if not i.waived]) + 1 + 1


def test_markdown_when_clean() -> None:
    text = render(Report(), "markdown")
    assert "✅ passed" in text and "No findings." in text


def test_text_is_file_line_col(report: Report) -> None:
    text = render(report, "text")
    assert "specs/team-a/bad.yaml:9:10: error: POLICY-images-registry" in text
    assert "[waived]" in text
    assert text.rstrip().splitlines()[-1] == report.summary()


def test_every_format_is_listed() -> None:
    assert set(FORMATS) == {"text", "json", "sarif", "github", "junit", "markdown"}
