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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    args = parser.parse_args()
    keras, generation, label = load_keras()
    print(f"checking with {label}, numpy {np.__version__}")
    paths = sorted(glob.glob(os.path.join(args.directory, f"*.{generation}.json")))
    if not paths:
        print(f"no *.{generation}.json files in {args.directory}")
        return 1
    failures = 0
    for json_path in paths:
        stem = json_path[: -len(".json")]
        with open(json_path) as f:
            model = keras.models.model_from_json(f.read())
        weights = list(np.load(stem + ".weights.npz").values())
        model.set_weights(weights)
        batch = np.load(stem + ".batch.npz")
        predicted = np.asarray(model.predict(batch["x"], verbose=0))
        expected = batch["y"]
        if predicted.shape != expected.shape:
            print(f"FAIL {os.path.basename(stem)}: shape {predicted.shape} != {expected.shape}")
            failures += 1
            continue
        diff = float(np.max(np.abs(predicted - expected))) if expected.size else 0.0
        ok = diff <= TOLERANCE
        failures += 0 if ok else 1
        print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(stem)}: {len(weights)} weight arrays, "
              f"max |keras - dpflow| = {diff:.3g}")
    print(f"{len(paths) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
