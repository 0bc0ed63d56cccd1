#!/usr/bin/env bash
# Installs the tools the bindings need, idempotently: only what is missing is installed, and
# everything lands inside the repository (.tools/, .venv/, bindings-*/node_modules/), never in the
# user's global environment. Prints one line per tool: `skip` (already there) or `install`.
# The exceptions are `browser`, `prometheus` and `postgresql`: Debian's Chromium (/usr/bin/chromium,
# for the wasm binding's browser test), Prometheus (/usr/bin/prometheus and promtool, for the tests
# of `kiro watch` against a real server) and PostgreSQL (for the history's tests against a real
# server), installed system-wide with apt-get when missing.
#
#   .ci/install-tools.sh            # everything
#   .ci/install-tools.sh python     # only some: wasm-target wasm-bindgen python node wasm-npm
#                                   # typegen browser prometheus postgresql
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
VENV="$ROOT/.venv"
# Pinned tool versions. maturin 1.16 is the current 1.x and the one BUILD-NOTES measured; pytest 9.2
# is current; pyyaml reads the shared conformance corpus.
MATURIN_VERSION="1.16.0"
PYTEST_VERSION="9.2.0"
PYYAML_VERSION="6.0.3"
# coverage.py regenerates the Cobertura and LCOV evidence fixtures live (tests/evidence.rs).
COVERAGE_VERSION="7.17.5"
# The host types are generated from the core's JSON Schemas (scripts/generate-types.sh):
# datamodel-code-generator writes the Python TypedDicts (in the venv, with `python`), and
# json-schema-to-typescript the TypeScript interfaces (`typegen`, in .tools/typegen). mypy's
# stubtest checks the Python stubs against the built module.
DATAMODEL_CODEGEN_VERSION="0.97.0"
MYPY_VERSION="2.4.1"
# NumPy for the Python binding's tests of NumPy columns (dtypes that need converting): kiro does
# not depend on it.
NUMPY_VERSION="2.4.6"
# Batches straight from data frames (bindings-python/tests/test_frames.py): pandas, pyarrow and
# Polars, each with its own word for missing data.
PANDAS_VERSION="3.1.1"
PYARROW_VERSION="26.0.1"
POLARS_VERSION="2.1.0"
# PyDriller, which asks git for each commit's files and lines, cross-checks `kiro risk
# features` (cli/tests/risk.rs runs benches/risk_pydriller.py).
PYDRILLER_VERSION="2.12"
JSON_SCHEMA_TO_TYPESCRIPT_VERSION="16.0.0"

say() { printf '[install-tools] %-13s %s\n' "$1" "$2"; }

want() { # want NAME: true when NAME was asked for (or nothing was asked for)
    [ "${#SELECTED[@]}" -eq 0 ] && return 0
    local s
    for s in "${SELECTED[@]}"; do [ "$s" = "$1" ] && return 0; done
    return 1
}
SELECTED=("$@")

# The wasm-bindgen version pinned in the wasm crate: the line `wasm-bindgen = "=X.Y.Z"`.
wasm_bindgen_version() {
    sed -n 's/^wasm-bindgen *= *"=\([0-9][0-9.]*\)".*/\1/p' "$ROOT/bindings-wasm/Cargo.toml" | head -n 1
}

if want wasm-target; then
    if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
        say wasm-target "skip (wasm32-unknown-unknown already installed)"
    else
        say wasm-target "install (rustup target add wasm32-unknown-unknown)"
        rustup target add wasm32-unknown-unknown
    fi
fi

if want wasm-bindgen; then
    version="$(wasm_bindgen_version)"
    if [ -z "$version" ]; then
        echo "[install-tools] cannot find an exact wasm-bindgen pin (\"=X.Y.Z\") in bindings-wasm/Cargo.toml" >&2
        exit 1
    fi
    have="$("$TOOLS/bin/wasm-bindgen" --version 2>/dev/null | awk '{print $2}' || true)"
    if [ "$have" = "$version" ]; then
        say wasm-bindgen "skip ($version already in .tools/bin)"
    else
        say wasm-bindgen "install ${version} into .tools (was: ${have:-none}; takes a few minutes)"
        # No --locked: it fails against this registry (BUILD-NOTES).
        cargo install wasm-bindgen-cli --version "$version" --no-default-features \
            --root "$TOOLS" --force
    fi
fi

