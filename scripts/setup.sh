#!/usr/bin/env bash
# Installs what building and testing Consensus Playground needs on a fresh
# machine that has only Rust: the wasm and no_std targets. Safe to run again:
# whatever is already present is skipped.
set -euo pipefail

step() { printf '\n==> %s\n' "$*"; }

step "Rust targets: wasm32-unknown-unknown, thumbv7em-none-eabihf (a target without std)"
rustup target add wasm32-unknown-unknown thumbv7em-none-eabihf >/dev/null
rustup component add clippy rustfmt >/dev/null 2>&1 || true
