# humd: `make run` starts the server with embedded defaults, `make test` runs every test.
GO        ?= go
PKGS      := ./...
# make release: the version stamped into the binaries (default: app.Version),
# the platforms built and where they go.
VERSION   ?= $(shell sed -n 's/^var Version = "\(.*\)"/\1/p' app/app.go)
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
DIST      ?= dist

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: deps
deps: ## Download Go modules (the only install step humd needs)
	$(GO) mod download

.PHONY: build
build: deps ## Build bin/humd
	$(GO) build -o bin/humd ./cmd/humd

.PHONY: release
release: deps ## Static binaries for linux and darwin (amd64, arm64) in dist/, with SHA256SUMS
	rm -f $(DIST)/humd-* $(DIST)/SHA256SUMS
	mkdir -p $(DIST)
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; out=$(DIST)/humd-$(VERSION)-$$os-$$arch; echo "build $$out"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath \
			-ldflags "-s -w -X github.com/humd/humd/app.Version=$(VERSION)" -o $$out ./cmd/humd; \
	done
	cd $(DIST) && { sha256sum humd-* 2>/dev/null || shasum -a 256 humd-*; } > SHA256SUMS
	@cat $(DIST)/SHA256SUMS

.PHONY: run
run: build ## Start humd: Pebble in ./data, 127.0.0.1:8080, sandbox carrier, local model
	./bin/humd serve

.PHONY: test
test: deps ## Run every test (unit, golden scripts, fuzz seeds, lint, the console in chromium), with go vet
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || \
		echo "chromium not installed: browser tests skipped (apt-get install chromium runs them)"
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 15m $(PKGS)

.PHONY: screenshots
screenshots: ## Rewrite the console's screenshots in docs/console/ (needs chromium)
	HUMD_SCREENSHOTS=$(CURDIR)/docs/console $(GO) test -count=1 -run TestBrowser ./app/consolebrowser/

.PHONY: test-race
test-race: deps ## Run every test with the race detector
	$(GO) test -count=1 -race -timeout 20m $(PKGS)

.PHONY: lint
lint: ## go vet, gofmt and the project's policy test
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) test -count=1 -run TestPolicy ./cmd/humd

.PHONY: bench
bench: deps ## Micro benchmarks and humbench (ingest, api, baselines); rewrites bench/RESULTS.md
	@mkdir -p bench/out
	$(GO) test -run '^$$' -bench . -benchtime 1s -benchmem ./storage/ ./actors/sender/ ./actors/conversation/ ./transport/twilio/ > bench/out/micro.txt; \
		st=$$?; cat bench/out/micro.txt; exit $$st
	$(GO) run ./cmd/humbench -workload all -duration 10s -recipients 5000 -calls 100 -calls-then 1000 -micro bench/out/micro.txt -md bench/RESULTS.md

.PHONY: check
check: lint test-race ## Everything CI could want

.PHONY: clean
clean: ## Remove build output (not ./data)
	rm -rf bin dist
