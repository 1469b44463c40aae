"""Mutations of valid experiments: generic ones that reach every field (retype, drop, add an
unknown key, edit a list) and targeted ones with the values each Katib rule turns on.

A mutator takes hypothesis' `draw` and a `Case` and changes the case in place. Paths are tuples
of keys and list indexes; `"*"` in a pattern matches any index or key present.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import strategies as st

from .harness import Case

Path = tuple[str | int, ...]
Mutator = Callable[[st.DrawFn, Case], None]
DELETE = object()  # a value that means "remove the key"

# --- values ----------------------------------------------------------------------------------

INTS = [0, -1, 1, 2, 3, 6, 7, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**53 + 1, 2**63, 10**20]
FLOATS = [0.0, -0.0, 0.5, 1.5, 3.0, 1e-7, 1e21, 1e300, -2.5, 2.0**31]
STRINGS = [
    "",
    " ",
    "0",
    "1",
    "3",
    "0.1",
    "-1",
    "abc",
    "true",
    "null",
    "1e3",
    "0x10",
    "Never",
    "StdOut",
    "File",
    "int",
    "double",
    "/abs/file",
    "rel/file",
    "${trialParameters.plr}",
    "ü",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(INTS),
    st.sampled_from(FLOATS),
    st.sampled_from(STRINGS),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=6),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.sampled_from(["a", "name", "kind", "value", "path"]), SCALARS, max_size=2),
)

# --- paths -----------------------------------------------------------------------------------


def walk(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, (*path, i))


def get(obj: Any, path: Path) -> Any:
    for part in path:
        obj = obj[part]
    return obj


def put(obj: Any, path: Path, value: Any) -> None:
    """Set (or with DELETE remove) the value at path, creating missing mappings on the way."""
    for part in path[:-1]:
        if isinstance(obj, dict):
            if not isinstance(obj.get(part), dict | list):
                obj[part] = {}
            obj = obj[part]
        else:
            obj = obj[part]
    last = path[-1]
    if value is DELETE:
        if isinstance(obj, dict):
            obj.pop(last, None)
        elif isinstance(obj, list) and isinstance(last, int) and last < len(obj):
            del obj[last]
    else:
        obj[last] = copy.deepcopy(value)


def matches(obj: Any, pattern: Path) -> list[Path]:
    """Concrete paths for a pattern; the pattern itself when it has no wildcard."""
    found: list[Path] = [()]
    for part in pattern:
        nxt: list[Path] = []
        for p in found:
            try:
                node = get(obj, p)
            except (KeyError, IndexError, TypeError):
                node = None
            if part == "*":
                if isinstance(node, list):
                    nxt += [(*p, i) for i in range(len(node))]
                elif isinstance(node, dict):
                    nxt += [(*p, k) for k in node]
            elif isinstance(part, int):
                if isinstance(node, list) and part < len(node):
                    nxt.append((*p, part))
            elif node is None or isinstance(node, dict):
                nxt.append((*p, part))
        found = nxt
    return found


# --- generic mutators ------------------------------------------------------------------------

# The API server reads these before any webhook (an object without `kind` is not a Kubernetes
# object, and `admit` only looks at `kind: Experiment` documents); targeted mutators cover them.
API_SERVER_PATHS = {("kind",), ("apiVersion",), ("metadata",)}


def _mutable(path: Path) -> bool:
    return bool(path) and path not in API_SERVER_PATHS


def retype(draw: st.DrawFn, case: Case) -> None:
    """Any value anywhere becomes a value of any JSON type."""
    paths = [p for p, _ in walk(case.object) if _mutable(p)]
    put(case.object, draw(st.sampled_from(paths)), draw(VALUES))


def drop(draw: st.DrawFn, case: Case) -> None:
    paths = [p for p, _ in walk(case.object) if _mutable(p) and isinstance(p[-1], str)]
    put(case.object, draw(st.sampled_from(paths)), DELETE)


def unknown_key(draw: st.DrawFn, case: Case) -> None:
    """A key Go does not know, or a known key spelt with the wrong case."""
    maps = [(p, v) for p, v in walk(case.object) if isinstance(v, dict)]
    path, node = draw(st.sampled_from(maps))
    keys = [k for k in node if isinstance(k, str)]
    variants = [k.upper() for k in keys] + [k + "s" for k in keys] + ["bogus", "Kind"]
    put(case.object, (*path, draw(st.sampled_from(variants))), draw(SCALARS))


def list_edit(draw: st.DrawFn, case: Case) -> None:
    lists = [p for p, v in walk(case.object) if isinstance(v, list) and _mutable(p)]
    if not lists:
        return
    path = draw(st.sampled_from(lists))
    items = get(case.object, path)
    how = draw(st.sampled_from(["empty", "duplicate", "reverse", "drop-first", "null"]))
    if how == "empty":
        new: Any = []
    elif how == "duplicate":
        new = items + items[-1:]
    elif how == "reverse":
        new = items[::-1]
    elif how == "drop-first":
        new = items[1:]
    else:
        new = None
    put(case.object, path, new)


# Go and Python disagree about these: Unicode digits and spaces, byte lengths, case folding.
TRICKY = [
    "\u0663",
    "\uff18",
    "\x1c",
    "\u00a0",
    "\u2028",
    "\x00",
    "\u212a",
    "\u017f",
    "\u0130",
    "\u00e9",
    "\n",
    "\t",
    " ",
    "{",
    "}",
    "$",
    "<&>",
    "\\",
    '"',
]


def string_edit(draw: st.DrawFn, case: Case) -> None:
    """Any string becomes a near miss: other case, a tricky character around it, doubled."""
    paths = [p for p, v in walk(case.object) if isinstance(v, str) and _mutable(p)]
    if not paths:
        return
    path = draw(st.sampled_from(paths))
    text: str = get(case.object, path)
    char = draw(st.sampled_from(TRICKY))
    edits = [
        text.upper(),
        text.lower(),
        text.capitalize(),
        char + text,
        text + char,
        text[:1] + char + text[1:],
        text * 2,
        text[:-1],
        "",
        text.replace("-", "_"),
        text + "é" * 20,
        "0" * 20 + text,
    ]
    put(case.object, path, draw(st.sampled_from(edits)))


GENERIC: list[Mutator] = [retype, drop, unknown_key, list_edit, string_edit]

# --- targeted mutators -----------------------------------------------------------------------


def set_at(pattern: Path, values: list[Any]) -> Mutator:
    """Set one of `values` at one path matching `pattern`."""

    def mutate(draw: st.DrawFn, case: Case) -> None:
        paths = matches(case.object, pattern)
        if paths:
            put(case.object, draw(st.sampled_from(paths)), draw(st.sampled_from(values)))

    mutate.__name__ = mutate.__qualname__ = "set_" + ".".join(map(str, pattern))
    return mutate


S = ("spec",)
TT = (*S, "trialTemplate")
TS = (*TT, "trialSpec")
TP = (*TT, "trialParameters")
MC = (*S, "metricsCollectorSpec")
SRC = (*MC, "source")
FS = (*SRC, "fileSystemPath")
PARAM = (*S, "parameters", "*")
POD = (*TS, "spec", "template", "spec")
CTR = (*POD, "containers", 0)
COUNTS = [DELETE, None, 0, -1, 1, 2, 3, 6, 7, 2**31 - 1, 2**31, -(2**31) - 1, 3.0, 2.5, "3", True]
ALGORITHMS = [
    "random",
    "tpe",
    "grid",
    "multivariate-tpe",
    "cmaes",
    "sobol",
    "bayesianoptimization",
    "hyperband",
    "pbt",
    "enas",
    "darts",
    "",
    "unknown",
    "Random",
]
META_REFS = [
    "${trialSpec.Name}",
    "${trialSpec.Namespace}",
    "${trialSpec.Kind}",
    "${trialSpec.APIVersion}",
    "${trialSpec.Labels[app]}",
    "${trialSpec.Annotations[note]}",
    "${trialSpec.Foo}",
    "${trialSpec.Labels}",
    "x${trialSpec.Name}y",
    "${trialSpec.Labels[]}",
]
FILTERS = [
    [r"([\w-]+)=([\d.]+)"],
    [r"(\w+)="],
    [r"(?<=a)(b)(c)"],
    ["(a)(b"],
    [r"\pL+(x)(y)"],
    ["[[:alpha:]]+(x)(y)"],
    [r"(a)\C(b)"],
    ["a;b (x)(y)"],
    ["((x))"],
    [],
    [""],
    ["(x)", "(a)(b)"],
    [r"(\w+)\s*:\s*(\d+)", r"(\w+)"],
    ["x{2,1001}(a)(b)"],
    [r"(a)\z(b)"],
    # Go and RE2 (C++) differ: capture names, nesting height, program size
    ["(?P<n\u00e9>a)(b)"],
    ["(?<n_1>a)(b)"],
    ["[(?P<\u00e9>](a)(b)"],
    ["(" * 998 + "a" + ")" * 998 + "(b)"],
    ["(" * 999 + "a" + ")" * 999 + "(b)"],
    ["(?:" * 2000 + "a" + ")" * 2000 + "(b)(c)"],
    ["(a|" * 600 + "b" + ")" * 600 + "(c)"],
    [".{1000}" * 300 + "(a)(b)"],
    ["a{1000}" * 3000 + "(a)(b)"],
    ["a{1000}" * 4000 + "(a)(b)"],
    [r"\Q(a)\E(b)(c)"],
    [r"(a)(b)\8"],
    [r"\x{110000}(a)(b)"],
    [r"\p{Foo}(a)(b)"],
]

# --- case-level mutators: the cluster around the experiment -------------------------------------

_SUGGESTIONS = ["random", "tpe", "grid", "cmaes", "hyperband", "enas", "darts"]


def katib_config(
    suggestions: list[str],
    collectors: list[str],
    blank: str = "",
    early: bool = True,
    wrap: bool = False,
) -> str:
    """A katib-config of our own: these algorithms and collectors; `blank` gets an empty image."""
    lines = ["runtime:", "  suggestions:"]
    lines += [f"    - {{algorithmName: {a}, image: example.org/s-{a}:v1}}" for a in suggestions]
    lines += ["  metricsCollectors:"]
    lines += [f"    - {{kind: {k}, image: example.org/c:v1}}" for k in collectors]
    if early:
        lines += ["  earlyStoppings:", "    - {algorithmName: medianstop, image: example.org/m:v1}"]
    if blank:
        lines += [f"    - {{algorithmName: {blank}, image: '  '}}"] if early else []
        lines.insert(2, f"    - {{algorithmName: {blank}, image: ''}}")
    text = "\n".join(lines) + "\n"
    if not wrap:
        return text
    body = "\n".join("    " + line for line in text.splitlines())
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: katib-config, namespace: kubeflow}\n"
        f"data:\n  katib-config.yaml: |\n{body}\n"
    )


CONFIGS = [
    katib_config(_SUGGESTIONS, ["StdOut", "File", "TensorFlowEvent", "PrometheusMetric"]),
    katib_config(["tpe", "grid"], ["StdOut", "File"]),
    katib_config(_SUGGESTIONS, ["File", "TensorFlowEvent"], early=False),
    katib_config(_SUGGESTIONS, ["StdOut", "PrometheusMetric"], blank="random"),
    katib_config(_SUGGESTIONS, ["StdOut", "File", "TensorFlowEvent"], blank="medianstop"),
    katib_config(["random", "random"], ["StdOut", "StdOut", "Custom"], wrap=True),
    katib_config([], []),
    None,
]


def _fs(kind: str, path: str, fmt: str | None = None) -> dict[str, Any]:
    fs = {"kind": kind, "path": path}
    return fs if fmt is None else {**fs, "format": fmt}


def _mc(kind: str, **source: Any) -> dict[str, Any]:
    return {"collector": {"kind": kind}, **({"source": source} if source else {})}


COLLECTORS = [
    _mc("File"),
    _mc("File", fileSystemPath=_fs("File", "/m.log", "XML")),
    _mc("File", fileSystemPath=_fs("File", "/m.log", "JSON"), filter={}),
    _mc("File", fileSystemPath=_fs("Directory", "/m")),
    _mc("File", fileSystemPath=_fs("File", "m.log")),
    _mc("File", fileSystemPath={"format": "JSON"}),
    _mc("File", filter={"metricsFormat": ["(a)"]}),
    _mc("File", filter={"metricsFormat": ["(?P<n>a)(b)", "(a)(b"]}),
    _mc("TensorFlowEvent"),
    _mc("TensorFlowEvent", fileSystemPath=_fs("Directory", "/d", "TEXT")),
    _mc("TensorFlowEvent", fileSystemPath=_fs("File", "/d")),
    _mc("TensorFlowEvent", fileSystemPath=_fs("Directory", "d/")),
    _mc("TensorFlowEvent", filter={"metricsFormat": ["x"]}),
    _mc("PrometheusMetric"),
    _mc("PrometheusMetric", httpGet={"port": "http", "path": "metrics"}),
    _mc("PrometheusMetric", httpGet={"port": 0, "path": ""}),
    _mc("PrometheusMetric", httpGet={"port": "0"}),
    _mc("PrometheusMetric", httpGet={"port": -8080, "path": "/m"}),
    _mc("PrometheusMetric", httpGet={"port": "+8080", "path": "/m"}),
    _mc("PrometheusMetric", httpGet={"port": "8080x"}),
    _mc("PrometheusMetric", httpGet={"port": 65536}),
    _mc("PrometheusMetric", filter={"metricsFormat": ["[a"]}),
    _mc("Custom"),
    _mc("Custom", fileSystemPath=_fs("Invalid", "/m")),
    _mc("Custom", fileSystemPath=_fs("File", "rel")),
    _mc("Custom", fileSystemPath={}),
    _mc("Push", filter={"metricsFormat": ["(bad"]}),
    _mc("StdOut", filter={"metricsFormat": ["(bad"]}),
    _mc("StdOut", fileSystemPath=_fs("File", "rel", "XML")),
    _mc(""),
    _mc("Other", filter={"metricsFormat": ["(a)(b"]}),
]


def set_config(draw: st.DrawFn, case: Case) -> None:
    case.katib_config = draw(st.sampled_from(CONFIGS))


_BOTH = "${trialParameters.plr} ${trialParameters.popt}"
TEMPLATES = [
    f"# {_BOTH}\nnot: [valid",
    f"- '{_BOTH}'\n- b\n",
    f"# {_BOTH}\n{{}}",
    f"kind: Job\nx: '{_BOTH}'\n",
    f"apiVersion: batch/v1\nx: '{_BOTH}'\n",
    f"kind: ''\napiVersion: v1\nx: '{_BOTH}'\n",
    '{"apiVersion": "batch/v1", "kind": "Job", "spec": {"template": {"spec": {"containers": '
    '[{"name": "main", "args": ["${trialParameters.plr}", "${trialParameters.popt}"]}]}}}}',
    '{"apiVersion": "v1", "kind": "Pod", "x": "' + _BOTH + '"} trailing',
    '{"apiVersion": "v1", "kind": "Pod", "x": "' + _BOTH + '"',
    f"[1, 2] # {_BOTH}",
    f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec: {{x: '{_BOTH}'}}\n",
    f"apiVersion: v1\nkind: Pod\nmetadata: {{namespace: p}}\nspec: {{x: '{_BOTH}'}}\n",
    f"apiVersion: v1\nkind: 5\nspec: {{x: '{_BOTH}'}}\n",
    "apiVersion: batch/v1\nkind: Job\nspec:\n  backoffLimit: ${trialParameters.plr}\n"
    "  template: {spec: {containers: [{name: main, args: ['${trialParameters.popt}']}]}}\n",
    "apiVersion: batch/v1\nkind: Job\nspec:\n  template: {spec: {restartPolicy: Never, "
    "containers: [{name: main, image: x, args: ['${trialParameters.plr}', "
    "'${trialParameters.popt}']}]}}\n",
    f"---\napiVersion: v1\nkind: Pod\nspec: {{a: '{_BOTH}'}}\n---\nkind: Other\n",
    f"{_BOTH}",
    f"apiVersion: v1\nkind: Pod\nspec: {{a: '{_BOTH}'}}\nextra: ${{trialParameters.other}}\n",
    f"\ufeffapiVersion: v1\nkind: Pod\nspec: {{a: '{_BOTH}'}}\n",
    f"apiVersion: v1\nkind: Pod\nspec: {{a: '{_BOTH}', b: !!binary aGk=}}\n",
    f"apiVersion: v1\nkind: Pod\nspec: {{a: '{_BOTH}', b: &x 1, c: *x}}\n",
    f"apiVersion: v1\nkind: Pod\nspec: {{a: '{_BOTH}', b: 0x10, c: 1e3, d: yes}}\n",
    f"apiVersion: v1\nkind: Pod\nspec: {{a: '{_BOTH}', a: 2}}\n",
    f"apiVersion: v1\nkind: Pod\nspec: {{a: '{_BOTH}'}}\n\tbad: tab\n",
]


EXTRAS = [
    "",
    "x: &a 1\ny: *a\n",
    "on: 1\n",
    "y: !!binary aGk=\n",
    "z: !foo bar\n",
    "k: 1\nk: 2\n",
    "<<: {q: 1}\n",
    "n: .inf\n",
    "t: 2001-12-14\n",
    "1e3: a\n",
    "e: !!int x\n",
    "? [a]\n: b\n",
    "&r r: 1\n",
    "s: *missing\n",
    "l: [a, b\n",
]
METAS = [
    "",
    "metadata: {name: x}\n",
    "metadata: {namespace: y}\n",
    "metadata: {labels: {y: a}}\n",
    "metadata: &m {name: ''}\n",
    "metadata: {<<: {name: m}}\n",
    "metadata:\n  <<: [{name: ''}, {name: m}]\n",
    "metadata: {name: x, name: ''}\n",
    "metadata: {name: 5}\n",
    "metadata: x\n",
]


@st.composite
def template_texts(draw: st.DrawFn) -> str:
    """ConfigMap template texts in every form Katib's decoder distinguishes: block and flow
    YAML, JSON (whole, broken, or YAML flow starting with `{`), several documents, BOM, CRLF,
    anchors, merge keys, tags, repeated keys, placeholders where numbers belong."""
    args = ["--lr=${trialParameters.plr}", "--opt=${trialParameters.popt}"]
    api = draw(st.sampled_from(["batch/v1", "v1", "", None]))
    kind = draw(st.sampled_from(["Job", "Pod", "", None, "5"]))
    form = draw(st.sampled_from(["block", "json", "json-broken", "flow"]))
    quoted = {None: "", "": "''"}
    head = ("" if api is None else f"apiVersion: {quoted.get(api, api)}\n") + (
        "" if kind is None else f"kind: {quoted.get(kind, kind)}\n"
    )
    if form == "block":
        numeric = draw(
            st.sampled_from(
                ["", "  backoffLimit: ${trialParameters.plr}\n", "  backoffLimit: 2.0\n"]
            )
        )
        body = (
            head + draw(st.sampled_from(METAS)) + "spec:\n" + numeric + "  template:\n    spec:\n"
            "      restartPolicy: Never\n      containers:\n        - name: main\n"
            "          image: x\n          args:\n" + "".join(f"            - {a}\n" for a in args)
        ) + draw(st.sampled_from(EXTRAS))
    else:
        obj: dict[str, Any] = {}
        if api is not None:
            obj["apiVersion"] = api
        if kind is not None:
            obj["kind"] = kind
        obj["spec"] = {"template": {"spec": {"containers": [{"name": "main", "args": args}]}}}
        body = json.dumps(obj)
        if form == "json-broken":
            body = body[:-1]
        elif form == "flow":
            body = body.replace('"', "'")
    prefix = draw(
        st.sampled_from(
            ["", "---\n", "# c\n", "# c\n---\n", "\ufeff", "\n\n", "--- # x\n", "--- x\n", "\x1c"]
        )
    )
    suffix = draw(
        st.sampled_from(
            [
                "",
                "\n---\nbad: [\n",
                "\n...\nbad: [\n",
                "\n--- x\n",
                "\n---\nkind: Other\n",
                " trailing",
            ]
        )
    )
    text = prefix + body + suffix
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


def set_template_text(draw: st.DrawFn, case: Case) -> None:
    """The ConfigMap's template text: not YAML, not an object, no kind, a second document..."""
    for cm in case.configmaps:
        text = draw(st.one_of(st.sampled_from(TEMPLATES), template_texts()))
        cm["data"] = {"job.yaml": text}


