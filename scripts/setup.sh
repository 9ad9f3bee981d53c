#!/usr/bin/env bash
# Installs what building, serving and testing Consensus Playground need, on a
# fresh machine that has only Rust (and Node.js/npm, as Debian ships them).
# Safe to run again: whatever is already present is skipped. Sourced by
# scripts/serve.sh and scripts/test.sh (it puts node_modules/.bin on PATH).
set -euo pipefail

step() { printf '\n==> %s\n' "$*"; }

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must match the wasm-bindgen crate pinned in web/Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' web/Cargo.toml)

step "Rust targets: wasm32-unknown-unknown, thumbv7em-none-eabihf (a target without std)"
rustup target add wasm32-unknown-unknown thumbv7em-none-eabihf >/dev/null
rustup component add clippy rustfmt >/dev/null 2>&1 || true

step "Trunk $TRUNK_VERSION"
if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
  echo "installing trunk $TRUNK_VERSION with cargo (about 12 minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

step "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  # Not --locked: one of its locked dependencies is missing from the index.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

step "wasm-opt (npm binaryen) and playwright-core, from package-lock.json"
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund
fi
export PATH="$PWD/node_modules/.bin:$PATH"
wasm-opt --version

step "Chromium and ChromeDriver for the browser tests (Debian packages)"
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
chromium --version
