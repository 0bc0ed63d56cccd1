#!/usr/bin/env bash
# The whole test suite: Rust (unit, property, doc, conformance, CLI golden files, `kiro watch`
# against a real Prometheus server), benches
# compile, fuzz targets compile, and — once installed by .ci/install-tools.sh — the Python,
# Node and WebAssembly bindings running the same conformance corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
started=$SECONDS

step "install tools (skips what is already there)"
bash .ci/install-tools.sh

step "Rust tests"
# cli/tests/prometheus.rs starts a real Prometheus (installed above); without one it skips,
# saying so, except under CI=true, where it fails.
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
    echo "note: prometheus/promtool not on PATH: the tests of kiro watch against a real server will skip (fail under CI=true)"
fi
cargo test --workspace --all-targets
cargo test --workspace --doc

step "benches compile and run once as tests"
cargo test --benches -p kiro-benches

step "fuzz targets build"
cargo build --locked --manifest-path fuzz/Cargo.toml --bins

step "bindings: Python, Node, WebAssembly"
bash .ci/bindings.sh

step "artifacts: build each into dist/, install it in a clean folder, run the example"
bash scripts/dist.sh --test

printf '\nall tests passed in %ss\n' "$((SECONDS - started))"
