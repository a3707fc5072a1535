#!/usr/bin/env bash
# Installs the Debian packages dpflow builds against and its tests use, only those that are missing:
# PostgreSQL (server binaries for the ledger tests, which start their own server with initdb; no service is
# enabled) and Open MPI (mpirun, for data-parallel runs and their tests; dpflow itself loads libmpi only
# when started by mpirun).
# Needs root (or sudo) on Debian/Ubuntu; Swift 6 itself must already be on PATH.
set -euo pipefail
# dataset-fashion-mnist: the Fashion-MNIST IDX files under /usr/share/datasets/fashion-mnist/ (pipelines/fashion_mnist.yaml).
pkgs=(libopenblas-dev libcsv-dev libfftw3-dev libsqlite3-dev zlib1g-dev pkg-config dataset-fashion-mnist postgresql openmpi-bin libopenmpi-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "install-deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts a cluster service with the postgresql package; dpflow's tests do not need it.
  if printf '%s\n' "${missing[@]}" | grep -qx postgresql && command -v pg_lsclusters >/dev/null; then
    $sudo service postgresql stop >/dev/null 2>&1 || true
  fi
fi
command -v swift >/dev/null || { echo "install-deps: swift (6.0 or newer) is not on PATH" >&2; exit 1; }
