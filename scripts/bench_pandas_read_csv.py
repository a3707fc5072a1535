#!/usr/bin/env python3
"""Baseline for csv-bench: pandas.read_csv on the same file.

Usage: python scripts/bench_pandas_read_csv.py [FILE] [--repeat K] [--float32]
Generate FILE first with `.build/release/csv-bench` (default /tmp/dpflow-csv-bench-1M-32.csv).
Prints seconds, MB/s and the peak RSS of this process (ru_maxrss).
"""
import os
import resource
import sys
import time

import numpy as np
import pandas as pd

import argparse

parser = argparse.ArgumentParser()
parser.add_argument("file", nargs="?", default="/tmp/dpflow-csv-bench-1M-32.csv")
parser.add_argument("--repeat", type=int, default=3)
parser.add_argument("--float32", action="store_true")
opts = parser.parse_args()
path, repeat, float32 = opts.file, opts.repeat, opts.float32
size_mb = os.path.getsize(path) / 1e6
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
best = float("inf")
for k in range(repeat):
    t0 = time.perf_counter()
    df = pd.read_csv(path, dtype=np.float32 if float32 else None)
    dt = time.perf_counter() - t0
    best = min(best, dt)
    print(f"load {k + 1}: {dt:.3f} s, {size_mb / dt:.1f} MB/s")
    rows, cols = df.shape
    del df
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"pandas {pd.__version__} read_csv (engine c, dtype {'float32' if float32 else 'default float64'}): "
      f"file {size_mb:.1f} MB, {rows} rows x {cols} columns; best {best:.3f} s = {size_mb / best:.1f} MB/s")
print(f"peak RSS {peak * 1.048576:.1f} MB (before loading {rss_before * 1.048576:.1f} MB)")
