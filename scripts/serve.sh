#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then serves the playground at
# http://127.0.0.1:8080 with Trunk (release build; rebuilds on change and
# reloads the page). It builds into target/serve, never into dist/: the page
# it serves carries Trunk's live-reload script, which a copied dist/ must not.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
step "Serving the playground at http://127.0.0.1:8080 (Ctrl-C to stop)"
exec trunk serve --release --dist target/serve
