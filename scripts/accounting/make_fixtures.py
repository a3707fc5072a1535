#!/usr/bin/env python3
"""Generate Tests/PrivacyAccountingTests/Fixtures/accounting_fixtures.json.

Reference values for dpflow's PrivacyAccounting tests, computed with dp_accounting 0.4.3
(the exact signed fractional-order RDP series that TF Privacy 0.9 pins) and mpmath
(high-precision numerical integration of the Renyi divergence, and the analytic Gaussian
mechanism of Balle & Wang 2018).

Run in a throwaway virtualenv outside the repository:
    python3 -m venv /tmp/acct-venv
    /tmp/acct-venv/bin/pip install dp_accounting==0.4.3 mpmath
    /tmp/acct-venv/bin/python scripts/accounting/make_fixtures.py \
        > Tests/PrivacyAccountingTests/Fixtures/accounting_fixtures.json

To add or refresh only the sampling-without-replacement (replace-one) section in place:
    /tmp/acct-venv/bin/python scripts/accounting/make_fixtures.py --extend \
        Tests/PrivacyAccountingTests/Fixtures/accounting_fixtures.json
"""
import datetime
import json
import math
import platform
import sys
from importlib import metadata

import mpmath
import numpy as np
import dp_accounting
from dp_accounting.rdp import rdp_privacy_accountant as rdp_lib
from dp_accounting.pld import pld_privacy_accountant as pld_lib

ORDERS = list(rdp_lib.DEFAULT_RDP_ORDERS)
TFP_LEGACY_ORDERS = ([1.25, 1.5, 1.75, 2., 2.25, 2.5, 3., 3.5, 4., 4.5] + list(range(5, 64)) + [128, 256, 512])


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def rdp_curve(q, sigma, orders=ORDERS):
    return [float(x) for x in rdp_lib._compute_rdp_poisson_subsampled_gaussian(q, sigma, orders)]


# ---------------------------------------------------------------- RDP per order (0.4.3 + mpmath)
def mp_rdp(q, sigma, alpha, dps=40):
    """Renyi divergence of the Poisson-subsampled Gaussian by numerical integration:
    A = int N(z; 0, s^2) (1 - q + q exp((2z - 1)/(2 s^2)))^alpha dz, RDP = log A / (alpha - 1)."""
    with mpmath.workdps(dps):
        q, s, a = mpmath.mpf(q), mpmath.mpf(sigma), mpmath.mpf(alpha)
        def f(z):
            return mpmath.npdf(z, 0, s) * (1 - q + q * mpmath.exp((2 * z - 1) / (2 * s * s))) ** a
        # Integrand ~ Gaussian bump(s); split at the mode candidates for accuracy.
        z0 = s * s * mpmath.log(1 / q - 1) + mpmath.mpf(1) / 2
        pts = sorted(set([-mpmath.inf, -40 * s, 0, z0, a, 40 * s + a, mpmath.inf]))
        pts = [p for p in pts]
        A = mpmath.quad(f, pts, maxdegree=10)
        return float(mpmath.log(A) / (a - 1))


def rdp_per_order():
    rows = []
    grid_q = [1e-5, 1e-3, 0.01, 0.1, 0.5, 0.9]
    grid_s = [0.5, 1.1, 2.0, 10.0]
    alphas = [1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.3, 4.0, 5.5, 8.0, 10.9, 32.0, 63.0, 256.0]
    for q in grid_q:
        for s in grid_s:
            vals = rdp_curve(q, s, alphas)
            for a, v in zip(alphas, vals):
                row = {"q": q, "sigma": s, "order": a, "rdp_dp_accounting_0_4_3": v}
                if a < 64 and not (s == 0.5 and q >= 0.5 and a > 20):
                    try:
                        row["rdp_mpmath"] = mp_rdp(q, s, a)
                    except Exception as e:  # noqa
                        log(f"mpmath failed q={q} s={s} a={a}: {e}")
                rows.append(row)
        log(f"rdp per order q={q} done")
    return rows


def rdp_curves():
    """Whole default-order curves (all 156 orders) for a few (q, sigma)."""
    rows = []
    for q, s in [(0.01, 1.1), (4e-5, 1.2), (0.3, 0.7), (0.9, 2.0), (1e-4, 5.0), (0.05, 0.5), (0.6, 8.0)]:
        rows.append({"q": q, "sigma": s, "rdp": rdp_curve(q, s)})
    return rows


