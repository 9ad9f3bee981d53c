#!/usr/bin/env bash
# Runs every test of Consensus Playground, after installing what is missing
# (scripts/setup.sh). This is the README's test command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

step "Formatting and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings

step "The core builds for wasm and for a target with no std at all"
cargo build -q -p consensus-core --target wasm32-unknown-unknown
cargo build -q -p consensus-core --target thumbv7em-none-eabihf

step "Same seed, same trace in wasm: the fingerprint tests compiled to wasm32, run in Node.js"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p consensus-core --target wasm32-unknown-unknown --test fingerprints

step "Unit, scenario, simulator, random-schedule, command-line and app-state tests"
cargo test --workspace

step "Random schedules in a release build: 20,000 more seeds x 2,000 steps per protocol (about 4 minutes: Raft 33 s, Paxos 107 s, Zab 37 s, Multi-Paxos 45 s, VR 30 s)"
cargo build -q --release -p consensus-cli
for protocol in raft paxos zab multipaxos vr; do
  ./target/release/consensus check --protocol "$protocol" --start 10000 --seeds 20000 --steps 2000
done

step "Random schedules with clients: 5,000 seeds x 2,000 steps per protocol, every history checked for linearizability (about 30 s)"
for protocol in raft paxos zab multipaxos vr; do
  ./target/release/consensus check --protocol "$protocol" --reads --start 50000 --seeds 5000 --steps 2000
done

step "Release build of the site, and its shipped size"
trunk build --release
bash scripts/size.sh
if grep -q -e '.well-known/trunk' -e 'WebSocket' dist/index.html; then
  echo "dist/index.html holds Trunk's live-reload script; the shipped page must not (build it with trunk build --release)" >&2
  exit 1
fi

step "Browser tests: headless Chromium against the release build on 127.0.0.1"
node --test --test-concurrency=1 tests/browser/
