#!/usr/bin/env bash
# The shipped size of the built site (dist/): each file raw and gzipped, and
# the total. Fails if the gzipped total passes the budget, so the download
# stays small. Run after `trunk build --release`.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET_KB=${SIZE_BUDGET_KB:-410}
[ -d dist ] || { echo "no dist/: run trunk build --release first" >&2; exit 1; }
total_raw=0
total_gz=0
printf '%-12s %10s %10s\n' kind bytes gzipped
for f in dist/*; do
  [ -f "$f" ] || continue
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  case "$f" in
    *.wasm) kind=wasm ;; *.js) kind=js ;; *.css) kind=css ;; *.html) kind=html ;; *) kind=other ;;
  esac
  printf '%-12s %10d %10d\n' "$kind" "$raw" "$gz"
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
done
printf '%-12s %10d %10d\n' total "$total_raw" "$total_gz"
if [ "$total_gz" -gt $((BUDGET_KB * 1024)) ]; then
  echo "the site is $((total_gz / 1024)) KiB gzipped, over the ${BUDGET_KB} KiB budget" >&2
  exit 1
fi
echo "within the ${BUDGET_KB} KiB gzipped budget"
