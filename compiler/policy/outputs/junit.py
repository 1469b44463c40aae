"""JUnit XML, for CI systems that show test reports: a test suite per spec file, a test case
per experiment, failing when it has unwaived findings at or above `--fail-on`. Findings not
about one experiment (policy files, waivers, unreadable specs) form the `repository` suite."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from compiler.policy.outputs.text import line
from compiler.policy.report import Item, Report

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _case(
    suite: ET.Element, classname: str, name: str, items: list[Item], failing: set[int]
) -> None:
    case = ET.SubElement(suite, "testcase", classname=_clean(classname), name=_clean(name))
    bad = [i for i in items if id(i) in failing]
    if bad:
        message = f"{len(bad)} finding{'s' if len(bad) != 1 else ''}: " + "; ".join(
            i.diagnostic.code for i in bad
        )
        failure = ET.SubElement(
            case, "failure", message=_clean(message), type=bad[0].severity.value
        )
        failure.text = _clean("\n".join(line(i) for i in bad))
    rest = [i for i in items if id(i) not in failing]
    if rest:
        ET.SubElement(case, "system-out").text = _clean("\n".join(line(i) for i in rest))


def render(report: Report) -> str:
    failing = {id(i) for i in report.failing()}
    by_file: dict[str, list[tuple[str, list[Item]]]] = defaultdict(list)
    for e in report.experiments:
        by_file[e.source].append((e.ref, report.for_experiment(e)))
    loose = [i for i in report.items if not i.experiment]
    root = ET.Element("testsuites", name="katib-gitops check")
    total = failures = 0
    for source, cases in [
        *sorted(by_file.items()),
        *([("repository", [("policies and specs", loose)])]),
    ]:
        suite = ET.SubElement(root, "testsuite", name=_clean(source))
        bad = sum(1 for _, items in cases if any(id(i) in failing for i in items))
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(bad))
        suite.set("errors", "0")
        for name, items in cases:
            _case(suite, source.replace("/", ".").rsplit(".", 1)[0], name, items, failing)
        total, failures = total + len(cases), failures + bad
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
