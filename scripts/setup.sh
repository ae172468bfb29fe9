#!/usr/bin/env bash
# Idempotent setup for byok on Debian: installs the Debian packages byok and
# its tests need (only those missing), then builds bin/byok.
# Usage: scripts/setup.sh            (as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."

# softhsm2: the SoftHSM2 PKCS#11 token (OAEP SHA-1) used by the demo and tests.
# libnss3, libnss3-tools: NSS softokn PKCS#11 token (OAEP SHA-256) and certutil.
# awscli: an independent AWS client the sandbox is checked against.
# openssl: wraps key material for the AWS CLI check.
# chromium: renders the demo's HTML report and byok serve's dashboard in tests.
# prometheus: promtool checks deploy/prometheus rules in a test.
# zip-free: Lambda zips are made with Go's archive/zip.
PACKAGES=(softhsm2 libnss3 libnss3-tools awscli openssl ca-certificates chromium prometheus)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v go >/dev/null || { echo "setup: Go is required (https://go.dev/dl/)" >&2; exit 1; }
mkdir -p bin
go build -o bin/byok ./cmd/byok
echo "setup: ok (bin/byok built)" >&2
