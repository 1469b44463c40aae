"""A small, real learning task for the demo: a one-hidden-layer network, in numpy only,
classifying three interleaved spirals. Seeded, so the same parameters give the same numbers.

It prints one line per epoch in Katib's default StdOut format (`name=value`), which the
StdOut metrics collector reads:

    epoch=3 loss=0.8123 Train-accuracy=0.6610 Validation-accuracy=0.6533
"""

from __future__ import annotations

import argparse

import numpy as np


def spirals(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    per = n // 3
    xs, ys = [], []
    for k in range(3):
        r = np.linspace(0.05, 1.0, per)
        t = 2.5 * np.pi * r + k * 2 * np.pi / 3
        xs.append(np.c_[r * np.sin(t), r * np.cos(t)] + rng.normal(0, 0.04, (per, 2)))
        ys.append(np.full(per, k))
    return np.concatenate(xs), np.concatenate(ys)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--lr", type=float, required=True)
    p.add_argument("--hidden", type=int, required=True)
    p.add_argument("--l2", type=float, default=0.0)
    p.add_argument("--optimizer", choices=["sgd", "momentum"], default="sgd")
    p.add_argument("--epochs", type=int, default=24)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()

    rng = np.random.default_rng(a.seed)
    x, y = spirals(48000, rng)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    split = int(0.8 * len(x))
    xt, yt, xv, yv = x[:split], y[:split], x[split:], y[split:]

    w1 = rng.normal(0, 1.0, (2, a.hidden))
    b1 = np.zeros(a.hidden)
    w2 = rng.normal(0, 1.0 / np.sqrt(a.hidden), (a.hidden, 3))
    b2 = np.zeros(3)
    params = [w1, b1, w2, b2]
    velocity = [np.zeros_like(q) for q in params]
    beta = 0.9 if a.optimizer == "momentum" else 0.0

    def forward(inp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h = np.tanh(inp @ w1 + b1)
        z = h @ w2 + b2
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return h, e / e.sum(axis=1, keepdims=True)

    for epoch in range(1, a.epochs + 1):
        for i in range(0, split, 32):
            xb, yb = xt[i : i + 32], yt[i : i + 32]
            h, prob = forward(xb)
            d = prob.copy()
            d[np.arange(len(yb)), yb] -= 1
            d /= len(yb)
            dh = (d @ w2.T) * (1 - h**2)
            grads = [xb.T @ dh + a.l2 * w1, dh.sum(0), h.T @ d + a.l2 * w2, d.sum(0)]
            for q, v, g in zip(params, velocity, grads, strict=True):
                v *= beta  # noqa: PLW2901 — in place, on purpose
                v -= a.lr * g  # noqa: PLW2901 — in place, on purpose
                q += v  # noqa: PLW2901 — in place, on purpose
        _, pt = forward(xt)
        _, pv = forward(xv)
        loss = -np.log(pt[np.arange(len(yt)), yt] + 1e-12).mean()
        train_acc = (pt.argmax(1) == yt).mean()
        val_acc = (pv.argmax(1) == yv).mean()
        print(
            f"epoch={epoch} loss={loss:.4f} Train-accuracy={train_acc:.4f} "
            f"Validation-accuracy={val_acc:.4f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
