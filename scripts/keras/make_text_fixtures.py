#!/usr/bin/env python3
"""Write the Keras fixtures of Sequential *text* models that Tests/KerasInteropTests compare
dpflow against (Embedding with mask_zero, GRU, LSTM, Bidirectional, Conv1D,
GlobalAveragePooling1D).

Run once per Keras generation, each in its own throwaway virtual environment:

    KERAS_BACKEND=jax /tmp/k3/bin/python scripts/keras/make_text_fixtures.py --generation keras3
    /tmp/k2/bin/python scripts/keras/make_text_fixtures.py --generation keras2   # TF 2.15 (Keras 2)

For every model it writes, under Tests/KerasInteropTests/Fixtures/<generation>/:
    <model>.json         model.to_json()
    <model>.weights.npz  numpy.savez(path, *model.get_weights())
    <model>.batch.npz    x: token ids as float32, padded with 0 (also inside), y: model.predict(x)
and text_provenance.json. Weights come from a seeded NumPy generator, as in make_fixtures.py.
"""
import argparse
import json
import os
import platform

import numpy as np

from make_fixtures import FIXTURES, import_keras

SEED = 20261203
BATCH = 6
STEPS = 8
VOCABULARY = 30


def models(keras):
    L = keras.layers
    yield "text_gru", keras.Sequential([
        keras.Input(shape=(STEPS,)),
        L.Embedding(VOCABULARY, 4, mask_zero=True),
        L.GRU(5),
        L.Dense(2, activation="softmax"),
    ], name="text_gru")
    yield "text_bilstm", keras.Sequential([
        keras.Input(shape=(STEPS,)),
        L.Embedding(VOCABULARY, 4, mask_zero=True),
        L.Bidirectional(L.LSTM(3, return_sequences=True)),
        L.GlobalAveragePooling1D(),
        L.Dense(1, activation="sigmoid"),
    ], name="text_bilstm")
    yield "text_conv", keras.Sequential([
        keras.Input(shape=(STEPS,)),
        L.Embedding(VOCABULARY, 4),
        L.Conv1D(3, 3, activation="relu"),
        L.GlobalAveragePooling1D(),
        L.Dense(2),
    ], name="text_conv")
    yield "text_bigru_lstm", keras.Sequential([
        keras.Input(shape=(STEPS,)),
        L.Embedding(VOCABULARY, 4, mask_zero=True),
        L.Bidirectional(L.GRU(2, return_sequences=True)),
        L.LSTM(3),
        L.Dense(2),
    ], name="text_bigru_lstm")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--generation", choices=["keras2", "keras3"], required=True)
    args = p.parse_args()
    keras, versions = import_keras(args.generation)
    out = os.path.join(FIXTURES, args.generation)
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(SEED)
    written = []
    for name, model in models(keras):
        weights = [rng.normal(0.0, 0.5, w.shape).astype(np.float32) for w in model.get_weights()]
        model.set_weights(weights)
        x = rng.integers(1, VOCABULARY, [BATCH, STEPS])
        for b in range(BATCH):              # trailing padding of different lengths, one inner 0
            x[b, STEPS - b:] = 0
        x[1, 2] = 0
        x = x.astype(np.float32)
        y = np.asarray(model.predict(x, verbose=0), dtype=np.float32)
        with open(os.path.join(out, name + ".json"), "w") as f:
            f.write(model.to_json())
        np.savez(os.path.join(out, name + ".weights.npz"), *model.get_weights())
        np.savez(os.path.join(out, name + ".batch.npz"), x=x, y=y)
        written.append(name)
    provenance = {"generation": args.generation, "script": "scripts/keras/make_text_fixtures.py", "seed": SEED,
                  "python": platform.python_version(), "numpy": np.__version__, "models": written, **versions}
    with open(os.path.join(out, "text_provenance.json"), "w") as f:
        json.dump(provenance, f, indent=2, sort_keys=True)
        f.write("\n")
    print(json.dumps(provenance, sort_keys=True))


if __name__ == "__main__":
    main()