if want python; then
    if [ ! -x "$VENV/bin/python" ]; then
        say venv "install (python3 -m venv .venv)"
        python3 -m venv "$VENV"
    else
        say venv "skip (.venv exists)"
    fi
    missing=()
    "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('maturin') != '$MATURIN_VERSION')" 2>/dev/null \
        || missing+=("maturin==$MATURIN_VERSION")
    "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('pytest') != '$PYTEST_VERSION')" 2>/dev/null \
        || missing+=("pytest==$PYTEST_VERSION")
    "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('pyyaml') != '$PYYAML_VERSION')" 2>/dev/null \
        || missing+=("pyyaml==$PYYAML_VERSION")
    "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('coverage') != '$COVERAGE_VERSION')" 2>/dev/null \
        || missing+=("coverage==$COVERAGE_VERSION")
    "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('datamodel-code-generator') != '$DATAMODEL_CODEGEN_VERSION')" 2>/dev/null \
        || missing+=("datamodel-code-generator==$DATAMODEL_CODEGEN_VERSION")
    "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('mypy') != '$MYPY_VERSION')" 2>/dev/null \
        || missing+=("mypy==$MYPY_VERSION")
    "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('numpy') != '$NUMPY_VERSION')" 2>/dev/null \
        || missing+=("numpy==$NUMPY_VERSION")
    for pinned in "pandas==$PANDAS_VERSION" "pyarrow==$PYARROW_VERSION" "polars==$POLARS_VERSION" "pydriller==$PYDRILLER_VERSION"; do
        "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('${pinned%%==*}') != '${pinned#*==}')" 2>/dev/null \
            || missing+=("$pinned")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        say python "skip (maturin $MATURIN_VERSION, pytest $PYTEST_VERSION, pyyaml $PYYAML_VERSION, coverage $COVERAGE_VERSION, datamodel-code-generator $DATAMODEL_CODEGEN_VERSION, mypy $MYPY_VERSION, numpy $NUMPY_VERSION, pandas $PANDAS_VERSION, pyarrow $PYARROW_VERSION, polars $POLARS_VERSION, pydriller $PYDRILLER_VERSION present)"
    else
        say python "install ${missing[*]}"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
    fi
fi

