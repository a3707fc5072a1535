#!/usr/bin/env python3
"""Reference numbers for Tests/PrivateLearningTests/PluginLossTests.swift and
PluginOptimizerTests.swift, computed with real Keras 3 (float32).

    KERAS_BACKEND=jax /tmp/k3/bin/python scripts/plugins/reference_values.py

Prints per-example losses (reduction=None) for fixed small inputs, and the parameter vector
after each of three optimizer steps on a fixed gradient sequence. The Swift tests copy these
numbers; tolerances there are float32 rounding (rtol 1e-5..1e-4).
"""
import numpy as np
import keras



def show(name, values):
    flat = np.asarray(values, dtype=np.float64).ravel()
    print(f"{name}: [" + ", ".join(f"{v:.9g}" for v in flat) + "]")


# ---- losses -----------------------------------------------------------------------------
probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.2, 0.2, 0.1], [0.0, 0.5, 0.5]], np.float32)
onehot = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]], np.float32)
labels = np.array([0, 1, 2, 0], np.float32)
logits = np.array([[2, -1, 0.5], [0, 0, 0], [-3, 4, 1], [10, -10, 0]], np.float32)

show("categorical probs", keras.losses.CategoricalCrossentropy(reduction=None)(onehot, probs))
show("categorical probs smoothing 0.1",
     keras.losses.CategoricalCrossentropy(label_smoothing=0.1, reduction=None)(onehot, probs))
show("categorical logits", keras.losses.CategoricalCrossentropy(from_logits=True, reduction=None)(onehot, logits))
show("sparse probs", keras.losses.SparseCategoricalCrossentropy(reduction=None)(labels, probs))
show("sparse logits", keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)(labels, logits))

pred = np.array([[0.5, 2.0], [-1.0, 3.0], [0.25, -0.75]], np.float32)
targ = np.array([[0.0, 0.0], [0.0, 0.5], [0.0, 0.0]], np.float32)
show("mae", keras.losses.MeanAbsoluteError(reduction=None)(targ, pred))
show("huber delta 1", keras.losses.Huber(reduction=None)(targ, pred))
show("huber delta 0.5", keras.losses.Huber(delta=0.5, reduction=None)(targ, pred))

# ---- optimizers -------------------------------------------------------------------------
w0 = np.array([1.0, -2.0, 0.5], np.float32)
grads = [np.array([0.1, -0.2, 0.3], np.float32),
         np.array([-0.5, 0.4, 0.0], np.float32),
         np.array([0.2, 0.2, -0.1], np.float32)]


def run(name, opt):
    v = keras.Variable(w0)
    for k, g in enumerate(grads):
        opt.apply_gradients([(keras.ops.convert_to_tensor(g), v)])
        show(f"{name} step {k + 1}", keras.ops.convert_to_numpy(v))


run("adamw lr 0.01", keras.optimizers.AdamW(learning_rate=0.01))
run("adamw lr 0.1 wd 0.1", keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.1))
run("adagrad defaults", keras.optimizers.Adagrad())
run("adagrad lr 0.1", keras.optimizers.Adagrad(learning_rate=0.1))
run("rmsprop lr 0.01", keras.optimizers.RMSprop(learning_rate=0.01))
run("rmsprop lr 0.01 momentum 0.9 centered", keras.optimizers.RMSprop(learning_rate=0.01, momentum=0.9, centered=True))

# ---- layer normalisation ----------------------------------------------------------------
x = np.array([[1, 2, 3, 4], [-1, 0, 0.5, 10], [0.1, 0.1, 0.1, 0.2]], np.float32)
ln = keras.layers.LayerNormalization(epsilon=1e-3)
ln.build((None, 4))
ln.set_weights([np.array([1, 0.5, 2, -1], np.float32), np.array([0, 0.1, -0.2, 0.3], np.float32)])
show("layer_normalization", keras.ops.convert_to_numpy(ln(x)))

# ---- example plugin: focal loss (Keras binary_focal_crossentropy, no class balancing) ---------
fp = np.array([[0.9, 0.2], [0.3, 0.6], [0.05, 0.99]], np.float32)
fy = np.array([[1, 0], [1, 1], [0, 1]], np.float32)
show("focal gamma 2", keras.losses.BinaryFocalCrossentropy(gamma=2.0, reduction=None)(fy, fp))
show("focal gamma 0.5", keras.losses.BinaryFocalCrossentropy(gamma=0.5, reduction=None)(fy, fp))
