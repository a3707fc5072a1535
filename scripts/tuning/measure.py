#!/usr/bin/env python3
"""Measure test accuracy of the shipped example pipelines at a given total ε, with or without recipes or tune.

Takes pipelines/<name>.yaml AS SHIPPED (model, optimizer, batch size, epochs, recipe, schema, split, exact test
evaluation) and changes only what the measurement needs: the train stage's σ (`noise_multiplier` or
`target_epsilon`) becomes `target_epsilon: <ε>`, the grant is raised so that repeated runs fit, the data set's
public number of rows is declared (`privacy.public_size`, a public fact of these data sets) when the file has
none, and optionally `recipe:` is overridden or a `tune:` block added. Runs `dpflow run` (release build) N times,
each with a fresh ledger, and prints mean / min / max of the test accuracy and the ε charged. Usage:

    swift build -c release --product dpflow
    python3 scripts/tuning/measure.py digits --epsilon 1 --runs 10                    # the shipped defaults
    python3 scripts/tuning/measure.py digits --epsilon 1 --runs 10 --recipe none      # without the recipes
    python3 scripts/tuning/measure.py digits --epsilon 1 --runs 10 --tune             # + private search (whole ε)
    python3 scripts/tuning/measure.py digits --epsilon 1 --set batch_size=256 --set epochs=40   # try other keys

The table in docs/tuning.md ("Measured") is made with these commands.
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

# Public facts of the shipped data sets (number of rows), declared when the pipeline has no public_size.
PUBLIC_SIZE = {"breast_cancer": 569, "digits": 1797, "digits_cnn": 1797}

# The search space `--tune` adds (the stage's own keys are the defaults of every axis not listed).
TUNE = {
    "breast_cancer": """        trials: {distribution: geometric, mean: 3}
        score_noise: 8
        learning_rate: {log_range: [0.005, 0.05]}
        epochs: [20, 30]""",
    "digits": """        trials: {distribution: geometric, mean: 3}
        score_noise: 8
        learning_rate: {log_range: [0.01, 0.04]}
        epochs: [40, 60]""",
}
TUNE["digits_cnn"] = TUNE["digits"]


def pipeline_text(name, epsilon, recipe, tune, overrides):
    text = open(os.path.join(ROOT, "pipelines", name + ".yaml")).read()
    text = text.replace("csv: data/", "csv: " + os.path.join(ROOT, "pipelines", "data") + "/")
    text = re.sub(r"budget: \{epsilon: [0-9.]+", "budget: {epsilon: 100", text)
    if not re.search(r"^  public_size:", text, re.M):
        text = text.replace("  budget:", f"  public_size: {PUBLIC_SIZE[name]}\n  budget:", 1)
    start, end = text.index("  - train:"), text.index("  - predict:")
    train = text[start:end]
    train, n = re.subn(r"^(      )(noise_multiplier|target_epsilon): [^\n]*$", rf"\g<1>target_epsilon: {epsilon}", train, flags=re.M)
    if n != 1:
        sys.exit("the train stage has no single noise_multiplier / target_epsilon line")
    for key, value in overrides.items():
        train, n = re.subn(rf"^(      ){re.escape(key)}: [^\n]*$", rf"\g<1>{key}: {value}", train, flags=re.M)
        if n == 0:
            train = train.rstrip("\n") + f"\n      {key}: {value}\n"
    if recipe is not None:
        train = re.sub(r"^      recipe: [^\n]*\n", "", train, flags=re.M).rstrip("\n") + f"\n      recipe: {recipe}\n"
    if tune:
        train = train.rstrip("\n") + "\n      tune:\n" + TUNE[name] + "\n"
    return text[:start] + train + text[end:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name", choices=sorted(PUBLIC_SIZE))
    ap.add_argument("--epsilon", type=float, required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--recipe", default=None, help="override the shipped recipe (none | dp_defaults)")
    ap.add_argument("--tune", action="store_true")
    ap.add_argument("--set", action="append", default=[], help="override a train key, e.g. --set batch_size=128")
    ap.add_argument("--show", action="store_true", help="print the measured pipeline and exit")
    ap.add_argument("--dpflow", default=os.path.join(ROOT, ".build", "release", "dpflow"))
    args = ap.parse_args()
    overrides = dict(kv.split("=", 1) for kv in args.set)
    text = pipeline_text(args.name, args.epsilon, args.recipe, args.tune, overrides)
    if args.show:
        print(text)
        return
    accs, eps = [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "pipeline.yaml")
        with open(path, "w") as f:
            f.write(text)
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
    label = f"{args.name} ε={args.epsilon}" + (f" recipe={args.recipe}" if args.recipe else " (shipped recipe)") \
        + (" tune" if args.tune else "") + "".join(f" {k}={v}" for k, v in overrides.items())
    print(f"{label}: accuracy mean {100 * statistics.mean(accs):.1f} % (range {100 * min(accs):.1f}–{100 * max(accs):.1f}, "
          f"{len(accs)} runs), total ε charged {max(eps):.3f}", flush=True)


if __name__ == "__main__":
    main()
