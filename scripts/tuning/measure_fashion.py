#!/usr/bin/env python3
"""Run a Fashion-MNIST pipeline N times (release build, a fresh ledger each) and print the test accuracy
(the DP release of the evaluate stage), the ε charged, and wall-clock and CPU time of each run, then mean and range.

    swift build -c release --product dpflow
    python3 scripts/tuning/measure_fashion.py pipelines/fashion_mnist_scattering.yaml --runs 3
    python3 scripts/tuning/measure_fashion.py pipelines/fashion_mnist.yaml --runs 3 --set epochs=20

`--set key=value` replaces the value of `key:` inside the train stage (e.g. epochs, batch_size, learning_rate,
l2_norm_clip, target_epsilon, recipe). CPU time (user + system, from /usr/bin/time) is the figure to compare on a
loaded machine; wall time is what a user waits for on an idle one.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rewrite(text, overrides):
    start = text.index("  - train:")
    end = text.index("  - predict:", start)
    train = text[start:end]
    for key, value in overrides.items():
        train, n = re.subn(rf"(\b{re.escape(key)}: )[^,}}\n]+", rf"\g<1>{value}", train)
        if n == 0:
            train = train.rstrip("\n") + f"\n      {key}: {value}\n"
    text = text[:start] + train + text[end:]
    return re.sub(r"budget: \{epsilon: [0-9.]+", "budget: {epsilon: 100", text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pipeline")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--set", action="append", default=[], help="override in the train stage, e.g. --set epochs=40")
    ap.add_argument("--dpflow", default=os.path.join(ROOT, ".build", "release", "dpflow"))
    ap.add_argument("--keep", help="folder to keep the run outputs in")
    args = ap.parse_args()
    overrides = dict(kv.split("=", 1) for kv in args.set)
    text = rewrite(open(args.pipeline).read(), overrides)
    accs, eps, walls, cpus = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or tmp
        os.makedirs(base, exist_ok=True)
        path = os.path.join(base, "pipeline.yaml")
        with open(path, "w") as f:
            f.write(text)
        for i in range(args.runs):
            out, ledger = os.path.join(base, f"run{i}"), os.path.join(base, f"ledger{i}.sqlite")
            subprocess.run([args.dpflow, "ledger", "init", "--ledger", ledger], capture_output=True, check=True)
            timing = os.path.join(base, f"time{i}.txt")
            r = subprocess.run(["/usr/bin/time", "-f", "%e %U %S", "-o", timing, args.dpflow, "run", path,
                                "--output", out, "--ledger", ledger, "--quiet"], capture_output=True, text=True)
            if r.returncode != 0:
                print(r.stdout, r.stderr, file=sys.stderr)
                sys.exit(1)
            wall, user, system = map(float, open(timing).read().split()[-3:])
            rep = json.load(open(os.path.join(out, "report.json")))
            accs.append(rep["metrics"]["accuracy"]["value"])
            eps.append(rep["privacy"]["epsilon"])
            walls.append(wall)
            cpus.append(user + system)
            print(f"run {i + 1}: accuracy {100 * accs[-1]:.2f} %, ε charged {eps[-1]:.3f}, wall {wall:.0f} s, CPU {user + system:.0f} s",
                  flush=True)
    label = os.path.basename(args.pipeline) + "".join(f" {k}={v}" for k, v in overrides.items())
    print(f"{label}: accuracy mean {100 * statistics.mean(accs):.2f} % (range {100 * min(accs):.2f}–{100 * max(accs):.2f}, "
          f"{len(accs)} runs), ε charged {max(eps):.3f} (δ = 1e-5), wall mean {statistics.mean(walls):.0f} s "
          f"(range {min(walls):.0f}–{max(walls):.0f}), CPU mean {statistics.mean(cpus):.0f} s")


if __name__ == "__main__":
    main()
