#!/usr/bin/env bash
# Installs the Debian packages dpflow builds against, only those that are missing.
# Needs root (or sudo) on Debian/Ubuntu; Swift 6 itself must already be on PATH.
set -euo pipefail
# dataset-fashion-mnist: the Fashion-MNIST IDX files under /usr/share/datasets/fashion-mnist/ (pipelines/fashion_mnist.yaml).
pkgs=(libopenblas-dev libcsv-dev libfftw3-dev libsqlite3-dev zlib1g-dev pkg-config dataset-fashion-mnist)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "install-deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "install-deps: swift (6.0 or newer) is not on PATH" >&2; exit 1; }
