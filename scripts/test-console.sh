#!/usr/bin/env bash
# The supervisor's console in a real browser: hub/tests/browser (pytest + Playwright driving
# Debian's Chromium at /usr/bin/chromium, handhelds from the Python bindings, axe-core for
# accessibility). Screenshots of each page go to target/console-screenshots. Needs the chromium
# package (.ci/run installs it) and the Python wheel of the bindings that scripts/test-apps.sh
# builds (built here when missing). Ends with "browser tests: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
    echo "test-console: no Chromium at $chromium (Debian's chromium package; .ci/run installs it)" >&2
    echo "browser tests: 0 passed, 1 failed"
    exit 1
fi
bash scripts/build-debug.sh
if ! ls target/wheels/dockhand-*.whl >/dev/null 2>&1; then
    bash scripts/bindings.sh
    python3 -m pip wheel -q --no-deps -w target/wheels bindings/python
fi
venv=target/console-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r hub/tests/browser/requirements.txt
"$venv/bin/pip" install -q --force-reinstall --no-deps target/wheels/dockhand-*.whl
export CONSOLE_SCREENSHOTS="$PWD/target/console-screenshots"
rm -rf "$CONSOLE_SCREENSHOTS"
log=$(mktemp)
status=0
# From outside the source tree, so the installed wheel is what gets imported.
(cd target && CHROMIUM="$chromium" "../$venv/bin/python" -m pytest -q -p no:cacheprovider \
    ../hub/tests/browser) 2>&1 | tee "$log" || status=$?
passed=$(grep -o '[0-9]* passed' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
failed=$(grep -oE '[0-9]+ (failed|error)' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
rm -f "$log"
[ "$status" != 0 ] && [ "${failed:-0}" = 0 ] && failed=1
[ -f "$CONSOLE_SCREENSHOTS/figures.txt" ] && sed 's/^/measured: /' "$CONSOLE_SCREENSHOTS/figures.txt"
echo "screenshots: $(ls "$CONSOLE_SCREENSHOTS"/*.png 2>/dev/null | wc -l) in $CONSOLE_SCREENSHOTS"
echo "browser tests: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
