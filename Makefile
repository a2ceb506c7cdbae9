# register — see README.md. Every target is a plain command; CI runs `make test`.
GO ?= go
BIN := bin/register

.PHONY: build test deps demo bench lint fuzz update clean

build:
	$(GO) build -o $(BIN) ./cmd/register

# The test run fuzzes each target for a count of inputs, not a time: with
# a time, Go 1.26 can fail a target with a bare "context deadline
# exceeded" as the time runs out (golang/go#75804, fixed in Go 1.27).
test: deps lint
	$(GO) test -count=1 ./...
	$(MAKE) fuzz FUZZTIME=10000x

deps:
	bash .ci/install-deps

lint:
	@out=$$(gofmt -l cmd register site templates); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# demo: the README's first command. Builds the demo register's site and
# serves it on loopback, printing the address (Ctrl-C stops it).
demo: build
	rm -rf demo demo.keys public
	$(BIN) demo demo --seed 1
	$(BIN) build demo --out public
	$(BIN) serve demo --out public

fuzz:
	$(GO) test ./register -run '^$$' -fuzz '^FuzzParseCase$$' -fuzztime $${FUZZTIME:-60s}
	$(GO) test ./register -run '^$$' -fuzz '^FuzzParseMinutes$$' -fuzztime $${FUZZTIME:-60s}
	$(GO) test ./register -run '^$$' -fuzz '^FuzzParseCacheEntry$$' -fuzztime $${FUZZTIME:-60s}
	$(GO) test ./register/yamlblock -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $${FUZZTIME:-60s}
	$(GO) test ./register -run '^$$' -fuzz '^FuzzParseID$$' -fuzztime $${FUZZTIME:-60s}
	$(GO) test ./register/edit -run '^$$' -fuzz '^FuzzEdit$$' -fuzztime $${FUZZTIME:-60s}
	$(GO) test ./site -run '^$$' -fuzz '^FuzzCacheFile$$' -fuzztime $${FUZZTIME:-60s}
	$(GO) test ./site -run '^$$' -fuzz '^FuzzDecodeSummary$$' -fuzztime $${FUZZTIME:-60s}

bench: build
	bash testdata/bench/run.sh

update:
	$(GO) test ./site -update

clean:
	rm -rf bin public demo demo.keys
