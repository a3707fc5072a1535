#!/usr/bin/env python3
"""Cross-check of the Fashion-MNIST scattering recipe outside dpflow: DP-SGD (Poisson sampling, per-example clipping,
Gaussian noise on the sum, divided by the expected batch size) of GroupNorm(27 groups, no affine) → linear softmax on
precomputed scattering features, with NumPy only. σ is calibrated to the target ε by RDP of the Poisson-subsampled
Gaussian over integer orders 2…256 (a slightly looser bound than dpflow's, which adds fractional orders, so σ here is
a little larger). Not private as run here (NumPy's generator); it only checks the hyperparameters.

    python3 scripts/tuning/scattering_dpsgd_numpy.py FEATURES_DIR --batch 8192 --epochs 60 --lr 4 --clip 0.1

FEATURES_DIR holds train.feat / test.feat (float32 [N, 7·7·81], HWC, from ScatteringTransform) and
train-labels-idx1-ubyte.u8 / t10k-labels-idx1-ubyte.u8 (raw label bytes).
"""
import argparse
import math
import os

import numpy as np


def log_add(a, b):
    m = max(a, b)
    return m + math.log(math.exp(a - m) + math.exp(b - m))


def rdp_poisson_gaussian(q, sigma, alpha):
    # A_α = Σ_i C(α,i) q^i (1−q)^{α−i} exp((i²−i)/(2σ²)), integer α, in log space.
    total = -math.inf
    for i in range(alpha + 1):
        term = (math.lgamma(alpha + 1) - math.lgamma(i + 1) - math.lgamma(alpha - i + 1)
                + (i * math.log(q) if i else 0) + ((alpha - i) * math.log(1 - q) if alpha - i else 0)
                + (i * i - i) / (2 * sigma * sigma))
        total = log_add(total, term)
    return total / (alpha - 1)


def epsilon(q, sigma, steps, delta):
    best = math.inf
    for alpha in list(range(2, 64)) + [128, 256]:
        r = steps * rdp_poisson_gaussian(q, sigma, alpha)
        eps = r + math.log1p(-1 / alpha) - math.log(delta * alpha) / (alpha - 1)
        best = min(best, eps)
    return max(0.0, best)


def calibrate(q, steps, target, delta):
    lo, hi = 0.3, 50.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if epsilon(q, mid, steps, delta) > target:
            lo = mid
        else:
            hi = mid
    return hi


def group_norm(x, groups=27, eps=1e-5):
    n = x.shape[0]
    g = x.reshape(n, 49, groups, 81 // groups)
    mean = g.mean(axis=(1, 3), keepdims=True)
    var = g.var(axis=(1, 3), keepdims=True)
    return ((g - mean) / np.sqrt(var + eps)).reshape(n, -1).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--batch", type=int, default=8192)
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--lr", type=float, default=4.0)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--clip", type=float, default=0.1)
    ap.add_argument("--epsilon", type=float, default=3.0)
    ap.add_argument("--ema", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    d = args.dir
    xtr = group_norm(np.fromfile(os.path.join(d, "train.feat"), dtype=np.float32).reshape(-1, 3969))
    xte = group_norm(np.fromfile(os.path.join(d, "test.feat"), dtype=np.float32).reshape(-1, 3969))
    ytr = np.fromfile(os.path.join(d, "train-labels-idx1-ubyte.u8"), dtype=np.uint8).astype(int)
    yte = np.fromfile(os.path.join(d, "t10k-labels-idx1-ubyte.u8"), dtype=np.uint8).astype(int)
    n = xtr.shape[0]
    q = args.batch / n
    steps = math.ceil(args.epochs * n / args.batch)
    sigma = calibrate(q, steps, args.epsilon, 1e-5)
    print(f"q {q:.4f}, steps {steps}, sigma {sigma:.3f}, eps {epsilon(q, sigma, steps, 1e-5):.3f}", flush=True)
    rng = np.random.default_rng(args.seed)
    w = np.zeros((3969, 10), np.float32); b = np.zeros(10, np.float32)
    vw = np.zeros_like(w); vb = np.zeros_like(b)
    ew, eb = w.copy(), b.copy()
    for t in range(steps):
        idx = np.nonzero(rng.random(n) < q)[0]
        x, y = xtr[idx], ytr[idx]
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z); p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        norms = np.sqrt((p * p).sum(1) * ((x * x).sum(1) + 1))
        c = np.minimum(1, args.clip / np.maximum(norms, 1e-12)).astype(np.float32)
        gw = x.T @ (p * c[:, None]) + rng.normal(0, sigma * args.clip, w.shape)
        gb = (p * c[:, None]).sum(0) + rng.normal(0, sigma * args.clip, b.shape)
        gw /= args.batch; gb /= args.batch
        vw = args.momentum * vw + gw; vb = args.momentum * vb + gb
        w -= args.lr * vw; b -= args.lr * vb
        if args.ema:
            beta = min(args.ema, (1 + t) / (10 + t))
            ew = beta * ew + (1 - beta) * w; eb = beta * eb + (1 - beta) * b
        if (t + 1) % 50 == 0 or t + 1 == steps:
            acc = ((xte @ w + b).argmax(1) == yte).mean()
            eacc = ((xte @ ew + eb).argmax(1) == yte).mean() if args.ema else float("nan")
            print(f"step {t + 1}: test accuracy {100 * acc:.2f} % (EMA {100 * eacc:.2f} %)", flush=True)


if __name__ == "__main__":
    main()
