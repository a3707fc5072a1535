#!/usr/bin/env python3
"""Write the Keras fixtures that Tests/KerasInteropTests compare dpflow against.

Run once per Keras generation, each in its own throwaway virtual environment
(see docs/keras.md):

    KERAS_BACKEND=jax /tmp/k3/bin/python scripts/keras/make_fixtures.py --generation keras3
    /tmp/k2/bin/python scripts/keras/make_fixtures.py --generation keras2   # TF 2.15 (Keras 2)

For every model it writes, under Tests/KerasInteropTests/Fixtures/<generation>/:
    <model>.json         model.to_json()
    <model>.weights.npz  numpy.savez(path, *model.get_weights())
    <model>.batch.npz    x: a test batch (float32), y: model.predict(x) (float32)
and provenance.json naming the package versions that produced the files.
With --numpy it also writes small .npy/.npz files that exercise the NumPy
format corners (dtypes, header versions, Fortran order, compression) under
Fixtures/numpy/.

Weights are drawn from a seeded NumPy generator (not the Keras initialisers),
so both generations hold the same numbers and the biases are non-zero.
"""
import argparse
import json
import os
import platform
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "KerasInteropTests", "Fixtures")
SEED = 20261123
BATCH = 8


def import_keras(generation):
    if generation == "keras2":
        import tensorflow as tf  # TF <= 2.15 bundles Keras 2 as tf.keras
        from importlib.metadata import version
        keras_version = version("keras")
        if not keras_version.startswith("2."):
            sys.exit(f"keras is {keras_version}, expected Keras 2")
        return tf.keras, {"tensorflow": tf.__version__, "keras": keras_version}
    import keras
    if not keras.__version__.startswith("3."):
        sys.exit(f"keras is {keras.__version__}, expected Keras 3")
    versions = {"keras": keras.__version__, "backend": keras.backend.backend()}
    try:
        import jax
        versions["jax"] = jax.__version__
    except ImportError:
        pass
    return keras, versions


def input_layer(keras, generation, batch_shape):
    """An explicit InputLayer spelled the way each generation spells it."""
    if generation == "keras2":
        return keras.layers.InputLayer(batch_input_shape=tuple(batch_shape))
    return keras.layers.InputLayer(batch_shape=tuple(batch_shape))


def models(keras, generation):
    L = keras.layers
    yield "mlp_softmax", [30], keras.Sequential([
        keras.Input(shape=(30,)),
        L.Dense(16, activation="relu"),
        L.Dropout(0.25),
        L.Dense(3, activation="softmax"),
    ], name="mlp_softmax")
    # First layer carries input_shape (Keras 3 warns but still accepts it).
    yield "binary_sigmoid", [30], keras.Sequential([
        L.Dense(8, activation="tanh", input_shape=(30,)),
        L.Dense(1, activation="sigmoid"),
    ], name="binary_sigmoid")
    # Explicit InputLayer with a batch shape; Flatten; Activation layers; a Dense without bias.
    yield "flatten_activation", [4, 5], keras.Sequential([
        input_layer(keras, generation, [None, 4, 5]),
        L.Flatten(),
        L.Dense(6, use_bias=False),
        L.Activation("relu"),
        L.Dense(2, kernel_initializer="he_normal"),
        L.Activation("sigmoid"),
    ], name="flatten_activation")
    yield "layer_norm", [10], keras.Sequential([
        keras.Input(shape=(10,)),
        L.Dense(12, activation="gelu" if generation == "keras3" else "elu"),
        L.LayerNormalization(epsilon=1e-3),
        L.Dense(4, activation="linear"),
    ], name="layer_norm")
    # Softmax as a separate Activation layer after a linear Dense (appended last so the
    # seeded weights of the models above stay as they were).
    yield "dense_softmax", [7], keras.Sequential([
        keras.Input(shape=(7,)),
        L.Dense(5, activation="relu"),
        L.Dense(3),
        L.Activation("softmax"),
    ], name="dense_softmax")
    # Token indices (stored as float32, as dpflow feeds them) → Embedding → Flatten → Dense.
    yield "embedding_tokens", [6], keras.Sequential([
        keras.Input(shape=(6,)),
        L.Embedding(20, 4),
        L.Flatten(),
        L.Dense(2, activation="softmax"),
    ], name="embedding_tokens")