# npm install (not npm ci: the registry mirror lacks some other-platform optional packages of the
# napi CLI, so npm ci reports the lockfile out of sync; npm install keeps the committed lockfile).
# Both packages depend on bindings-js/ (`@kiro/bindings-js`, the JavaScript they share) as a
# `file:` dependency, which npm links into node_modules: its package.json counts too.
SHARED_JS="$ROOT/bindings-js/package.json"
npm_install() { # npm_install NAME DIR MARKER
    local name="$1" dir="$2" marker="$3" stamp want_stamp
    # The stamp records the package.json files and the lockfile node_modules was installed from.
    stamp="$dir/node_modules/.kiro-install-stamp"
    want_stamp="$(cat "$dir/package.json" "$dir/package-lock.json" "$SHARED_JS" 2>/dev/null | sha256sum | cut -d' ' -f1)"
    if [ -e "$dir/$marker" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want_stamp" ]; then
        say "$name" "skip (node_modules matches package.json, package-lock.json and bindings-js)"
    else
        say "$name" "install (npm install in ${dir#"$ROOT"/})"
        (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
        # npm install may have written the lockfile: stamp what is there now.
        cat "$dir/package.json" "$dir/package-lock.json" "$SHARED_JS" | sha256sum | cut -d' ' -f1 >"$stamp"
    fi
}

if want typegen; then
    have="$(node -p "require('$TOOLS/typegen/node_modules/json-schema-to-typescript/package.json').version" 2>/dev/null || true)"
    if [ "$have" = "$JSON_SCHEMA_TO_TYPESCRIPT_VERSION" ]; then
        say typegen "skip (json-schema-to-typescript $have in .tools/typegen)"
    else
        say typegen "install json-schema-to-typescript@$JSON_SCHEMA_TO_TYPESCRIPT_VERSION into .tools/typegen"
        npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$TOOLS/typegen" \
            "json-schema-to-typescript@$JSON_SCHEMA_TO_TYPESCRIPT_VERSION"
    fi
fi

if want node; then
    npm_install node "$ROOT/bindings-node" node_modules/.bin/napi
fi
if want wasm-npm; then
    npm_install wasm-npm "$ROOT/bindings-wasm" node_modules/.bin/wasm-opt
fi

# Debian's Chromium, for bindings-wasm/test/browser.test.mjs (driven by npm playwright-core, which
# downloads no browser). System-wide: apt-get as root, or through sudo. When it cannot be
# installed this only warns: the test then fails under CI=true and skips elsewhere, saying why.
CHROMIUM=/usr/bin/chromium
if want browser; then
    if [ -x "$CHROMIUM" ]; then
        say browser "skip (chromium $(dpkg-query -W -f='${Version}' chromium 2>/dev/null || echo '?') at $CHROMIUM)"
    else
        as_root=()
        [ "$(id -u)" -eq 0 ] || as_root=(sudo -n)
        if ! command -v apt-get >/dev/null 2>&1; then
            say browser "cannot install: no $CHROMIUM and no apt-get (install Chromium there by hand)"
        elif [ "${#as_root[@]}" -gt 0 ] && ! sudo -n true 2>/dev/null; then
            say browser "cannot install: no $CHROMIUM, not root and no password-less sudo for apt-get"
        else
            say browser "install (apt-get install chromium: Debian's, into $CHROMIUM; may take a minute)"
            start=$SECONDS
            if "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
                && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                    --no-install-recommends chromium >/dev/null \
                && [ -x "$CHROMIUM" ]; then
                say browser "installed chromium $(dpkg-query -W -f='${Version}' chromium) in $((SECONDS - start)) s"
            else
                say browser "apt-get could not install chromium (see above)"
            fi
        fi
    fi
fi

# Debian's Prometheus (2.42 on Debian 12: /usr/bin/prometheus and /usr/bin/promtool), for
# cli/tests/prometheus.rs, which starts its own server on a free loopback port (never the system
# service the package also installs). System-wide, like the browser: apt-get as root or through
# sudo. When it cannot be installed this only warns: the tests then fail under CI=true and skip
# elsewhere, saying why.
PROMETHEUS=/usr/bin/prometheus
PROMTOOL=/usr/bin/promtool
if want prometheus; then
    if [ -x "$PROMETHEUS" ] && [ -x "$PROMTOOL" ]; then
        say prometheus "skip (prometheus $(dpkg-query -W -f='${Version}' prometheus 2>/dev/null || echo '?') at $PROMETHEUS)"
    else
        as_root=()
        [ "$(id -u)" -eq 0 ] || as_root=(sudo -n)
        if ! command -v apt-get >/dev/null 2>&1; then
            say prometheus "cannot install: no $PROMETHEUS and no apt-get (install Prometheus there by hand)"
        elif [ "${#as_root[@]}" -gt 0 ] && ! sudo -n true 2>/dev/null; then
            say prometheus "cannot install: no $PROMETHEUS, not root and no password-less sudo for apt-get"
        else
            say prometheus "install (apt-get install prometheus: Debian's, into $PROMETHEUS; may take a minute)"
            start=$SECONDS
            if "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
                && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                    --no-install-recommends prometheus >/dev/null \
                && [ -x "$PROMETHEUS" ] && [ -x "$PROMTOOL" ]; then
                say prometheus "installed prometheus $(dpkg-query -W -f='${Version}' prometheus) in $((SECONDS - start)) s"
            else
                say prometheus "apt-get could not install prometheus (see above)"
            fi
        fi
    fi
fi

# Debian's PostgreSQL (15 on Debian 12: initdb, pg_ctl, postgres and psql in
# /usr/lib/postgresql/15/bin), for adapters/tests/history_store.rs and cli/tests/history.rs, which
# start their own cluster with initdb on a free loopback port (never the system service the package
# also sets up). System-wide, like Prometheus: apt-get as root or through sudo. When it cannot be
# installed this only warns: the tests then fail under CI=true and skip elsewhere, saying why.
postgresql_bindir() { # the newest /usr/lib/postgresql/*/bin with the binaries the tests run
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -rn); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ] && [ -x "$dir/psql" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}
if want postgresql; then
    if dir="$(postgresql_bindir)"; then
        say postgresql "skip ($("$dir/postgres" --version 2>/dev/null || echo 'postgres ?') in $dir)"
    else
        as_root=()
        [ "$(id -u)" -eq 0 ] || as_root=(sudo -n)
        if ! command -v apt-get >/dev/null 2>&1; then
            say postgresql "cannot install: no /usr/lib/postgresql/*/bin and no apt-get (install PostgreSQL there by hand)"
        elif [ "${#as_root[@]}" -gt 0 ] && ! sudo -n true 2>/dev/null; then
            say postgresql "cannot install: no PostgreSQL, not root and no password-less sudo for apt-get"
        else
            say postgresql "install (apt-get install postgresql: Debian's, into /usr/lib/postgresql; may take a minute)"
            start=$SECONDS
            if "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
                && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                    --no-install-recommends postgresql >/dev/null \
                && dir="$(postgresql_bindir)"; then
                say postgresql "installed postgresql $(dpkg-query -W -f='${Version}' postgresql) in $((SECONDS - start)) s ($dir)"
            else
                say postgresql "apt-get could not install postgresql (see above)"
            fi
        fi
    fi
fi
