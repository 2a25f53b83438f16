#!/usr/bin/env bash
# Labels round trip (cli/tests/labels): every label `dockhand label` writes is rendered by an
# independent ZPL engine (zpl-renderer-js from npm: Zebrash in WebAssembly, run by Node) and its
# barcodes decoded by zxing-cpp (PyPI); the decoded data must be what dockhand printed, and
# `dockhand gs1` must parse it. PNGs of the labels go to target/label-pngs. Ends with
# "label tests: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build-debug.sh
dir=cli/tests/labels
(cd "$dir" && npm ci --no-audit --no-fund --silent)
venv=target/labels-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r "$dir/requirements.txt"
export DOCKHAND="$PWD/target/debug/dockhand"
export LABEL_PNGS="$PWD/target/label-pngs"
rm -rf "$LABEL_PNGS"
log=$(mktemp)
status=0
"$venv/bin/python" -m pytest -q -s -p no:cacheprovider "$dir" 2>&1 | tee "$log" || status=$?
passed=$(grep -o '[0-9]* passed' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
# The summary line ("1 failed, 7 passed, 2 errors in …"): failures and errors together.
failed=$( (grep -E '^[0-9]+ (passed|failed|errors?)|^=+ .*(failed|error)' "$log" || true) | tail -1 \
    | (grep -oE '[0-9]+ (failed|errors?)' || true) | awk '{ n += $1 } END { print n + 0 }')
rm -f "$log"
[ "$status" != 0 ] && [ "${failed:-0}" = 0 ] && failed=1
echo "label tests: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