def image_models(keras, generation):
    """Convolution, pooling, Reshape and GroupNormalization models (issue 9), channels-last.

    Their weights and batches come from a generator of their own (IMAGE_SEED), so adding them left the
    fixtures of the models above unchanged."""
    L = keras.layers
    # The TF Privacy tutorial CNN in small: an image InputLayer with a batch shape, Conv2D same/valid with
    # strides, MaxPooling2D with stride 1, Flatten, Dense.
    yield "cnn_small", [12, 12, 1], keras.Sequential([
        input_layer(keras, generation, [None, 12, 12, 1]),
        L.Conv2D(8, 4, strides=2, padding="same", activation="relu"),
        L.MaxPooling2D(2, strides=1),
        L.Conv2D(6, 3, strides=2, padding="valid", activation="relu"),
        L.MaxPooling2D(2, strides=1),
        L.Flatten(),
        L.Dense(10, activation="softmax"),
    ], name="cnn_small")
    # Dilation, a non-square kernel without bias, GroupNormalization, average pooling with same padding and
    # uneven strides, global max pooling.
    yield "conv2d_groupnorm", [9, 9, 3], keras.Sequential([
        keras.Input(shape=(9, 9, 3)),
        L.Conv2D(8, (3, 2), dilation_rate=(2, 1), padding="same", use_bias=False),
        L.GroupNormalization(groups=4, epsilon=1e-3),
        L.Activation("tanh"),
        L.AveragePooling2D(pool_size=(2, 3), strides=(2, 2), padding="same"),
        L.GlobalMaxPooling2D(),
        L.Dense(2, activation="sigmoid"),
    ], name="conv2d_groupnorm")
    # Sequences [T, C]: Conv1D with strides and dilation, 1-D pooling, global average pooling.
    yield "conv1d_sequence", [16, 3], keras.Sequential([
        keras.Input(shape=(16, 3)),
        L.Conv1D(5, 3, strides=2, padding="same", activation="elu"),
        L.MaxPooling1D(2, padding="same"),
        L.Conv1D(4, 2, dilation_rate=2, padding="valid", activation="tanh"),
        L.AveragePooling1D(2),
        L.GlobalAveragePooling1D(),
        L.Dense(3, activation="softmax"),
    ], name="conv1d_sequence")
    # Flat features given an image shape by Reshape; GroupNormalization without beta and without gamma
    # (weight order gamma, beta with one missing); Reshape with -1 to a sequence; global max pooling 1-D,
    # global average pooling after an average pool 2-D.
    yield "reshape_groupnorm", [48], keras.Sequential([
        keras.Input(shape=(48,)),
        L.Reshape((4, 4, 3)),
        L.GroupNormalization(groups=3, center=False, epsilon=1e-5),
        L.Conv2D(6, 2, padding="valid", activation="relu"),
        L.GroupNormalization(groups=1, scale=False),
        L.Reshape((-1, 6)),
        L.GlobalMaxPooling1D(),
        L.Dense(4),
    ], name="reshape_groupnorm")
    yield "pool_stack", [10, 8, 2], keras.Sequential([
        keras.Input(shape=(10, 8, 2)),
        L.AveragePooling2D(2),
        L.Conv2D(3, (2, 2), strides=(2, 1), padding="same", activation="sigmoid"),
        L.MaxPooling2D((3, 2), strides=(1, 2), padding="same"),
        L.GlobalAveragePooling2D(),
        L.Dense(2, activation="softmax"),
    ], name="pool_stack")


IMAGE_SEED = 20261203


