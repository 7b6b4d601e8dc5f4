#!/usr/bin/env bash
# Install tools/clerk-js (the pinned @clerk/backend our differential and emulator tests run) with npm ci.
# Skipped when node_modules already matches package-lock.json.
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools/clerk-js" && pwd)"
stamp="$dir/node_modules/.lock.sha256"
want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
command -v npm >/dev/null || { echo "clerk-js.sh: npm not found (node >= 20 is required)" >&2; exit 1; }
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then exit 0; fi
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" >"$stamp"
echo "clerk-js.sh: installed @clerk/backend $(node -p "require('$dir/node_modules/@clerk/backend/package.json').version")"
