#!/usr/bin/env bash
# Installs the Debian packages that `npm run test:system`, the fixture scripts, model training and
# the benchmarks need. `npm test` and `npm start` need none of them.
#   dcmtk, libgdcm-tools   DICOM reference encoders/decoders for conformance fixtures and benchmarks
#   python3-torch, python3-onnx, python3-numpy, libopenblas0-pthread   model training and ONNX export
set -euo pipefail

packages=(dcmtk libgdcm-tools python3-torch python3-onnx python3-numpy libopenblas0-pthread)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages already installed: ${packages[*]}"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}; run this script as root (or: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi

echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
