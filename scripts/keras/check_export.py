#!/usr/bin/env python3
"""Check dpflow's Keras export with real Keras.

For every `<model>.<generation>.json` in DIR (written by dpflow's KerasInterop tests when
DPFLOW_KERAS_EXPORT_DIR=DIR is set, or by `export: {keras: model}` in a pipeline) this script
rebuilds the model exactly as a user would:

    model = keras.models.model_from_json(open(json_path).read())
    model.set_weights(list(np.load(weights_path).values()))

and compares model.predict(x) with the predictions dpflow made on the same batch
(`<model>.<generation>.batch.npz`, arrays x and y). It passes when the largest absolute
difference is at most 1e-5 for every model. Files of the other Keras generation are skipped.

    /tmp/k2/bin/python scripts/keras/check_export.py DIR                 # Keras 2 (TF 2.15)
    KERAS_BACKEND=jax /tmp/k3/bin/python scripts/keras/check_export.py DIR   # Keras 3

A JSON file may also be named directly (a pipeline's `export: {keras: NAME}` writes NAME.json and
NAME.weights.npz). Without a NAME.batch.npz next to it, the model is loaded, given its weights and run
on a seeded batch of the input shape; the check then is that Keras rebuilds it, accepts every weight
array and predicts finite values of the expected batch size:

    KERAS_BACKEND=jax /tmp/k3/bin/python scripts/keras/check_export.py runs/digits_cnn/digits_cnn.json
"""
import argparse
import glob
import os
import sys

import numpy as np

TOLERANCE = 1e-5


def load_keras():
    try:
        from importlib.metadata import version
        keras_version = version("keras")
    except Exception:
        keras_version = "?"
    if keras_version.startswith("2."):
        import tensorflow as tf
        return tf.keras, "keras2", f"keras {keras_version} (tensorflow {tf.__version__})"
    import keras
    return keras, "keras3", f"keras {keras.__version__} (backend {keras.backend.backend()})"


def generation_of(json_text):
    """keras2 when the JSON records a 2.x keras_version (dpflow writes one for Keras 2), else keras3."""
    import json
    root = json.loads(json_text)
    version = root.get("keras_version", "")
    return "keras2" if version.startswith("2") else "keras3"


def check(keras, stem, json_path):
    """Returns (ok, message) for one model; stem + .weights.npz and optionally + .batch.npz beside it."""
    with open(json_path) as f:
        model = keras.models.model_from_json(f.read())
    weights = list(np.load(stem + ".weights.npz").values())
    model.set_weights(weights)
    name = os.path.basename(stem)
    if not os.path.exists(stem + ".batch.npz"):
        shape = [8] + [int(d) for d in model.input_shape[1:]]
        x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
        predicted = np.asarray(model.predict(x, verbose=0))
        ok = predicted.shape[0] == 8 and bool(np.all(np.isfinite(predicted)))
        return ok, (f"{name}: {len(weights)} weight arrays, input {tuple(shape[1:])}, "
                    f"predicted {predicted.shape} {'finite' if ok else 'NOT finite'} (no batch file: load check only)")
    batch = np.load(stem + ".batch.npz")
    predicted = np.asarray(model.predict(batch["x"], verbose=0))
    expected = batch["y"]
    if predicted.shape != expected.shape:
        return False, f"{name}: shape {predicted.shape} != {expected.shape}"
    diff = float(np.max(np.abs(predicted - expected))) if expected.size else 0.0
    return diff <= TOLERANCE, f"{name}: {len(weights)} weight arrays, max |keras - dpflow| = {diff:.3g}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="folders of <model>.<generation>.json files, or model JSON files")
    args = parser.parse_args()
    keras, generation, label = load_keras()
    print(f"checking with {label}, numpy {np.__version__}")
    models = []
    for path in args.paths:
        if os.path.isdir(path):
            found = sorted(glob.glob(os.path.join(path, f"*.{generation}.json")))
            if not found:
                print(f"no *.{generation}.json files in {path}")
            models += [(p[: -len(".json")], p) for p in found]
        else:
            with open(path) as f:
                written_for = generation_of(f.read())
            if written_for != generation:
                print(f"skip {os.path.basename(path)}: written for {written_for}")
                continue
            models.append((path[: -len(".json")], path))
    if not models:
        return 1
    failures = 0
    for stem, json_path in models:
        ok, message = check(keras, stem, json_path)
        failures += 0 if ok else 1
        print(f"{'ok  ' if ok else 'FAIL'} {message}")
    print(f"{len(models) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
