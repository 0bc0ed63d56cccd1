#!/usr/bin/env bash
# Builds every artifact a user installs into dist/, with their SHA-256 checksums:
#
#   dist/kiro-<version>-<target>.tar.gz       the `kiro` CLI binary
#   dist/kiro-<version>-cp39-abi3-<tag>.whl   the Python package (one wheel for CPython 3.9+)
#   dist/kiro-<version>.tgz                   the Node.js package, native for this platform
#   dist/kiro-wasm-<version>.tgz              the WebAssembly package (Node.js and browsers)
#   dist/SHA256SUMS
#
#   scripts/dist.sh           # build
#   scripts/dist.sh --test    # build, then install each artifact in a new temporary folder
#                             # (no network) and run the kova example with it
#
# Needs the tools of .ci/install-tools.sh (it runs it, skipping what is there). None of these
# packages is published to a registry: install them from dist/ (docs/install.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TEST=0
case "${1:-}" in
    --test) TEST=1 ;;
    "") ;;
    *) echo "usage: scripts/dist.sh [--test]" >&2; exit 2 ;;
esac

bash .ci/install-tools.sh python node wasm-target wasm-bindgen wasm-npm
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
HOST="$(rustc -vV | sed -n 's/^host: //p')"
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
    | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
DIST="$ROOT/dist"
rm -rf "$DIST"
mkdir -p "$DIST"

echo "==> CLI"
cargo build --release --locked -p kiro-cli
cli="kiro-$VERSION-$HOST"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
mkdir "$staging/$cli"
cp "$TARGET_DIR/release/kiro" README.md "$staging/$cli/"
tar -czf "$DIST/$cli.tar.gz" -C "$staging" "$cli"

echo "==> Python wheel"
.venv/bin/maturin build --release --quiet --manifest-path bindings-python/Cargo.toml --out "$DIST"

echo "==> Node.js package"
(cd bindings-node && npx --no-install napi build --platform --release && npm pack --silent --pack-destination "$DIST" >/dev/null)

echo "==> WebAssembly package"
bindings-wasm/build.sh
(cd bindings-wasm && npm pack --silent --pack-destination "$DIST" >/dev/null)

(cd "$DIST" && sha256sum -- *.tar.gz *.whl *.tgz > SHA256SUMS)
echo "==> dist/"
(cd "$DIST" && ls -l && cat SHA256SUMS)

[ "$TEST" = 1 ] || exit 0

# Each artifact, installed where nothing of the repository is on any path, checks the kova
# example's warn metrics and must say `warn`.
POLICY="$ROOT/examples/kova/kiro.yaml"
METRICS="$ROOT/examples/kova/metrics/warn.json"
clean="$(mktemp -d)"
trap 'rm -rf "$staging" "$clean"' EXIT
cd "$clean"

echo "==> test: the CLI from its archive"
(cd "$DIST" && sha256sum --check --quiet SHA256SUMS)
tar -xzf "$DIST/$cli.tar.gz"
out="$("./$cli/kiro" check "$POLICY" --metrics "$METRICS" --format json)"
grep -q '"verdict":"warn"' <<<"$out" || { echo "CLI: not the warn verdict: $out" >&2; exit 1; }

echo "==> test: the wheel in a new virtual environment"
python3 -m venv venv
venv/bin/pip install --quiet --no-index --disable-pip-version-check "$DIST"/kiro-*.whl
venv/bin/python - "$POLICY" "$METRICS" <<'EOF'
import json, sys
import kiro
decision = kiro.Policy.from_path(sys.argv[1]).check(json.load(open(sys.argv[2])))
assert decision["verdict"] == "warn", decision["verdict"]
assert kiro.__file__.startswith(sys.prefix), kiro.__file__
EOF

for package in "kiro-$VERSION.tgz:kiro" "kiro-wasm-$VERSION.tgz:kiro-wasm"; do
    file="${package%%:*}" name="${package##*:}"
    echo "==> test: $file in a new npm project"
    mkdir "$name-app"
    (
        cd "$name-app"
        npm init --yes >/dev/null
        npm install --offline --no-audit --no-fund --silent "$DIST/$file"
        node - "$POLICY" "$METRICS" "$name" <<'EOF'
const fs = require('node:fs')
const [policy, metrics, name] = process.argv.slice(2)
const { Policy } = require(name)
const decision = Policy.fromText(fs.readFileSync(policy, 'utf8'))
  .check(JSON.parse(fs.readFileSync(metrics, 'utf8')))
if (decision.verdict !== 'warn') throw new Error(`${name}: verdict ${decision.verdict}`)
if (!require.resolve(name).startsWith(process.cwd())) throw new Error(`${name} not from the install`)
EOF
    )
done
echo "==> every artifact installed and checked the kova example"
