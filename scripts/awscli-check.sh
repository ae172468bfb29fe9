#!/usr/bin/env bash
# awscli-check.sh: drive `byok sandbox` with the AWS CLI (Debian's awscli, a
# client independent of the Go SDK) through the BYOK import flow: list-keys,
# create-key --origin EXTERNAL, get-parameters-for-import, wrap with openssl
# (RSAES_OAEP_SHA_256), import-key-material, encrypt, decrypt; the plaintext
# must round-trip. Then the watch path: logs create-log-group and
# put-resource-policy, events put-rule (ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS)
# and put-targets, a failed decrypt of a disabled key, and logs
# filter-log-events must show exactly that failed call. Key material only ever lives in 0600 files in a private
# temporary directory that is removed on exit; it never appears on a
# command line or in the output.
#
# Usage: scripts/awscli-check.sh [path/to/byok]   (default: byok on PATH)
# Needs: aws (apt-get install awscli), openssl, base64.
set -euo pipefail

BYOK=${1:-byok}
AWS=${AWS:-aws}
umask 077
work=$(mktemp -d)
pid=""
cleanup() {
	if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "awscli-check: FAIL: $*" >&2; exit 1; }

"$BYOK" sandbox --listen 127.0.0.1:0 --seed demo >"$work/sandbox.out" 2>"$work/sandbox.err" &
pid=$!
for _ in $(seq 1 300); do
	grep -q '^# ready' "$work/sandbox.out" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || fail "byok sandbox exited: $(cat "$work/sandbox.err")"
	sleep 0.1
done
grep -q '^# ready' "$work/sandbox.out" || fail "byok sandbox did not become ready in 30 s"

# The Security account's exports are the first block.
export $(awk '/^# account security/{f=1;next} f&&/^export /{print $2} f&&/^$/{exit}' "$work/sandbox.out")
[[ -n ${AWS_ENDPOINT_URL:-} ]] || fail "no exports for the security account in the sandbox output"
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER="" AWS_DEFAULT_REGION=$AWS_REGION
kms() { "$AWS" --endpoint-url "$AWS_ENDPOINT_URL" --region "$AWS_REGION" kms "$@"; }

n=$(kms list-keys --query 'length(Keys)' --output text)
[[ $n -ge 6 ]] || fail "list-keys shows $n keys, want the demo's 6"
echo "list-keys: $n keys"

key=$(kms create-key --origin EXTERNAL --description "awscli check" --query KeyMetadata.KeyId --output text)
state=$(kms describe-key --key-id "$key" --query KeyMetadata.KeyState --output text)
[[ $state == PendingImport ]] || fail "new EXTERNAL key is $state, want PendingImport"
echo "create-key --origin EXTERNAL: $key ($state)"

kms get-parameters-for-import --key-id "$key" --wrapping-algorithm RSAES_OAEP_SHA_256 \
	--wrapping-key-spec RSA_2048 --output json >"$work/params.json"
python3 -c 'import json,sys,base64; p=json.load(open(sys.argv[1]))
open(sys.argv[2],"wb").write(base64.b64decode(p["PublicKey"]))
open(sys.argv[3],"wb").write(base64.b64decode(p["ImportToken"]))' "$work/params.json" "$work/pub.der" "$work/token.bin"
echo "get-parameters-for-import: RSAES_OAEP_SHA_256 / RSA_2048"

openssl rand -out "$work/material.bin" 32
openssl pkeyutl -encrypt -pubin -keyform DER -inkey "$work/pub.der" -in "$work/material.bin" -out "$work/wrapped.bin" \
	-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256
rm -f "$work/material.bin"
mid=$(kms import-key-material --key-id "$key" --encrypted-key-material "fileb://$work/wrapped.bin" \
	--import-token "fileb://$work/token.bin" --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE \
	--query KeyMaterialId --output text)
state=$(kms describe-key --key-id "$key" --query KeyMetadata.KeyState --output text)
[[ $state == Enabled ]] || fail "after import the key is $state, want Enabled"
echo "import-key-material: KeyMaterialId $mid ($state)"

printf 'byok awscli round trip %s\n' "$(date +%s%N)" >"$work/plain.txt"
kms encrypt --key-id "$key" --plaintext "fileb://$work/plain.txt" --query CiphertextBlob --output text |
	base64 -d >"$work/ct.bin"
kms decrypt --ciphertext-blob "fileb://$work/ct.bin" --query Plaintext --output text | base64 -d >"$work/back.txt"
cmp -s "$work/plain.txt" "$work/back.txt" || fail "decrypt did not return the plaintext"
echo "encrypt/decrypt: plaintext round-trips"

logs() { "$AWS" --endpoint-url "$AWS_ENDPOINT_URL" --region "$AWS_REGION" logs "$@"; }
events() { "$AWS" --endpoint-url "$AWS_ENDPOINT_URL" --region "$AWS_REGION" events "$@"; }
group=/byok/kms-failed-calls
account=$("$AWS" --endpoint-url "$AWS_ENDPOINT_URL" --region "$AWS_REGION" sts get-caller-identity --query Account --output text)
group_arn="arn:aws:logs:$AWS_REGION:$account:log-group:$group"
logs create-log-group --log-group-name "$group"
logs put-resource-policy --policy-name byok-events --policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"'"$group_arn"':*"}]}' >/dev/null
arn=$(logs describe-log-groups --log-group-name-prefix "$group" --query 'logGroups[0].arn' --output text)
[[ $arn == "$group_arn:*" ]] || fail "describe-log-groups arn $arn, want $group_arn:*"
events put-rule --name byok-kms-failed --state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS \
	--event-pattern '{"source":["aws.kms"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"errorCode":[{"exists":true}]}}' >/dev/null
failed=$(events put-targets --rule byok-kms-failed --targets "Id=log-group,Arn=$group_arn" --query FailedEntryCount --output text)
[[ $failed == 0 ]] || fail "put-targets: $failed failed entries"
echo "logs create-log-group / put-resource-policy, events put-rule / put-targets: $group"

kms disable-key --key-id "$key"
if kms decrypt --ciphertext-blob "fileb://$work/ct.bin" >/dev/null 2>"$work/decrypt.err"; then
	fail "decrypt with a disabled key succeeded"
fi
codes=$(logs filter-log-events --log-group-name "$group" --filter-pattern DisabledException \
	--query 'events[].message' --output json | python3 -c 'import json,sys
print(" ".join(json.loads(m)["detail"]["eventName"]+":"+json.loads(m)["detail"]["errorCode"] for m in json.load(sys.stdin)))')
[[ $codes == "Decrypt:DisabledException" ]] || fail "filter-log-events shows [$codes], want the failed Decrypt only"
n=$(logs filter-log-events --log-group-name "$group" --query 'length(events)' --output text)
[[ $n == 1 ]] || fail "the log group holds $n events, want 1 (successful calls must not be delivered)"
echo "filter-log-events: $codes"
echo "awscli-check: OK"
