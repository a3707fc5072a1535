#!/usr/bin/env python3
"""Write a small Keras model for a pipeline's `train: {model: {keras_json:, weights:}}`.

The model fits the shipped breast-cancer data (30 feature columns, binary label):
Input(30) → Dense(16, relu) → Dense(1, sigmoid), with Keras' own seeded initial weights
(no data involved). It writes <out>/local_model.json and <out>/weights.npz.

    KERAS_BACKEND=jax /tmp/k3/bin/python scripts/keras/make_example_model.py pipelines/keras
    /tmp/k2/bin/python scripts/keras/make_example_model.py --features 64 --classes 10 DIR
"""
import argparse
import os

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--features", type=int, default=30)
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--classes", type=int, default=1, help="1: sigmoid output; >1: softmax over classes")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    try:
        from importlib.metadata import version
        generation2 = version("keras").startswith("2.")
    except Exception:
        generation2 = False
    if generation2:
        import tensorflow as tf
        keras = tf.keras
        tf.random.set_seed(args.seed)
    else:
        import keras
        keras.utils.set_random_seed(args.seed)
    out_activation = "sigmoid" if args.classes == 1 else "softmax"
    model = keras.Sequential([
        keras.Input(shape=(args.features,)),
        keras.layers.Dense(args.hidden, activation="relu"),
        keras.layers.Dense(args.classes, activation=out_activation),
    ], name="local_model")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "local_model.json"), "w") as f:
        f.write(model.to_json())
    np.savez(os.path.join(args.out, "weights.npz"), *model.get_weights())
    print(f"wrote {args.out}/local_model.json and weights.npz ({model.count_params()} parameters)")


if __name__ == "__main__":
    main()
