#!/usr/bin/env python3
"""Measure test accuracy of the example pipelines at a given total ε, with and without recipes or tune.

Rewrites the train stage of pipelines/<name>.yaml (everything else unchanged: schema, split, exact test
evaluation), runs `dpflow run` (release build) N times with a fresh ledger each, and prints mean / min / max
of the test accuracy and the ε charged. Usage:

    swift build -c release --product dpflow
    python3 scripts/tuning/measure.py breast_cancer --epsilon 1 --runs 5 [--recipe] [--tune]
    python3 scripts/tuning/measure.py digits --epsilon 1 --runs 5 --recipe

The configurations are the ones in docs/tuning.md ("Measured"); edit CONFIGS to try others.
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

CONFIGS = {
    # Public facts: the number of rows of each data set is declared (privacy.public_size).
    "breast_cancer": dict(public_size=569, model="""        - dense: {units: 16, activation: relu}
        - dense: {units: 1, activation: sigmoid}""", loss="binary_crossentropy", lr=0.02, batch=64, epochs=30, clip=1.0,
                          tune="""        trials: {distribution: geometric, mean: 3}
        score_noise: 8
        learning_rate: {log_range: [0.005, 0.05]}
        epochs: [20, 30]"""),
    "digits": dict(public_size=1797, model="""        - dense: {units: 64, activation: tanh}
        - dense: {units: 10, activation: softmax}""", loss="sparse_categorical_crossentropy", lr=0.02, batch=512, epochs=60,
                   clip=1.0, tune="""        trials: {distribution: geometric, mean: 3}
        score_noise: 8
        learning_rate: {log_range: [0.01, 0.04]}
        epochs: [40, 60]"""),
}


def pipeline_text(name, epsilon, recipe, tune, overrides):
    c = dict(CONFIGS[name]); c.update(overrides)
    text = open(os.path.join(ROOT, "pipelines", name + ".yaml")).read()
    text = text.replace("csv: data/", "csv: " + os.path.join(ROOT, "pipelines", "data") + "/")
    text = re.sub(r"budget: \{epsilon: [0-9.]+", "budget: {epsilon: 100", text)
    if not re.search(r"^  public_size:", text, re.M):
        text = text.replace("  budget:", f"  public_size: {c['public_size']}\n  budget:", 1)
    train = f"""  - train:
      model:
{c['model']}
      loss: {c['loss']}
      optimizer: {{adam: {{learning_rate: {c['lr']}}}}}
      l2_norm_clip: {c['clip']}
      target_epsilon: {epsilon}
      batch_size: {c['batch']}
      epochs: {c['epochs']}
      feature_range: symmetric
"""
    if recipe:
        train += f"      recipe: {recipe}\n"
    if tune:
        train += "      tune:\n" + c["tune"] + "\n"
    start, end = text.index("  - train:"), text.index("  - predict:")
    return text[:start] + train + text[end:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name", choices=sorted(CONFIGS))
    ap.add_argument("--epsilon", type=float, required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--recipe", nargs="?", const="dp_defaults", default=None)
    ap.add_argument("--tune", action="store_true")
    ap.add_argument("--set", action="append", default=[], help="override, e.g. --set lr=0.01 --set batch=128")
    ap.add_argument("--dpflow", default=os.path.join(ROOT, ".build", "release", "dpflow"))
    args = ap.parse_args()
    overrides = {}
    for kv in args.set:
        k, v = kv.split("=", 1)
        overrides[k] = type(CONFIGS[args.name][k])(v)
    accs, eps = [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "pipeline.yaml")
        with open(path, "w") as f:
            f.write(pipeline_text(args.name, args.epsilon, args.recipe, args.tune, overrides))
        for i in range(args.runs):
            out, ledger = os.path.join(tmp, f"run{i}"), os.path.join(tmp, f"ledger{i}.sqlite")
            subprocess.run([args.dpflow, "ledger", "init", "--ledger", ledger], capture_output=True, check=True)
            r = subprocess.run([args.dpflow, "run", path, "--output", out, "--ledger", ledger,
                                "--quiet"], capture_output=True, text=True, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
            if r.returncode != 0:
                print(r.stdout, r.stderr, file=sys.stderr)
                sys.exit(1)
            rep = json.load(open(os.path.join(out, "report.json")))
            accs.append(rep["metrics"]["accuracy"]["value"])
            eps.append(rep["privacy"]["epsilon"])
    label = f"{args.name} ε={args.epsilon}" + (f" recipe={args.recipe}" if args.recipe else "") + (" tune" if args.tune else "") \
        + ("".join(f" {k}={v}" for k, v in overrides.items()))
    print(f"{label}: accuracy mean {100 * statistics.mean(accs):.1f} % (range {100 * min(accs):.1f}–{100 * max(accs):.1f}, "
          f"{len(accs)} runs), total ε charged {max(eps):.3f}")


if __name__ == "__main__":
    main()