def drop_configmaps(draw: st.DrawFn, case: Case) -> None:
    case.configmaps = []


def add_configmap(draw: st.DrawFn, case: Case) -> None:
    """A ConfigMap for a trialSpec experiment turned into a ConfigMap source."""
    case.configmaps.append(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "templates", "namespace": "tuning"},
            "data": {"job.yaml": draw(st.sampled_from(TEMPLATES))},
        }
    )


GROUPS: dict[str, list[Mutator]] = {
    "meta": [
        set_at(("apiVersion",), ["kubeflow.org/v1", "", "kubeflow.org/v1beta1", None]),
        set_at(
            ("metadata", "name"),
            [
                "",
                "a" * 40,
                "a" * 41,
                "Upper",
                "a.b",
                "a-",
                "-a",
                "1abc",
                "ab_c",
                "exp.v1",
                "ex--p",
                "é",
                None,
                5,
            ],
        ),
        set_at(("metadata", "namespace"), [DELETE, "", "other", 5]),
        set_at(("metadata", "labels"), [{"a": "b"}, {"a": 1}, {}, None, "x"]),
        set_at(("metadata", "generateName"), ["exp-", 1]),
        set_at(("metadata", "creationTimestamp"), ["bad", "2024-01-02T03:04:05Z", None, 5]),
        set_at(("metadata", "annotations"), [{"a": "b"}, {"a": None}, {"a": 1}, []]),
        set_at(("metadata", "finalizers"), [["a", "a"], [], "a"]),
        set_at(("metadata", "uid"), ["u-1", 5]),
        set_at(
            ("metadata", "ownerReferences"),
            [[{"apiVersion": "v1", "kind": "X", "name": "n", "uid": "u"}], [{"name": 1}]],
        ),
    ],
    "budget": [
        set_at((*S, "parallelTrialCount"), COUNTS),
        set_at((*S, "maxTrialCount"), COUNTS),
        set_at((*S, "maxFailedTrialCount"), COUNTS),
    ],
    "objective": [
        set_at((*S, "objective"), [DELETE, None, {}, {"type": "minimize"}]),
        set_at(
            (*S, "objective", "type"), ["minimize", "maximize", "", "MAXIMIZE", "latest", DELETE, 1]
        ),
        set_at(
            (*S, "objective", "goal"), [DELETE, None, 0, 1, 0.99, -1e9, "0.9", True, [0.9], 1e21]
        ),
        set_at((*S, "objective", "objectiveMetricName"), ["", "loss", "a;b", DELETE, "accuracy"]),
        set_at(
            (*S, "objective", "additionalMetricNames"),
            [
                [],
                ["loss"],
                ["accuracy"],
                ["loss", "loss"],
                ["loss", "accuracy"],
                [""],
                DELETE,
                "loss",
                [None],
                ["a;b"],
            ],
        ),
        set_at(
            (*S, "objective", "metricStrategies"),
            [
                [],
                [{"name": "accuracy", "value": "min"}],
                [{"name": "loss", "value": "latest"}],
                [{"name": "other", "value": "max"}],
                [{"name": "accuracy", "value": "bogus"}],
                [{"name": "loss", "value": "max"}, {"name": "loss", "value": "min"}],
                [{"name": "", "value": ""}],
                [{}],
                None,
                [{"name": "accuracy"}],
            ],
        ),
    ],
    "algorithm": [
        set_at((*S, "algorithm"), [DELETE, None, {}]),
        set_at((*S, "algorithm", "algorithmName"), [*ALGORITHMS, DELETE]),
        set_at(
            (*S, "algorithm", "algorithmSettings"),
            [
                [],
                [{"name": "random_state", "value": "10"}],
                [{"name": "x", "value": "1"}],
                [{"name": "random_state", "value": 10}],
                [{"name": "n"}],
                None,
            ],
        ),
        set_at(
            (*S, "earlyStopping"),
            [
                DELETE,
                None,
                {},
                {"algorithmName": "medianstop"},
                {"algorithmName": ""},
                {"algorithmName": "nope"},
                {
                    "algorithmName": "medianstop",
                    "algorithmSettings": [{"name": "min_trials_required", "value": "x"}],
                },
                {
                    "algorithmName": "medianstop",
                    "algorithmSettings": [{"name": "start_step", "value": 4}],
                },
            ],
        ),
        set_at(
            (*S, "resumePolicy"),
            ["", "Never", "LongRunning", "FromVolume", "never", "Always", DELETE, None],
        ),
    ],
    "template": [
        set_at(TT, [DELETE, None, {}]),
        set_at((*TT, "primaryContainerName"), ["", "main", "trainer", "other", DELETE]),
        set_at((*TT, "successCondition"), ["", DELETE, "status.x", None]),
        set_at((*TT, "failureCondition"), ["", DELETE, "status.y"]),
        set_at((*TT, "retain"), [True, False, "true", 1, None]),
        set_at((*TT, "primaryPodLabels"), [{}, {"a": "b"}, {"a": 1}, None, DELETE]),
        set_at(
            (*TT, "configMap"),
            [
                {
                    "configMapName": "templates",
                    "configMapNamespace": "tuning",
                    "templatePath": "job.yaml",
                },
                {"configMapName": "", "configMapNamespace": "tuning", "templatePath": "job.yaml"},
                {
                    "configMapName": "templates",
                    "configMapNamespace": "",
                    "templatePath": "job.yaml",
                },
                {"configMapName": "templates", "configMapNamespace": "tuning", "templatePath": ""},
                {
                    "configMapName": "templates",
                    "configMapNamespace": "tuning",
                    "templatePath": "nope",
                },
                {
                    "configMapName": "missing",
                    "configMapNamespace": "tuning",
                    "templatePath": "job.yaml",
                },
                {},
                None,
            ],
        ),
        set_at((*TT, "trialSpec"), [DELETE, None, {}, {"apiVersion": "v1"}, "text", []]),
        set_at(
            (*TP, "*", "name"),
            [
                "",
                "a{b",
                "a}b",
                "a<b",
                "a&b",
                "a>b",
                "x y",
                "plr",
                "popt",
                "new",
                "trialParameters.plr",
                DELETE,
            ],
        ),
        set_at((*TP, "*", "reference"), ["", "lr", "opt", "missing", *META_REFS, DELETE, 5]),
        set_at((*TP, "*", "description"), ["", None, 5]),
        set_at(
            TP,
            [
                [],
                DELETE,
                None,
                [{"name": "plr", "reference": "lr"}],
                [{}],
                [{"name": "plr", "reference": "lr"}, {"name": "plr", "reference": "opt"}],
                [{"name": "plr", "reference": "lr"}, {"name": "x", "reference": "lr"}],
            ],
        ),
    ],
    "job": [
        set_at(
            (*TS, "metadata"),
            [
                {"name": "x"},
                {"namespace": "y"},
                {"labels": {"app": "v"}},
                {"name": ""},
                {"name": 5},
                {"annotations": {"note": "n"}},
                None,
                "m",
            ],
        ),
        set_at(
            (*TS, "apiVersion"),
            [DELETE, "", "batch/v1", "batch/v1beta1", "v1", "batch/v1/x", "/", "batch/", 5],
        ),
        set_at((*TS, "kind"), [DELETE, "", "Job", "job", "TFJob", "TrainJob", "Workflow", 5]),
        set_at((*TS, "spec", "bogus"), [1, "x", {}]),
        set_at(
            (*TS, "spec", "backoffLimit"), [1, 1.5, 2.0, "3", "${trialParameters.plr}", None, 0]
        ),
        set_at((*TS, "spec", "parallelism"), [1, 0, -1, 2**31, "1"]),
        set_at((*TS, "spec", "activeDeadlineSeconds"), [60, 60.0, 1e3, "60"]),
        set_at(
            (*TS, "spec", "template", "metadata"),
            [{"labels": {"a": "b"}}, {"labels": {"a": 1}}, {}],
        ),
        set_at((*POD, "hostNetwork"), [False, True, "false"]),
        set_at((*POD, "restartPolicy"), ["", "Never", "OnFailure", 1, None]),
        set_at((*POD, "bogusField"), [1, None]),
        set_at(
            (*POD, "containers"), [[], None, [{"name": "main"}], [{"name": "main", "image": ""}]]
        ),
        set_at(
            (*POD, "volumes"),
            [
                [{"name": "v", "emptyDir": {"sizeLimit": "1024Mi"}}],
                [{"name": "v", "emptyDir": {"sizeLimit": "1Gi"}}],
                [{"name": "v", "emptyDir": {}}],
                [{"name": "v"}],
            ],
        ),
        set_at(
            (*CTR, "resources"),
            [
                {"limits": {"cpu": "1000m", "memory": "1Gi"}},
                {"limits": {"cpu": "1.0"}},
                {"requests": {"cpu": 1}},
                {"limits": {"cpu": "x"}},
                {"limits": {}},
                {"claims": []},
            ],
        ),
        set_at(
            (*CTR, "command"),
            [
                ["echo"],
                ["echo", "${trialParameters.extra}"],
                ["echo", "${trialParameters.}"],
                ["${trialParameters.a}b}"],
                ["--x=${trialParameters.plr}${trialParameters.plr}"],
                "echo",
            ],
        ),
        set_at((*CTR, "name"), ["main", "${trialParameters.plr}", "", "Main"]),
        set_at(
            (*CTR, "ports"),
            [
                [{"containerPort": 80}],
                [{"containerPort": 80.0}],
                [{"containerPort": "${trialParameters.plr}"}],
                [{"containerport": 80}],
            ],
        ),
        set_at(
            (*CTR, "env"),
            [[{"name": "LR", "value": "${trialParameters.plr}"}], [{"name": "A", "value": 1}]],
        ),
    ],
    "space": [
        set_at((*S, "parameters"), [DELETE, [], None]),
        set_at((*PARAM, "name"), ["", "lr", "opt", "new", DELETE]),
        set_at(
            (*PARAM, "parameterType"),
            ["int", "double", "categorical", "discrete", "unknown", "", "Int", "float", DELETE],
        ),
        set_at(
            (*PARAM, "feasibleSpace"), [DELETE, None, {}, {"distribution": "uniform"}, {"min": "1"}]
        ),
        set_at(
            (*PARAM, "feasibleSpace", "distribution"),
            ["uniform", "logUniform", "normal", "logNormal", "unknown", "", "log", DELETE],
        ),
        set_at((*PARAM, "feasibleSpace", "min"), [DELETE, "", "0", "-1", "abc", "1e3", 1, 0.5]),
        set_at((*PARAM, "feasibleSpace", "max"), [DELETE, "", "0", "10", "x", 2]),
        set_at((*PARAM, "feasibleSpace", "step"), [DELETE, "", "0", "0.1", "-1", 1]),
        set_at(
            (*PARAM, "feasibleSpace", "list"), [DELETE, [], ["a"], ["a", "a"], [1], "a", [""], None]
        ),
        set_at(
            (*S, "nasConfig"),
            [
                DELETE,
                None,
                {},
                {"graphConfig": {"numLayers": 1}},
                {"graphConfig": {"numLayers": 1}, "operations": [{"operationType": "skip"}]},
                {
                    "operations": [
                        {
                            "operationType": "c",
                            "parameters": [{"name": "k", "parameterType": "bogus"}],
                        }
                    ]
                },
            ],
        ),
        set_at(
            (*S, "nasConfig", "graphConfig", "numLayers"),
            [0, -1, None, 1.5, 2.0, "1", 2**31, DELETE],
        ),
        set_at(
            (*S, "nasConfig", "graphConfig", "inputSizes"), [[], [1.5], ["32"], None, [2**31], 3]
        ),
        set_at((*S, "nasConfig", "graphConfig", "outputSizes"), [[], [10.0], [None]]),
        set_at(
            (*S, "nasConfig", "operations"),
            [[], DELETE, None, [{}], [{"operationType": "x", "parameters": []}]],
        ),
        set_at(
            (*S, "nasConfig", "operations", "*", "parameters", "*", "feasibleSpace"),
            [{}, {"list": []}, None],
        ),
    ],
    "collector": [
        set_at(MC, [DELETE, None, {}, {"source": {}}]),
        set_at((*MC, "collector"), [DELETE, None, {}, {"kind": "Custom"}]),
        set_at(
            (*MC, "collector", "kind"),
            [
                "StdOut",
                "File",
                "TensorFlowEvent",
                "PrometheusMetric",
                "Custom",
                "Push",
                "",
                "stdout",
                "None",
                DELETE,
                1,
            ],
        ),
        set_at(
            (*MC, "collector", "customCollector"),
            [
                DELETE,
                None,
                {},
                {"name": "c", "image": "x"},
                {"name": "c", "image": "x", "bogus": 1},
                {"name": "c", "ports": [{"containerPort": "80"}]},
            ],
        ),
        set_at(SRC, [DELETE, None, {}, {"filter": {}}, {"fileSystemPath": {}}]),
        set_at(
            FS,
            [DELETE, None, {}, {"path": "/m", "kind": "File"}, {"path": "/d", "kind": "Directory"}],
        ),
        set_at((*FS, "kind"), ["File", "Directory", "", "Invalid", "file", DELETE]),
        set_at(
            (*FS, "path"), ["", "/abs/m.log", "rel/m.log", "./m", "/", "//x", "/a/../b", DELETE, 5]
        ),
        set_at((*FS, "format"), ["TEXT", "JSON", "", "XML", "json", DELETE]),
        set_at((*SRC, "filter"), [DELETE, None, {}, {"metricsFormat": None}]),
        set_at((*SRC, "filter", "metricsFormat"), FILTERS),
        set_at(
            (*SRC, "httpGet"),
            [DELETE, None, {}, {"port": 80}, {"path": "/m"}, {"host": "h", "scheme": "HTTPS"}],
        ),
        set_at(
            (*SRC, "httpGet", "port"),
            [
                8080,
                "8080",
                0,
                "0",
                -1,
                "-1",
                "http",
                "+80",
                "08080",
                2**31,
                "99999999999999999999",
                1.5,
                80.0,
                None,
                DELETE,
                True,
                [80],
            ],
        ),
        set_at((*SRC, "httpGet", "path"), ["/metrics", "metrics", "", DELETE, 5]),
        set_at((*SRC, "httpGet", "httpHeaders"), [[{"name": "a", "value": "b"}], [], [{"x": 1}]]),
    ],
    "status": [
        set_at(
            ("status",),
            [
                {"trials": 3},
                {"trials": "x"},
                {"conditions": [{"type": "Running"}]},
                None,
                {"startTime": "bad"},
                {"startTime": "2024-01-02T03:04:05.5+02:00"},
                {"conditions": [{"lastUpdateTime": "2024-01-02"}]},
                {"trials": 2**31},
            ],
        ),
    ],
}

GROUPS["algorithm"] += [set_config]
GROUPS["collector"] += [set_config, set_at(MC, COLLECTORS), set_at(MC, COLLECTORS)]
GROUPS["configmap"] = [
    set_template_text,
    set_template_text,
    set_template_text,
    drop_configmaps,
    add_configmap,
    set_at((*TT, "trialSpec"), [DELETE]),
    *GROUPS["template"][6:],
]
TARGETED: list[Mutator] = [m for group in GROUPS.values() for m in group]
