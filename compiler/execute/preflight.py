"""Before the first trial: does the trial's command name files that are not on this machine?

A trial built for an image (`python3 /opt/mxnet-mnist/mnist.py`) fails locally on every
attempt, and the reason is only in its log. This looks at the command as the local backend
runs it (the dry-run `Launch` of `plan.py`: after `sh -c` wrapping and the metrics folder's
relocation) and names what an interpreter or `exec` would open and cannot: an absolute path,
or a relative path with a script extension, resolved against the trial's working folder.

Precise rather than complete: only the script operand of a known interpreter (python, the
shells, perl, ruby, node, Rscript) or a command word that is a path; in a `sh -c` script only
the first command that is not a `cd`, an assignment or a builtin without side effects (a later
one may run on files that an earlier one creates); nothing with `$`, globs or `~`.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from compiler import goyaml
from compiler.execute.plan import Launch

SCRIPT_SUFFIXES = frozenset(
    {".py", ".pyw", ".sh", ".bash", ".zsh", ".ksh", ".pl", ".rb", ".js", ".mjs", ".cjs", ".ts"}
    | {".r", ".jl", ".lua", ".php", ".tcl", ".ipynb"}
)
_PYTHON = re.compile(r"(python|pypy)(\d+(\.\d+)?)?")
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash"})
_MAX_SCRIPT = 16 * 1024  # characters of an inline script that preflight reads
_OTHERS = frozenset({"perl", "ruby", "node", "Rscript", "julia", "lua", "php"})
_PREFIXES = frozenset({"exec", "nohup", "env", "time", "nice", "stdbuf"})
# shell words that neither open a file of ours nor create one: a script goes on past them
_INERT = frozenset({":", "true", "export", "set", "unset", "echo", "printf", "ulimit", "umask"})
_UNKNOWN = re.compile(r"[$`*?\[]|^~")
_CONTROL = set(";&|\n()")
_PLAIN = re.compile(r"(--?)?[A-Za-z0-9_./][A-Za-z0-9_./=+-]*")


@dataclass(frozen=True)
class Missing:
    word: str  # as the command names it
    path: Path  # where it was looked for


@dataclass(frozen=True)
class MissingFiles:
    missing: tuple[Missing, ...]
    local: bool  # the spec has a local.command already: that command is what is wrong
    command: tuple[str, ...] | None = None  # the fix's local.command (None: keep the trial's)
    exact: bool = True  # False: `command` shows only the shape of the fix
    fresh: bool = False  # relative paths were looked for in the trial's own fresh folder

    @property
    def lines(self) -> list[str]:
        """For the terminal: what is missing, and the override that would fix it."""
        whose = "the spec's local.command" if self.local else "the trial's command"
        what = "a file" if len(self.missing) == 1 else "files"
        out = [f"warning: every trial will fail here: {whose} names {what} this machine lacks:"]
        for m in self.missing:
            if m.word.startswith("/"):
                out.append(f"  {m.word}")
            elif self.fresh:
                out.append(f"  {m.word} (each trial runs in a fresh folder of its own)")
            else:
                out.append(f"  {m.word} (looked for at {m.path})")
        if self.local:
            out.append("  Fix local.command (its relative paths are relative to local.workdir).")
            return out
        out.append(
            "  To run the trial here, give the spec a `local:` block"
            + (", for example:" if self.exact else " of this shape:")
        )
        out += [f"    {line}" for line in self.snippet.splitlines()]
        if self.command is not None and any(x.startswith("path/to/") for x in self.command):
            out.append("  (path/to/...: where this machine has it; workdir `.`: the repository)")
        return out

    @property
    def snippet(self) -> str:
        """The `local:` block that would run the trial here, as YAML."""
        if self.command is None:
            return "local:\n  workdir: ."
        return f"local:\n  command: {_flow(self.command)}\n  workdir: ."

    @property
    def note(self) -> str:
        """One line, for the report."""
        names = ", ".join(f"`{m.word}`" for m in self.missing)
        if self.local:
            return f"the spec's local.command names {names}, not on the machine that ran it"
        fix = "{workdir: .}" if self.command is None else "{command: [...], workdir: .}"
        return (
            f"the trial's command names {names}, not on the machine that ran it: a "
            f"`local: {fix}` block in the spec runs the trial there"
        )


def check(
    launch: Launch, root: Path, local_command: Sequence[str] | None, command: Sequence[str] | None
) -> MissingFiles | None:
    """`command`: the spec's trial command and args (with `${name}`), for the fix;
    `local_command`: the spec's local.command, when it has one."""
    missing = tuple(m for m in named(launch.argv, launch.cwd) if not _under(m.path, launch.mount))
    if not missing:
        return None
    if local_command:
        return MissingFiles(missing, local=True)
    fresh = launch.env.get("KATIB_GITOPS_TRIAL_DIR") == str(launch.cwd)
    return dataclasses.replace(_fix(missing, root, command), fresh=fresh)


