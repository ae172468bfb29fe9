# byok — see README.md. Every target runs the idempotent setup first.
GO ?= go

.PHONY: setup demo test bench lambda

setup:
	@scripts/setup.sh

demo: setup
	bin/byok demo

# The whole suite: unit, contract (sandbox over HTTP, real SDK), HSM tokens
# (SoftHSM2 and NSS softokn), crash/kill tests, fuzz seed corpora.
test: setup
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 45m ./...

bench: setup
	$(GO) test -run '^$$' -bench . -benchtime 3s ./...

lambda:
	scripts/build-lambda.sh
