#!/usr/bin/env bash
# The app-side suites, against bindings generated from the library just built (scripts/bindings.sh):
#   - bindings/kotlin: the generated Kotlin on a desktop JVM (JNA), a whole shift and sync against a
#     hub on loopback;
#   - bindings/python: the package installed from a wheel into a fresh virtualenv, then pytest;
#   - android-sample/logic: the Android sample's screen state holders, unit-tested on the JVM.
# Ends with "app tests: N passed, M failed". Needs Java 17+, Maven and python3 with venv.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bindings.sh
bash scripts/build-debug.sh

passed=0
failed=0
status=0
# Adds the counts of the surefire reports under $1 to the totals.
surefire_counts() {
    local counts
    counts=$(cat "$1"/TEST-*.xml 2>/dev/null | awk '
        match($0, /<testsuite [^>]*/) {
            suite = substr($0, RSTART, RLENGTH)
            for (n = split(suite, kv, " "); n > 0; n--) {
                split(kv[n], p, "=")
                gsub(/"/, "", p[2])
                if (p[1] == "tests") t += p[2]
                if (p[1] == "failures" || p[1] == "errors") f += p[2]
            }
        }
        END { printf "%d %d", t - f, f }')
    passed=$((passed + ${counts% *}))
    failed=$((failed + ${counts#* }))
}

mvn_flags=(-B -q)
[ -n "${CI:-}" ] && mvn_flags=(-B -ntp)
for project in bindings/kotlin android-sample/logic; do
    echo "== mvn test: $project"
    rm -rf "$project/target/surefire-reports"
    mvn "${mvn_flags[@]}" -f "$project/pom.xml" test || status=$?
    surefire_counts "$project/target/surefire-reports"
done

echo "== pytest: bindings/python (wheel in a fresh virtualenv)"
venv=target/python-venv
rm -rf "$venv" target/wheels
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip >/dev/null
"$venv/bin/pip" wheel -q --no-deps -w target/wheels bindings/python
"$venv/bin/pip" install -q target/wheels/dockhand-*.whl pytest
log=$(mktemp)
# From outside the source tree, so the installed wheel is what gets imported.
(cd target && "../$venv/bin/python" -m pytest -q -p no:cacheprovider ../bindings/python/tests) 2>&1 | tee "$log" || status=$?
py_passed=$(grep -o '[0-9]* passed' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
py_failed=$(grep -o '[0-9]* failed' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
rm -f "$log"
passed=$((passed + ${py_passed:-0}))
failed=$((failed + ${py_failed:-0}))

echo "app tests: $passed passed, $failed failed"
exit "$status"
