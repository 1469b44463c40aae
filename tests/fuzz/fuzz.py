"""A seeded fuzzer over every command: mutate a seed input (Katib's examples, the repository's
specs and policies, a katib-config, a ConfigMap), run each command that takes it, and report
tracebacks, bad exit codes and hangs. The same seed gives the same inputs.

    .venv/bin/python -m tests.fuzz.fuzz --seed 1 --count 500
    .venv/bin/python -m tests.fuzz.fuzz --seed 1 --count 50 --subprocess   # the real CLI
    .venv/bin/python -m tests.fuzz.fuzz --seed 1 --count 500 --save /tmp/crashes

Exit 0 when nothing crashed or hung, 1 otherwise. `--save DIR` writes each distinct crash's
input as DIR/<kind>/<n>/<path in the workspace> (the layout of tests/fuzz/corpus/).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzz.commands import Outcome, run_in_process, run_subprocess, targets, workspace
from tests.fuzz.mutate import RandomChooser, mutate
from tests.fuzz.seeds import Seed, all_seeds


@dataclass
class Tally:
    inputs: int = 0
    runs: int = 0
    by_target: Counter[str] = field(default_factory=Counter)
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    crashes: dict[str, tuple[Outcome, Seed, bytes]] = field(default_factory=dict)  # by signature
    crash_runs: int = 0
    hangs: list[tuple[Outcome, Seed, bytes]] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")


def signature(outcome: Outcome) -> str:
    """The exception and the innermost frame of ours: one line per distinct cause."""
    text = outcome.problem
    frames = re.findall(r'File "([^"]*/(?:compiler|tests)/[^"]*)", line (\d+), in (\S+)', text)
    last = text.strip().splitlines()[-1] if text.strip() else ""
    where = f"{Path(frames[-1][0]).name}:{frames[-1][1]} {frames[-1][2]}" if frames else ""
    return f"{last[:160]} @ {where}" if where else last[:200]


def fuzz(
    seed: int,
    count: int,
    *,
    subprocess: bool = False,
    kinds: set[str] | None = None,
    timeout: float = 20.0,
    log: bool = True,
) -> Tally:
    rng = random.Random(seed)
    chooser = RandomChooser(rng)
    seeds = [s for s in all_seeds() if kinds is None or s.kind in kinds]
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="katib-gitops-fuzz-") as tmp:
        for i in range(count):
            base = rng.choice(seeds)
            data = mutate(chooser, base.text, python=base.python)
            tally.inputs += 1
            with workspace(Path(tmp), base, data) as w:
                runs = [
                    run_subprocess(name, argv(w), timeout * 3)
                    if subprocess
                    else run_in_process(name, argv(w), timeout)
                    for name, argv in targets(base.kind)
                ]
            for outcome in runs:
                name = outcome.target
                tally.runs += 1
                tally.by_target[name] += 1
                tally.seconds[name] += outcome.seconds
                if outcome.seconds > tally.slowest[0]:
                    tally.slowest = (outcome.seconds, f"{name} on {base.name} (input {i})")
                if outcome.hung:
                    tally.hangs.append((outcome, base, data))
                    if log:
                        print(f"HANG  {name} on {base.name} (input {i})", file=sys.stderr)
                elif outcome.crashed:
                    tally.crash_runs += 1
                    sig = f"{name.split()[0]}: {signature(outcome)}"
                    if sig not in tally.crashes:
                        tally.crashes[sig] = (outcome, base, data)
                        if log:
                            print(f"CRASH {sig}\n      {base.name} (input {i})", file=sys.stderr)
    return tally


def save(tally: Tally, out: Path) -> None:
    for outcome, seed, data in [*tally.crashes.values(), *tally.hangs]:
        digest = hashlib.sha256(data).hexdigest()[:10]
        target = out / seed.kind / digest / seed.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        (out / seed.kind / digest / "PROBLEM.txt").write_text(
            f"{outcome.target} on a mutation of {seed.name}\n\n{outcome.problem}\n", "utf-8"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--count", type=int, default=200, help="how many mutated inputs")
    p.add_argument("--subprocess", action="store_true", help="run the real CLI (slower)")
    p.add_argument("--kind", action="append", help="only seeds of this kind (repeatable)")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds before a run is a hang")
    p.add_argument("--save", metavar="DIR", help="write each crash's input under DIR")
    args = p.parse_args(argv)
    start = time.monotonic()
    tally = fuzz(
        args.seed,
        args.count,
        subprocess=args.subprocess,
        kinds=set(args.kind) if args.kind else None,
        timeout=args.timeout,
    )
    if args.save:
        save(tally, Path(args.save))
    print(
        f"seed {args.seed}: {tally.inputs} inputs, {tally.runs} runs of "
        f"{len(tally.by_target)} commands in {time.monotonic() - start:.0f} s; "
        f"{tally.crash_runs} crashed runs ({len(tally.crashes)} distinct), "
        f"{len(tally.hangs)} hangs; slowest {tally.slowest[0]:.1f} s ({tally.slowest[1]})"
    )
    costly = ", ".join(
        f"{n} {s:.0f} s" for n, s in sorted(tally.seconds.items(), key=lambda x: -x[1])[:4]
    )
    print(f"  most time: {costly}")
    for sig in sorted(tally.crashes):
        print(f"  {sig}")
    return 1 if tally.crashes or tally.hangs else 0


if __name__ == "__main__":
    sys.exit(main())
