#!/usr/bin/env python3
"""Time dp_accounting on the same workloads as `accounting-bench` (run in the fixture venv:
/tmp/acct-venv/bin/python scripts/accounting/bench_dp_accounting.py)."""
import math
import time
from importlib import metadata

import dp_accounting
from dp_accounting import mechanism_calibration
from dp_accounting.pld import pld_privacy_accountant
from dp_accounting.rdp import rdp_privacy_accountant


def measure(name, repeats, fn):
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - t) * 1e3)
    times.sort()
    print(f"{name:58s} median {times[len(times) // 2]:9.3f} ms  min {times[0]:9.3f} ms  (result {value})")


def dpsgd(q, s, n):
    return dp_accounting.SelfComposedDpEvent(
        dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(s)), n)


def rdp_eps(q, s, n, delta=1e-5):
    acc = rdp_privacy_accountant.RdpAccountant()
    acc.compose(dpsgd(q, s, n))
    return acc.get_epsilon(delta)


def pld_eps(q, s, n, delta=1e-5):
    acc = pld_privacy_accountant.PLDAccountant(value_discretization_interval=1e-4)
    acc.compose(dpsgd(q, s, n))
    return acc.get_epsilon(delta)


def calibrate(make_accountant):
    steps = math.ceil(60 * 60000 / 256)
    return mechanism_calibration.calibrate_dp_mechanism(
        make_accountant, lambda s: dpsgd(256 / 60000, s, steps), 3.0, 1e-5,
        mechanism_calibration.LowerEndpointAndGuess(0.1, 1.0), tol=1e-4 * 1.0)


print(f"dp_accounting {metadata.version('dp_accounting')} timings")
measure("RDP ε, q=0.01 σ=1.1, 1e6 steps, δ=1e-5", 5, lambda: rdp_eps(0.01, 1.1, 1_000_000))
measure("RDP ε, q=4e-5 σ=1.2, 5e5 steps (op_tensorflow docs)", 5, lambda: rdp_eps(4e-5, 1.2, 500_000))
measure("RDP calibration σ for ε=3, MNIST 60 epochs", 2, lambda: calibrate(rdp_privacy_accountant.RdpAccountant))
measure("PLD ε, q=0.01 σ=1.1, 1e4 steps, d=1e-4", 3, lambda: pld_eps(0.01, 1.1, 10_000))
measure("PLD ε, MNIST q=256/60000 σ=1.1, 14063 steps", 3, lambda: pld_eps(256 / 60000, 1.1, 14063))


def pld_eps_d(q, s, n, d, delta=1e-5):
    acc = pld_privacy_accountant.PLDAccountant(value_discretization_interval=d)
    acc.compose(dpsgd(q, s, n))
    return acc.get_epsilon(delta)


measure("PLD ε, op_tensorflow docs (5e5 steps), d=1e-4", 3, lambda: pld_eps_d(4e-5, 1.2, 500_000, 1e-4))
measure("PLD ε, op_tensorflow docs (5e5 steps), d=1e-5", 3, lambda: pld_eps_d(4e-5, 1.2, 500_000, 1e-5))
