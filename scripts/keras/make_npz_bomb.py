#!/usr/bin/env python3
"""Writes Tests/KerasInteropTests/Fixtures/numpy/bomb_40mb.npz (≈39 KB): a .npz whose single
deflated entry arr_0.npy is a valid float32 array of 10^7 zeros (40 MB inflated). NpzBombTests
patch its declared sizes in memory to make it lie. Standard library only."""
import io
import struct
import sys
import zipfile

n = 10_000_000
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d,), }" % n
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + b"\x00" * (4 * n)
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr("arr_0.npy", npy)
out = sys.argv[1] if len(sys.argv) > 1 else "Tests/KerasInteropTests/Fixtures/numpy/bomb_40mb.npz"
open(out, "wb").write(buf.getvalue())
