#!/usr/bin/env bash
# Builds the AWS Config rule Lambda (cmd/byok-config-rule) as "bootstrap" for
# the provided.al2023 runtime, for arm64 and amd64, and zips each into dist/:
#   dist/byok-config-rule-arm64.zip, dist/byok-config-rule-amd64.zip
# CGO_ENABLED=0: the function must not link internal/hsm (PKCS#11, cgo).
# lambda.norpc drops the legacy Go 1.x RPC server, unused on provided.al2023.
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist
mkdir -p "$out"
if go list -deps ./cmd/byok-config-rule | grep -q '/internal/hsm$'; then
	echo "build-lambda: cmd/byok-config-rule must not import internal/hsm" >&2
	exit 1
fi
for arch in arm64 amd64; do
	dir="$out/linux-$arch"
	mkdir -p "$dir"
	CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go build -tags lambda.norpc -trimpath -ldflags='-s -w' \
		-o "$dir/bootstrap" ./cmd/byok-config-rule
	go run ./scripts/zipbootstrap -in "$dir/bootstrap" -out "$out/byok-config-rule-$arch.zip"
	printf '%s bootstrap %d bytes, zip %d bytes\n' "$arch" \
		"$(stat -c %s "$dir/bootstrap")" "$(stat -c %s "$out/byok-config-rule-$arch.zip")"
done
