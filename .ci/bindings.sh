#!/usr/bin/env bash
# Builds and tests the Python, Node.js and WebAssembly bindings, timing each step.
#
#   .ci/bindings.sh                  # tools, then all three
#   .ci/bindings.sh python wasm      # only some (python, node, wasm)
#
# Installs what it needs first (.ci/install-tools.sh: idempotent, repo-local). Builds use the
# workspace's target directory; the Python wheel goes to a private temporary folder so that
# concurrent builds from other checkouts sharing the target directory cannot swap it.
# Fails when a generated file (bindings-node/index.d.ts, index.js; the host types of
# scripts/generate-types.sh) was out of date.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SELECTED=("$@")
[ "${#SELECTED[@]}" -eq 0 ] && SELECTED=(python node wasm)

TIMINGS=()
step() { # step NAME COMMAND...: runs a command, prints and records how long it took
    local name="$1" start end
    shift
    echo "::: $name"
    start=$(date +%s.%N)
    "$@"
    end=$(date +%s.%N)
    TIMINGS+=("$(printf '%-34s %7.1f s' "$name" "$(echo "$end - $start" | bc)")")
    echo "::: $name: $(echo "$end - $start" | bc | xargs printf '%.1f') s"
}

summary() {
    echo
    echo "::: bindings timings"
    printf '    %s\n' "${TIMINGS[@]}"
}
trap summary EXIT

tools=()
for b in "${SELECTED[@]}"; do
    case "$b" in
        python) tools+=(python typegen) ;;
        node) tools+=(node typegen python) ;;
        wasm) tools+=(wasm-target wasm-bindgen wasm-npm browser typegen python) ;;
        *) echo "unknown binding \`$b\` (python, node, wasm)" >&2; exit 2 ;;
    esac
done
step "install tools" .ci/install-tools.sh "${tools[@]}"

python_build() {
    local out
    out="$(mktemp -d)"
    .venv/bin/maturin build --release --quiet --manifest-path bindings-python/Cargo.toml --out "$out"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$out"/kiro-*.whl
    rm -rf "$out"
}

# The panic tests panic on purpose: keep their report to the message.
export RUST_BACKTRACE=0

python_test() {
    (cd bindings-python && ../.venv/bin/python -m pytest -q)
    # The stubs (the hand-written _kiro.pyi and the generated _types.pyi) against the built
    # module: every name and signature stubbed exists, and nothing public is missing.
    (cd bindings-python && ../.venv/bin/python -m mypy.stubtest kiro \
        --allowlist stubtest-allowlist.txt)
    # A typed caller compiles against them (mypy --strict), as test/types/usage.ts does in TS.
    (cd bindings-python && ../.venv/bin/python -m mypy --strict tests/typing_usage.py)
}

# The generated host types (TypeScript, Python) and their JSON Schema are current.
types_check() {
    bash scripts/generate-types.sh --check
}

# napi regenerates index.d.ts and index.js; they are committed, so a difference means the
# committed copy was stale (it is left regenerated: commit it).
node_build() {
    local before
    before="$(mktemp -d)"
    cp bindings-node/index.d.ts bindings-node/index.js "$before"/ 2>/dev/null || true
    (cd bindings-node && npx --no-install napi build --platform --release)
    for f in index.d.ts index.js; do
        if ! cmp -s "$before/$f" "bindings-node/$f"; then
            echo "bindings-node/$f was out of date and has been regenerated; commit it:" >&2
            diff -u "$before/$f" "bindings-node/$f" >&2 || true
            rm -rf "$before"
            return 1
        fi
    done
    rm -rf "$before"
}

node_test() {
    (cd bindings-node && node --test test/)
}

wasm_build() {
    bindings-wasm/build.sh
}

wasm_test() {
    (cd bindings-wasm && node --test test/)
}

step "host types current" types_check
for b in "${SELECTED[@]}"; do
    step "$b: build" "${b}_build"
    step "$b: test" "${b}_test"
done
