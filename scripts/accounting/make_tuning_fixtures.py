#!/usr/bin/env python3
"""Generate Tests/PrivacyAccountingTests/Fixtures/tuning_fixtures.json.

Reference values for dpflow's accounting of private hyperparameter search: "run a random number K
of trials, release the best" (Papernot & Steinke, ICLR 2022, Theorem 2 for the truncated negative
binomial K ~ D_{eta,gamma}, eta >= 0, Theorem 6 for K ~ Poisson(mu), mu >= 1). lambda-hat of Theorem 2
ranges over the orders, and the bound is made non-decreasing in the order afterwards (as dp_accounting).

This script is an independent evaluation in mpmath (30 digits):
  * the distribution of K: probabilities from the closed form, E[K] both from the paper's closed form
    and by summing k * P[K = k] over the support (they must agree), and sum P = 1;
  * the RDP bound of the search at every order, from the per-trial RDP curve (the closed forms of
    Theorems 2 and 6, minimising over lambda-hat in {1} U orders; for Poisson delta-hat at
    eps-hat = log(1 + 1/(lambda - 1)) by the Canonne-Kamath-Steinke conversion and the KL bound, as
    dp_accounting's compute_delta);
  * epsilon at delta of the search (Canonne-Kamath-Steinke conversion, as dp_accounting's compute_epsilon).
The per-trial curve is the integer/fractional-order RDP of T Poisson-subsampled Gaussian steps (plus,
where stated, a Gaussian score release), computed here by numerical integration in mpmath.
When dp_accounting with RepeatAndSelectDpEvent is installed, its epsilon is recorded next to ours.

Run in a throwaway virtualenv outside the repository:
    python3 -m venv /tmp/tune-venv
    /tmp/tune-venv/bin/pip install mpmath dp_accounting   # the committed table: mpmath 1.4.1, dp_accounting 0.6.0
    /tmp/tune-venv/bin/python scripts/accounting/make_tuning_fixtures.py \
        > Tests/PrivacyAccountingTests/Fixtures/tuning_fixtures.json
"""
import json
import math
import platform
import sys

import mpmath

mpmath.mp.dps = 30

# A compact order grid (the tests give the Swift code the same orders).
ORDERS = [1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0, 20.0, 24.0, 32.0, 48.0, 64.0, 128.0, 256.0]


def sg_rdp(q, sigma, alpha):
    """RDP of one Poisson-subsampled Gaussian step by numerical integration (Mironov, Talwar & Zhang 2019):
    A = E_{z ~ N(0, s^2)} [(1 - q + q exp((2z - 1)/(2 s^2)))^alpha], RDP = log A / (alpha - 1)."""
    q, s, a = mpmath.mpf(q), mpmath.mpf(sigma), mpmath.mpf(alpha)
    if q == 1:
        return a / (2 * s * s)

    def f(z):
        return mpmath.npdf(z, 0, s) * (1 - q + q * mpmath.exp((2 * z - 1) / (2 * s * s))) ** a

    z0 = s * s * mpmath.log(1 / q - 1) + mpmath.mpf(1) / 2
    pts = sorted(set([-mpmath.inf, -40 * s, mpmath.mpf(0), z0, a, 40 * s + a, mpmath.inf]))
    return mpmath.log(mpmath.quad(f, pts, maxdegree=10)) / (a - 1)


def tnb_pmf(eta, gamma, k):
    eta, gamma = mpmath.mpf(eta), mpmath.mpf(gamma)
    if eta == 0:
        return (1 - gamma) ** k / (k * mpmath.log(1 / gamma))
    prod = mpmath.mpf(1)
    for l in range(k):
        prod *= (l + eta) / (l + 1)
    return (1 - gamma) ** k / (gamma ** (-eta) - 1) * prod


def tnb_mean_closed(eta, gamma):
    eta, gamma = mpmath.mpf(eta), mpmath.mpf(gamma)
    if eta == 0:
        return (1 / gamma - 1) / mpmath.log(1 / gamma)
    return eta * (1 - gamma) / (gamma * (1 - gamma ** eta))


def tnb_sums(eta, gamma):
    """(sum P, sum k P) over the support, by direct summation until the terms are negligible."""
    total, mean = mpmath.mpf(0), mpmath.mpf(0)
    eta_m, gamma_m = mpmath.mpf(eta), mpmath.mpf(gamma)
    p = tnb_pmf(eta, gamma, 1)
    k = 1
    while True:
        total += p
        mean += k * p
        if k > 10 and p * k < mpmath.mpf(10) ** -40:
            break
        # ratio of successive terms
        if eta_m == 0:
            p = p * (1 - gamma_m) * k / (k + 1)
        else:
            p = p * (1 - gamma_m) * (k + eta_m) / (k + 1)
        k += 1
    return total, mean


def ckz_epsilon(orders, rdp, delta):
    best = mpmath.inf
    for a, r in zip(orders, rdp):
        a, r = mpmath.mpf(a), mpmath.mpf(r)
        if delta ** 2 + mpmath.expm1(-r) > 0:
            e = mpmath.mpf(0)
        elif a > 1.01:
            e = r + mpmath.log1p(-1 / a) - (mpmath.log(delta) + mpmath.log(a)) / (a - 1)
        else:
            e = mpmath.inf
        best = min(best, e)
    return max(mpmath.mpf(0), best)


def ckz_delta(orders, rdp, eps):
    best = mpmath.inf
    for a, r in zip(orders, rdp):
        a, r = mpmath.mpf(a), mpmath.mpf(r)
        ld = mpmath.mpf(-mpmath.inf) if r == 0 else mpmath.log(1 - mpmath.exp(-r)) / 2
        if a > 1.01:
            ld = min(ld, (a - 1) * (r - eps + mpmath.log1p(-1 / a)) - mpmath.log(a))
        best = min(best, ld)
    return min(mpmath.exp(best), mpmath.mpf(1))


