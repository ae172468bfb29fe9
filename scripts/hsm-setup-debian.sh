#!/bin/sh
# Installs the two software PKCS#11 tokens the internal/hsm contract suite
# runs against (SoftHSM2 and NSS softokn) plus the C toolchain cgo needs.
# Debian bookworm / Ubuntu; run as root. CI must run this: with CI=true a
# missing module fails the HSM tests instead of skipping them.
set -eu
apt-get install -y --no-install-recommends gcc libc6-dev softhsm2 libsofthsm2 libnss3 libnss3-tools
for f in /usr/lib/softhsm/libsofthsm2.so "/usr/lib/$(uname -m)-linux-gnu/libsoftokn3.so" /usr/bin/certutil; do
	test -e "$f" || { echo "hsm-setup: $f missing after install" >&2; exit 1; }
done
echo "hsm-setup: SoftHSM2 and NSS softokn ready"