# ---------------------------------------------------------------- epsilon grid (RDP)
def rdp_epsilon_grid():
    rows = []
    for q in [1e-5, 1e-4, 1e-3, 0.01, 0.1, 0.5, 1.0]:
        for s in [0.5, 0.8, 1.1, 2.0, 5.0, 10.0]:
            curve = np.array(rdp_curve(q, s))
            for steps in [1, 100, 10_000, 1_000_000]:
                for delta in [1e-10, 1e-5, 1e-3]:
                    eps, order = rdp_lib.compute_epsilon(ORDERS, curve * steps, delta)
                    rows.append({"q": q, "sigma": s, "steps": steps, "delta": delta,
                                 "epsilon": float(eps), "order": float(order)})
        log(f"rdp eps q={q} done")
    return rows


def rdp_epsilon_random(n=200, seed=20261123):
    """Random (q, sigma, steps, delta), log-uniform over the ranges the issue names."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        q = float(10 ** rng.uniform(-5, 0))
        s = float(10 ** rng.uniform(math.log10(0.5), 1))
        steps = int(10 ** rng.uniform(0, 6))
        delta = float(10 ** rng.uniform(-10, -3))
        eps, _ = rdp_lib.compute_epsilon(ORDERS, np.array(rdp_curve(q, s)) * steps, delta)
        rows.append({"q": q, "sigma": s, "steps": steps, "delta": delta, "epsilon": float(eps)})
    log("rdp random done")
    return rows


def rdp_delta_grid():
    rows = []
    for q, s, steps in [(0.01, 1.1, 1000), (4 / 100000, 1.2, 500000), (256 / 60000, 1.1, 14063), (1.0, 2.0, 10)]:
        curve = np.array(rdp_curve(q, s)) * steps
        for eps in [0.5, 1.0, 2.0, 8.0]:
            d, order = rdp_lib.compute_delta(ORDERS, curve, eps)
            rows.append({"q": q, "sigma": s, "steps": steps, "epsilon": eps, "delta": float(d)})
    return rows


def accountant_api_cases():
    """epsilon through the RdpAccountant class, DpEvent trees included."""
    rows = []
    def run(name, event, delta):
        acc = rdp_lib.RdpAccountant()
        acc.compose(event)
        rows.append({"name": name, "delta": delta, "epsilon": float(acc.get_epsilon(delta))})
    E = dp_accounting
    g = lambda s: E.GaussianDpEvent(s)
    ps = lambda q, s: E.PoissonSampledDpEvent(q, g(s))
    run("op_tensorflow_docs", E.SelfComposedDpEvent(ps(4 / 100000, 1.2), 500000), 1e-5)
    run("train_then_two_gaussian_releases", E.ComposedDpEvent([
        E.SelfComposedDpEvent(ps(0.01, 1.1), 1000), g(5.0), g(8.0)]), 1e-5)
    run("poisson_of_composed_gaussians", E.SelfComposedDpEvent(
        E.PoissonSampledDpEvent(0.02, E.ComposedDpEvent([g(1.5), g(2.0)])), 500), 1e-6)
    return rows


# ---------------------------------------------------------------- classic conversion (README tables)
def classic_tables():
    rows = []
    q = 256 / 60000
    for s, epochs in [(1.1, 60), (0.7, 45), (1.1, 15)]:
        steps = math.ceil(epochs * 60000 / 256)
        for name, orders in [("tf_privacy_legacy", TFP_LEGACY_ORDERS), ("dp_accounting_default", ORDERS)]:
            curve = np.array(rdp_curve(q, s, orders)) * steps
            eps = float(np.min(curve - math.log(1e-5) / (np.array(orders) - 1)))
            rows.append({"q": q, "sigma": s, "epochs": epochs, "steps": steps, "delta": 1e-5,
                         "orders": name, "epsilon_classic": eps})
    return rows


# ---------------------------------------------------------------- PLD
def pld_eps(event, delta, d=1e-4):
    acc = pld_lib.PLDAccountant(value_discretization_interval=d)
    acc.compose(event)
    return float(acc.get_epsilon(delta))


def pld_cases():
    rows = []
    E = dp_accounting
    cases = [
        ("mnist", 256 / 60000, 1.1, math.ceil(60 * 60000 / 256), 1e-5),
        ("q1_sigma1_one_step", 1.0, 1.0, 1, 1e-5),
        ("q0.01_s1.1_1000", 0.01, 1.1, 1000, 1e-5),
        ("q0.01_s0.8_100", 0.01, 0.8, 100, 1e-6),
        ("q0.1_s2_1000", 0.1, 2.0, 1000, 1e-5),
        ("q0.001_s1_10000", 0.001, 1.0, 10000, 1e-5),
        ("q0.05_s5_1", 0.05, 5.0, 1, 1e-3),
        ("q0.5_s1.5_50", 0.5, 1.5, 50, 1e-5),
        ("q1_s3_100", 1.0, 3.0, 100, 1e-10),
    ]
    for name, q, s, steps, delta in cases:
        ev = E.SelfComposedDpEvent(E.PoissonSampledDpEvent(q, E.GaussianDpEvent(s)), steps)
        eps = pld_eps(ev, delta)
        rdp_eps = rdp_lib.compute_epsilon(ORDERS, np.array(rdp_curve(q, s)) * steps, delta)[0]
        rows.append({"name": name, "kind": "poisson_gaussian", "q": q, "sigma": s, "steps": steps,
                     "delta": delta, "discretization": 1e-4, "epsilon": eps, "rdp_epsilon": float(rdp_eps)})
        log(f"pld {name} {eps}")
    for delta in [1e-10, 1e-7, 1e-3]:
        q, s_, steps = 256 / 60000, 1.1, math.ceil(60 * 60000 / 256)
        ev = E.SelfComposedDpEvent(E.PoissonSampledDpEvent(q, E.GaussianDpEvent(s_)), steps)
        rdp_eps = rdp_lib.compute_epsilon(ORDERS, np.array(rdp_curve(q, s_)) * steps, delta)[0]
        rows.append({"name": f"mnist_delta{delta}", "kind": "poisson_gaussian", "q": q, "sigma": s_, "steps": steps,
                     "delta": delta, "discretization": 1e-4, "epsilon": pld_eps(ev, delta),
                     "rdp_epsilon": float(rdp_eps)})
    for d in [1e-3, 1e-5]:
        ev = E.SelfComposedDpEvent(E.PoissonSampledDpEvent(0.01, E.GaussianDpEvent(1.1)), 1000)
        rows.append({"name": f"q0.01_s1.1_1000_d{d}", "kind": "poisson_gaussian", "q": 0.01, "sigma": 1.1,
                     "steps": 1000, "delta": 1e-5, "discretization": d, "epsilon": pld_eps(ev, 1e-5, d)})
    for q, b, count in [(0.1, 1.0, 100), (0.01, 0.5, 1000)]:
        ev = E.SelfComposedDpEvent(E.PoissonSampledDpEvent(q, E.LaplaceDpEvent(b)), count)
        rows.append({"name": f"poisson_laplace_q{q}_b{b}_x{count}", "kind": "poisson_laplace", "q": q, "scale": b,
                     "steps": count, "delta": 1e-5, "discretization": 1e-4, "epsilon": pld_eps(ev, 1e-5)})
    for b, count, delta in [(1.0, 1, 1e-5), (2.0, 10, 1e-5), (10.0, 100, 1e-6)]:
        ev = E.SelfComposedDpEvent(E.LaplaceDpEvent(b), count)
        rows.append({"name": f"laplace_b{b}_x{count}", "kind": "laplace", "scale": b, "steps": count,
                     "delta": delta, "discretization": 1e-4, "epsilon": pld_eps(ev, delta)})
    ev = E.ComposedDpEvent([E.SelfComposedDpEvent(E.PoissonSampledDpEvent(0.01, E.GaussianDpEvent(1.1)), 1000),
                            E.LaplaceDpEvent(10.0), E.GaussianDpEvent(8.0)])
    rows.append({"name": "train_laplace_gaussian", "kind": "composed", "delta": 1e-5, "discretization": 1e-4,
                 "epsilon": pld_eps(ev, 1e-5)})
    return rows


def pld_deltas():
    rows = []
    E = dp_accounting
    for q, s_, steps in [(0.01, 1.1, 1000), (256 / 60000, 1.1, 14063)]:
        acc = pld_lib.PLDAccountant(value_discretization_interval=1e-4)
        acc.compose(E.SelfComposedDpEvent(E.PoissonSampledDpEvent(q, E.GaussianDpEvent(s_)), steps))
        for eps in [0.5, 1.0, 2.0, 4.0]:
            rows.append({"q": q, "sigma": s_, "steps": steps, "epsilon": eps, "delta": float(acc.get_delta(eps))})
    return rows


# ---------------------------------------------------------------- analytic Gaussian (Balle & Wang 2018)
def analytic_gaussian_eps(sigma, delta):
    """Exact epsilon of the Gaussian mechanism (sensitivity 1): the root of
    delta(eps) = Phi(1/(2s) - eps*s) - e^eps Phi(-1/(2s) - eps*s)."""
    with mpmath.workdps(50):
        s, dl = mpmath.mpf(sigma), mpmath.mpf(delta)
        def dfun(e):
            return mpmath.ncdf(1 / (2 * s) - e * s) - mpmath.exp(e) * mpmath.ncdf(-1 / (2 * s) - e * s) - dl
        if dfun(0) <= 0:
            return 0.0
        lo, hi = mpmath.mpf(0), mpmath.mpf(1)
        while dfun(hi) > 0:
            hi *= 2
        for _ in range(200):
            mid = (lo + hi) / 2
            if dfun(mid) > 0:
                lo = mid
            else:
                hi = mid
        return float(hi)


def analytic_gaussian():
    rows = []
    for s in [0.5, 1.0, 2.0, 5.0, 10.0]:
        for delta in [1e-10, 1e-5, 1e-3]:
            rows.append({"sigma": s, "delta": delta, "count": 1, "epsilon": analytic_gaussian_eps(s, delta)})
    # k-fold composition of the Gaussian mechanism is the Gaussian with sigma / sqrt(k).
    for s, k in [(5.0, 25), (20.0, 100), (3.0, 4)]:
        rows.append({"sigma": s, "delta": 1e-5, "count": k, "epsilon": analytic_gaussian_eps(s / math.sqrt(k), 1e-5)})
    return rows


# ------------------------------------------------ sampling without replacement, replace-one (WBK19)
def wor_curve(q, sigma, orders=ORDERS):
    return [float(x) for x in rdp_lib._compute_rdp_sample_wor_gaussian(q, sigma, orders)]


def sampled_without_replacement():
    """RDP curves and (eps, delta) of fixed-size batches of m out of n drawn without replacement, each a Gaussian
    with noise multiplier sigma, under dp_accounting's REPLACE_ONE relation (Wang, Balle & Kasiviswanathan 2019)."""
    NR = dp_accounting.NeighboringRelation
    curves, eps_rows = [], []
    for n, m, s in [(455, 32, 1.1), (60000, 256, 1.1), (1000, 10, 0.7), (100, 50, 2.0), (5000, 1, 4.0),
                    (364, 32, 3.0), (10000, 100, 0.5), (200, 199, 1.5)]:
        q = m / n
        curves.append({"n": n, "m": m, "q": q, "sigma": s, "rdp": wor_curve(q, s)})
        for steps in [1, 100, 450]:
            for delta in [1e-5, 1e-3]:
                acc = dp_accounting.rdp.RdpAccountant(neighboring_relation=NR.REPLACE_ONE)
                ev = dp_accounting.SampledWithoutReplacementDpEvent(n, m, dp_accounting.GaussianDpEvent(s))
                acc.compose(ev, steps)
                eps_rows.append({"n": n, "m": m, "q": q, "sigma": s, "steps": steps, "delta": delta,
                                 "epsilon": float(acc.get_epsilon(delta))})
    return {"orders": ORDERS, "curves": curves, "epsilon": eps_rows}


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--extend":
        # Add (or refresh) only the sampling-without-replacement section of an existing fixture file, so that
        # the slow mpmath sections need not be recomputed.
        with open(sys.argv[2]) as f:
            out = json.load(f)
        out["sampled_without_replacement"] = sampled_without_replacement()
        out["provenance"]["sampled_without_replacement_generated_utc"] = \
            datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        with open(sys.argv[2], "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        return
    out = {
        "provenance": {
            "generator": "scripts/accounting/make_fixtures.py",
            "generated_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "dp_accounting": metadata.version("dp_accounting"),
            "numpy": np.__version__,
            "scipy": metadata.version("scipy"),
            "mpmath": mpmath.__version__,
            "notes": "RDP values are dp_accounting 0.4.3 (exact signed fractional series); rdp_mpmath is "
                     "numerical integration of the Renyi divergence at 40 digits; PLD values are "
                     "dp_accounting PLDAccountant(value_discretization_interval=1e-4), pessimistic; "
                     "analytic Gaussian values solve Balle & Wang 2018 eq. (delta(eps)) with mpmath at 50 digits.",
        },
        "default_orders": ORDERS,
        "rdp_per_order": rdp_per_order(),
        "rdp_curves": rdp_curves(),
        "rdp_epsilon": rdp_epsilon_grid(),
        "rdp_epsilon_random": rdp_epsilon_random(),
        "rdp_delta": rdp_delta_grid(),
        "rdp_accountant_events": accountant_api_cases(),
        "classic_conversion_mnist": classic_tables(),
        "analytic_gaussian": analytic_gaussian(),
        "pld": pld_cases(),
        "pld_delta": pld_deltas(),
        "sampled_without_replacement": sampled_without_replacement(),
    }
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