def tnb_curve(orders, rdp, eta, gamma):
    eta, gamma = mpmath.mpf(eta), mpmath.mpf(gamma)
    lig = mpmath.log(1 / gamma)
    best = mpmath.inf  # lambda-hat ranges over the orders
    for a, r in zip(orders, rdp):
        a = mpmath.mpf(a)
        best = min(best, (1 - 1 / a) * r + lig / a)
    mean = tnb_mean_closed(eta, gamma)
    bound = [r + (1 + eta) * best + mpmath.log(mean) / (mpmath.mpf(a) - 1) for a, r in zip(orders, rdp)]
    # RDP is non-decreasing in the order.
    return [min(bound[j] for j in range(len(orders)) if orders[j] >= orders[i]) for i in range(len(orders))]


def poisson_curve(orders, rdp, mu):
    mu = mpmath.mpf(mu)
    out = []
    for a, r in zip(orders, rdp):
        a = mpmath.mpf(a)
        eps_hat = mpmath.log1p(1 / (a - 1))
        d_hat = ckz_delta(orders, rdp, eps_hat)
        out.append(r + mu * d_hat + mpmath.log(mu) / (a - 1))
    return out


def dp_accounting_epsilon(trial_event, mean, shape, delta):
    """epsilon from dp_accounting's RepeatAndSelectDpEvent (None when unavailable)."""
    try:
        from dp_accounting import dp_event
        from dp_accounting.rdp import rdp_privacy_accountant as rdp_lib
        ev = dp_event.RepeatAndSelectDpEvent(trial_event, mean, shape)
        acc = rdp_lib.RdpAccountant(ORDERS)
        acc.compose(ev)
        return float(acc.get_epsilon(delta))
    except Exception as e:  # noqa: BLE001 - optional cross-check only
        print(f"dp_accounting cross-check unavailable: {e}", file=sys.stderr)
        return None


def trial(q, sigma, steps, score_sigma):
    curve = [steps * sg_rdp(q, sigma, a) for a in ORDERS]
    if score_sigma is not None:
        curve = [c + mpmath.mpf(a) / (2 * mpmath.mpf(score_sigma) ** 2) for c, a in zip(curve, ORDERS)]
    return curve


def trial_event(q, sigma, steps, score_sigma):
    try:
        from dp_accounting import dp_event
        run = dp_event.SelfComposedDpEvent(
            dp_event.PoissonSampledDpEvent(q, dp_event.GaussianDpEvent(sigma)), steps)
        if score_sigma is None:
            return run
        return dp_event.ComposedDpEvent([run, dp_event.GaussianDpEvent(score_sigma)])
    except Exception:  # noqa: BLE001
        return None


def main():
    trials = [
        # (name, q, sigma, steps, score sigma)
        ("breast_cancer_like", 32 / 364, 3.0, 240, 8.0),
        ("digits_like", 256 / 1150, 4.0, 200, None),
        ("mnist_like", 256 / 60000, 1.1, 2000, None),
        ("single_gaussian", 1.0, 5.0, 1, None),
    ]
    distributions = [
        ("tnb", 1.0, 0.1), ("tnb", 0.0, 0.1), ("tnb", 0.5, 0.05), ("tnb", 2.0, 0.2),
        ("poisson", 5.0, None), ("poisson", 10.0, None), ("poisson", 1.0, None),
    ]
    deltas = [1e-5, 1e-6]
    out = {"provenance": {"python": platform.python_version(), "mpmath": mpmath.__version__,
                          "script": "scripts/accounting/make_tuning_fixtures.py"},
           "orders": ORDERS, "distributions": [], "searches": []}
    for kind, a, b in distributions:
        if kind == "tnb":
            total, summed_mean = tnb_sums(a, b)
            pmf = [float(tnb_pmf(a, b, k)) for k in range(1, 9)]
            out["distributions"].append({"kind": kind, "eta": a, "gamma": b, "mean": float(tnb_mean_closed(a, b)),
                                         "mean_by_summation": float(summed_mean), "total_mass": float(total),
                                         "pmf_from_1": pmf})
        else:
            mu = mpmath.mpf(a)
            pmf = [float(mpmath.exp(-mu) * mu ** k / mpmath.factorial(k)) for k in range(0, 9)]
            out["distributions"].append({"kind": kind, "mu": a, "mean": a, "pmf_from_0": pmf})
    for name, q, sigma, steps, score_sigma in trials:
        print(f"trial {name}", file=sys.stderr, flush=True)
        curve = trial(q, sigma, steps, score_sigma)
        ev = trial_event(q, sigma, steps, score_sigma)
        for kind, a, b in distributions:
            total = tnb_curve(ORDERS, curve, a, b) if kind == "tnb" else poisson_curve(ORDERS, curve, a)
            for delta in deltas:
                row = {"trial": name, "q": q, "sigma": sigma, "steps": steps, "score_sigma": score_sigma,
                       "kind": kind, "delta": delta,
                       "trial_rdp": [float(x) for x in curve],
                       "search_rdp": [float(x) for x in total],
                       "trial_epsilon": float(ckz_epsilon(ORDERS, curve, delta)),
                       "search_epsilon": float(ckz_epsilon(ORDERS, total, delta))}
                if kind == "tnb":
                    row.update({"eta": a, "gamma": b})
                    mean, shape = float(tnb_mean_closed(a, b)), a
                else:
                    row.update({"mu": a})
                    mean, shape = a, math.inf
                row["search_epsilon_dp_accounting"] = (dp_accounting_epsilon(ev, mean, shape, delta)
                                                       if ev is not None else None)
                out["searches"].append(row)
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