def named(argv: Sequence[str], cwd: Path) -> list[Missing]:
    """What the command would open and is not there."""
    return [m for m in _command(list(argv), cwd, depth=0) if not _there(m.path)]


def _command(words: list[str], cwd: Path, depth: int) -> list[Missing]:
    words = _strip_prefixes(words)
    if not words or depth > 3:
        return []
    head = words[0]
    out = [_path(head, cwd)] if _is_path(head) and not _UNKNOWN.search(head) else []
    name = PurePosixPath(head).name
    if _PYTHON.fullmatch(name):
        script = _python_script(words[1:])
    elif name in _SHELLS:
        inline, script = _shell_operand(words[1:])
        if inline:
            return out + (_script(script, cwd, depth + 1) if script else [])
        if script and "/" not in script and _on_path(script):
            script = None  # bash looks for a bare name on PATH too
    elif name in _OTHERS:
        script = words[1] if len(words) > 1 and not words[1].startswith("-") else None
    else:
        return out
    if script and _is_script(script) and not _UNKNOWN.search(script):
        out.append(_path(script, cwd))
    return out


def _strip_prefixes(words: list[str]) -> list[str]:
    """`exec`, `env A=1`, `nohup` … run the command that follows."""
    while words and (words[0] in _PREFIXES or PurePosixPath(words[0]).name == "env"):
        words = words[1:]
        while words and (words[0].startswith("-") or _assignment(words[0])):
            words = words[1:]
    return words


def _python_script(args: list[str]) -> str | None:
    """The script python opens: its first operand (-c, -m and - read no file)."""
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            return args[i + 1] if i + 1 < len(args) else None
        if a == "-" or a.startswith("--"):
            return None
        if not a.startswith("-"):
            return a
        for j, flag in enumerate(a[1:], 1):
            if flag in "cm":
                return None
            if flag in "WXQ":
                i += 0 if a[j + 1 :] else 1
                break
        i += 1
    return None


def _shell_operand(args: list[str]) -> tuple[bool, str | None]:
    """(True, text) for `sh -c text`; (False, file) for `sh file`; (False, None) otherwise."""
    inline = False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            i += 1
            break
        if a in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if not a or a[0] not in "-+" or a in ("-", "+"):
            break
        if not a.startswith("--"):
            if "s" in a[1:]:
                return False, None  # commands from stdin
            inline = inline or "c" in a[1:]
        i += 1
    operand = args[i] if i < len(args) else None
    return inline, operand


def _script(text: str, cwd: Path, depth: int) -> list[Missing]:
    """The first command of a shell script that is not a cd or a builtin without effects."""
    if len(text) > _MAX_SCRIPT:  # shlex grows a token a character at a time: quadratic
        return []  # no guess then, rather than a long wait
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars="();<>|&\n")
        lexer.whitespace, lexer.commenters, lexer.whitespace_split = " \t\r", "", True
        tokens = list(lexer)
    except ValueError:
        return []  # the shell will say what is wrong with it
    for simple, redirected in _simple_commands(tokens):
        words = list(itertools.dropwhile(_assignment, simple))
        if not words or (words[0] in _INERT and not redirected):
            continue  # `echo x > a.py` creates a file: what follows is not looked at
        if words[0].startswith("#") or words[0] in ("(", "{", "if", "for", "while", "case"):
            return []
        if words[0] != "cd":
            return _command(words, cwd, depth)
        target = words[1] if len(words) > 1 else None
        if target is None or target == "-" or _UNKNOWN.search(target):
            return []
        cwd = cwd / target
        if not _there(cwd, Path.is_dir):
            return [Missing(target, cwd)]
    return []


