#!/usr/bin/env bash
# Builds the WebAssembly bindings: compiles the crate for wasm32-unknown-unknown, runs the
# wasm-bindgen CLI (the version pinned in Cargo.toml, installed by .ci/install-tools.sh into
# .tools/bin) for Node.js (pkg-node, `--target nodejs`) and browsers/bundlers (pkg-web,
# `--target web`), then shrinks both with `wasm-opt -Os` from the npm `binaryen` package.
#
#   bindings-wasm/build.sh            # release build
#   KIRO_WASM_NO_OPT=1 build.sh       # skip wasm-opt (faster while iterating)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
WASM_BINDGEN="${WASM_BINDGEN:-$ROOT/.tools/bin/wasm-bindgen}"
WASM_OPT="${WASM_OPT:-$HERE/node_modules/.bin/wasm-opt}"
TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps \
    | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"

want="$(sed -n 's/^wasm-bindgen *= *"=\([0-9][0-9.]*\)".*/\1/p' "$HERE/Cargo.toml" | head -n 1)"
have="$("$WASM_BINDGEN" --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have" != "$want" ]; then
    echo "build.sh: wasm-bindgen CLI ${have:-not found} at $WASM_BINDGEN, crate pins $want;" \
        "run .ci/install-tools.sh" >&2
    exit 1
fi

cd "$ROOT"
# Size over speed for the wasm32 artifacts only (these overrides touch no host build): whole-
# program LTO in one codegen unit, optimised for size.
export CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_OPT_LEVEL=s
cargo build -p kiro-wasm --target wasm32-unknown-unknown --release
WASM="$TARGET_DIR/wasm32-unknown-unknown/release/kiro_wasm.wasm"

for target in nodejs web; do
    case "$target" in nodejs) out="$HERE/pkg-node" ;; web) out="$HERE/pkg-web" ;; esac
    rm -rf "$out"
    # --experimental-reset-state-function: js/ replaces the instance after a KIRO-E099 (see
    # src/error.rs) and marks objects from before as stale.
    "$WASM_BINDGEN" --target "$target" --experimental-reset-state-function --out-dir "$out" "$WASM"
    if [ "$target" = web ]; then
        # ES modules for Node too (the tests load pkg-web with initSync).
        printf '{ "type": "module" }\n' >"$out/package.json"
    fi
done

# The two targets share one .wasm (only the JavaScript glue differs): optimise it once when so.
node_bg="$HERE/pkg-node/kiro_wasm_bg.wasm"
web_bg="$HERE/pkg-web/kiro_wasm_bg.wasm"
before=$(stat -c %s "$node_bg")
optimise() { # optimise FILE
    # The features wasm-bindgen output relies on (Rust >= 1.82 emits them by default).
    "$WASM_OPT" -Os --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals --enable-reference-types --enable-multivalue "$1" -o "$1.opt"
    mv "$1.opt" "$1"
}
if [ -z "${KIRO_WASM_NO_OPT:-}" ]; then
    if cmp -s "$node_bg" "$web_bg"; then
        optimise "$node_bg"
        cp "$node_bg" "$web_bg"
    else
        optimise "$node_bg"
        optimise "$web_bg"
    fi
fi
echo "build.sh: pkg-node (--target nodejs) and pkg-web (--target web): $before bytes after" \
    "wasm-bindgen, $(stat -c %s "$node_bg") after wasm-opt"