def write_models(generation):
    keras, versions = import_keras(generation)
    out = os.path.join(FIXTURES, generation)
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(SEED)
    written = []
    for name, input_shape, model in models(keras, generation):
        weights = [rng.normal(0.0, 0.5, w.shape).astype(np.float32) for w in model.get_weights()]
        model.set_weights(weights)
        if name == "embedding_tokens":
            x = rng.integers(0, 20, [BATCH] + input_shape).astype(np.float32)
        else:
            x = rng.normal(0.0, 1.0, [BATCH] + input_shape).astype(np.float32)
        y = np.asarray(model.predict(x, verbose=0), dtype=np.float32)
        with open(os.path.join(out, name + ".json"), "w") as f:
            f.write(model.to_json())
        np.savez(os.path.join(out, name + ".weights.npz"), *model.get_weights())
        np.savez(os.path.join(out, name + ".batch.npz"), x=x, y=y)
        written.append(name)
    rng = np.random.default_rng(IMAGE_SEED)
    for name, input_shape, model in image_models(keras, generation):
        weights = [rng.normal(0.0, 0.5, w.shape).astype(np.float32) for w in model.get_weights()]
        model.set_weights(weights)
        x = rng.normal(0.0, 1.0, [BATCH] + input_shape).astype(np.float32)
        y = np.asarray(model.predict(x, verbose=0), dtype=np.float32)
        with open(os.path.join(out, name + ".json"), "w") as f:
            f.write(model.to_json())
        np.savez(os.path.join(out, name + ".weights.npz"), *model.get_weights())
        np.savez(os.path.join(out, name + ".batch.npz"), x=x, y=y)
        written.append(name)
    provenance = {
        "generation": generation,
        "script": "scripts/keras/make_fixtures.py",
        "seed": SEED,
        "image_seed": IMAGE_SEED,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "models": written,
        **versions,
    }
    with open(os.path.join(out, "provenance.json"), "w") as f:
        json.dump(provenance, f, indent=2, sort_keys=True)
        f.write("\n")
    print(json.dumps(provenance, sort_keys=True))


def write_numpy_corners():
    out = os.path.join(FIXTURES, "numpy")
    os.makedirs(out, exist_ok=True)
    a = np.arange(12, dtype=np.float32).reshape(3, 4) / 8.0 - 0.5
    np.save(os.path.join(out, "f4_3x4.npy"), a)
    np.save(os.path.join(out, "f8_3x4.npy"), a.astype(np.float64))
    np.save(os.path.join(out, "i8_5.npy"), np.arange(-2, 3, dtype=np.int64))
    np.save(os.path.join(out, "i4_2x2.npy"), np.array([[1, -2], [3, -4]], dtype=np.int32))
    np.save(os.path.join(out, "be_f4_3x4.npy"), a.astype(">f4"))
    np.save(os.path.join(out, "scalar_f4.npy"), np.float32(2.5))
    np.save(os.path.join(out, "empty_0x3.npy"), np.zeros((0, 3), dtype=np.float32))
    np.save(os.path.join(out, "fortran_3x4.npy"), np.asfortranarray(a))
    np.save(os.path.join(out, "u1_4.npy"), np.array([0, 1, 2, 255], dtype=np.uint8))
    with open(os.path.join(out, "v2_f4_3x4.npy"), "wb") as f:
        np.lib.format.write_array(f, a, version=(2, 0))
    np.savez_compressed(os.path.join(out, "compressed.npz"), a, np.ascontiguousarray(a.astype(np.float64).T))
    np.savez(os.path.join(out, "named.npz"), zeta=a[0], alpha=a)
    many = [np.full((i + 1,), i, dtype=np.float32) for i in range(12)]
    np.savez(os.path.join(out, "twelve.npz"), *many)
    with open(os.path.join(out, "provenance.json"), "w") as f:
        json.dump({"script": "scripts/keras/make_fixtures.py --numpy",
                   "python": platform.python_version(), "numpy": np.__version__},
                  f, indent=2, sort_keys=True)
        f.write("\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--generation", choices=["keras2", "keras3"])
    p.add_argument("--numpy", action="store_true", help="also write NumPy format corner cases")
    args = p.parse_args()
    if args.numpy:
        write_numpy_corners()
    if args.generation:
        write_models(args.generation)


if __name__ == "__main__":
    main()
