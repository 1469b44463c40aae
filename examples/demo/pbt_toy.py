"""A toy trial for PBT, after Katib's simple-pbt trial image (examples/v1beta1/trial-images/
simple-pbt): accuracy grows fastest when the learning rate is near an optimum that moves with
the accuracy itself (a triangle wave: 0.001 at 0, 0.01 at 50, 0.001 at 100), so no fixed rate
gets far and a schedule found by PBT climbs. Pure Python, seconds for a whole experiment.

The state (accuracy, step, and the trials it went through) is the checkpoint in --checkpoint,
the folder Katib mounts from its PBT volume: a child starts from a copy of its parent's.
Noise is seeded by the trial's name (KATIB_TRIAL_NAME), so a seeded run repeats.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path

MIDPOINT, TOLERANCE, NOISE = 50.0, 10.0, 1.0


def optimal_lr(accuracy: float) -> float:
    if accuracy < MIDPOINT:
        best = 0.01 * accuracy / MIDPOINT
    else:
        best = 0.01 - 0.01 * (accuracy - MIDPOINT) / MIDPOINT
    return min(0.01, max(0.001, best))


def step(accuracy: float, lr: float, rng: random.Random) -> float:
    best = optimal_lr(accuracy)
    ratio = max(lr, best) / max(min(lr, best), 1e-12)
    if ratio < TOLERANCE:
        accuracy += rng.random() / ratio
    elif lr > best:
        accuracy -= (ratio - TOLERANCE) * rng.random()
    accuracy += rng.gauss(0.0, NOISE)
    return max(0.0, min(100.0, accuracy))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lr", type=float, default=0.0001)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--checkpoint", default="/var/log/katib/checkpoints/")
    opt = parser.parse_args()
    name = os.environ.get("KATIB_TRIAL_NAME", "")
    folder = Path(opt.checkpoint)
    ckpt = folder / "training.ckpt"
    state = {"accuracy": 0.0, "step": 1, "trials": []}
    if ckpt.is_file():
        state = json.loads(ckpt.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{name}:{state['step']}")
    accuracy = float(state["accuracy"])
    for _ in range(opt.epochs):
        accuracy = step(accuracy, opt.lr, rng)
    state = {
        "accuracy": accuracy,
        "step": int(state["step"]) + opt.epochs,
        "trials": [*state["trials"], name],
    }
    ckpt.write_text(json.dumps(state, indent=1) + "\n")
    print(f"epoch {state['step']}:")
    print(f"lr={opt.lr:0.4f}")
    print(f"Validation-accuracy={accuracy / 100:0.4f}")


if __name__ == "__main__":
    main()