def _simple_commands(tokens: list[str]) -> list[tuple[list[str], bool]]:
    """Tokens split at control operators, without redirections and their targets, each with
    whether it had a redirection."""
    out: list[tuple[list[str], bool]] = [([], False)]
    skip = False
    for tok in tokens:
        if tok and set(tok) <= _CONTROL:
            out.append(([], False))
        elif tok and set(tok) <= set("<>&"):
            out[-1] = (out[-1][0], True)
            skip = True
        elif skip:
            skip = False
        else:
            out[-1][0].append(tok)
    return [c for c in out if c[0] or c[1]]


def _assignment(word: str) -> bool:
    return re.match(r"[A-Za-z_][A-Za-z0-9_]*=", word) is not None


def _is_path(word: str) -> bool:
    """A command word exec opens as a file (not looked up on PATH)."""
    return word.startswith("/") or ("/" in word and _is_script(word))


def _is_script(word: str) -> bool:
    return word.startswith("/") or PurePosixPath(word).suffix.lower() in SCRIPT_SUFFIXES


def _path(word: str, cwd: Path) -> Missing:
    return Missing(word, Path(word) if word.startswith("/") else cwd / word)


def _on_path(name: str) -> bool:
    return any(
        _there(Path(d) / name, Path.is_file) for d in os.environ.get("PATH", "").split(os.pathsep)
    )


def _there(path: Path, test: Callable[[Path], bool] = Path.exists) -> bool:
    """Whether it is there; a path we cannot look at (no permission, too long, a NUL) counts
    as there: no warning we are not sure of, and never a traceback."""
    try:
        return "\0" in str(path) or test(path)  # pathlib says False for a NUL
    except (OSError, ValueError):
        return True


def _under(path: Path, folder: Path) -> bool:
    """In the trial's metrics folder: made fresh when the trial starts."""
    return path == folder or folder in path.parents


# --- the override that would fix it -------------------------------------------------------------


def _fix(missing: tuple[Missing, ...], root: Path, command: Sequence[str] | None) -> MissingFiles:
    """The spec's own command, each missing file replaced by its copy in the repository when
    there is one (the same path, less leading folders), else `path/to/<name>`; `workdir: .`
    makes relative paths relative to the repository. Relative paths that the repository's root
    holds need only the workdir."""
    found = {m.word: _in_repository(m.word, root) for m in missing}
    if all(v == w for w, v in found.items()):
        return MissingFiles(missing, local=False)
    mapping = {w: v or _placeholder(w) for w, v in found.items()}
    items = tuple(_replace(item, mapping) for item in command or ())
    if items == tuple(command or ()):
        # not the spec's own words (a raw trial spec, a ConfigMap template): the shape only
        shape = (*(v for v in mapping.values()), "...")
        return MissingFiles(missing, local=False, command=shape, exact=False)
    return MissingFiles(missing, local=False, command=items)


def _in_repository(word: str, root: Path) -> str | None:
    parts = PurePosixPath(word).parts
    parts = parts[1:] if word.startswith("/") else parts
    for i in range(len(parts)):
        candidate = PurePosixPath(*parts[i:]).as_posix()
        if _there(root / candidate):
            return candidate
    return None


def _placeholder(word: str) -> str:
    return f"path/to/{PurePosixPath(word).name}"


def _replace(item: str, mapping: dict[str, str]) -> str:
    if item in mapping:
        return mapping[item]
    for old, new in mapping.items():
        item = item.replace(old, new)
    return item


def _flow(items: Sequence[str]) -> str:
    return "[" + ", ".join(_scalar(x) for x in items) + "]"


def _scalar(text: str) -> str:
    """Plain when every YAML reader takes it as this text; else double-quoted (JSON's
    escapes are YAML's)."""
    if text == "..." or (_PLAIN.fullmatch(text) and isinstance(goyaml.resolve(text), str)):
        return text
    return json.dumps(text, ensure_ascii=False)
