#!/usr/bin/env bash
# Coverage-guided fuzzing with Jazzer: runs each fuzz test (a @FuzzTest method in the modules' tests) for a given time
# and prints one line per target: executions, executions a second, edges covered, corpus size, and findings. A finding
# (an input that fails the test's assertions, throws, or overruns the per-input time budget, which a quadratic case
# would) is written by Jazzer into the test's Inputs directory under src/test/resources, where `mvn verify` runs it as
# a regression test from then on; fix the defect with a test of its own, and keep the input with a name that says what
# it found. The corpus each run grows is kept in <module>/.cifuzz-corpus/ (ignored by git) and reused by the next run;
# the transformer's starts from the golden messages.
# Usage: benchmarks/scripts/fuzz.sh [SECONDS] [FILTER]
#   SECONDS  how long each target runs (default 300)
#   FILTER   a regular expression on Class#method: only the targets it matches (default: every target)
#   TIMEOUT  seconds one input may take (default 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-300}
filter=${2:-.}
timeout=${TIMEOUT:-10}

mvn -B -q install -DskipTests -Dcheckstyle.skip -Dspotless.check.skip >&2

# module class method, one line a target
targets=$(grep -rl --include='*FuzzTest.java' '@FuzzTest' gateway-*/src/test/java | sort | while read -r file; do
  module=${file%%/src/*}
  class=$(basename "$file" .java)
  awk '/@FuzzTest/ {wanted = 1} wanted && match($0, /void [a-zA-Z0-9]+\(/) {
         print substr($0, RSTART + 5, RLENGTH - 6); wanted = 0 }' "$file" | while read -r method; do
    echo "$module $class $method"
  done
done)

results=$(mktemp)
trap 'rm -f "$results"' EXIT
printf '%-72s %10s %8s %6s %7s %s\n' "target" "runs" "exec/s" "cov" "corpus" "findings" >"$results"
while read -r module class method; do
  [[ "$class#$method" =~ $filter ]] || continue
  fqcn=$(grep -rl --include="$class.java" "class $class" "$module/src/test/java" | head -1 |
    sed -e "s|$module/src/test/java/||" -e 's|\.java$||' -e 's|/|.|g')
  corpus="$module/.cifuzz-corpus/$fqcn/$method"
  max_len=4096
  if [ "$class" = MessageTransformFuzzTest ]; then
    max_len=65536
    mkdir -p "$corpus"
    cp -n gateway-core/src/test/resources/messages/*.eml "$corpus/"
  fi
  log="$module/target/fuzz-$class-$method.log"
  mkdir -p "$module/target"
  echo "fuzzing $class#$method for $seconds s (log: $log)" >&2
  status=0
  JAZZER_FUZZ=1 mvn -B -o test -pl "$module" -Dtest="$class#$method" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$seconds" \
    -Djazzer.internal.arg.2=-timeout="$timeout" -Djazzer.internal.arg.3=-max_len="$max_len" >"$log" 2>&1 || status=$?
  last=$(grep -a -E '^#[0-9]+[[:space:]]' "$log" | tail -1 || true)
  runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
  findings=$(grep -a -o 'Test unit written to [^ ]*' "$log" | sed 's/Test unit written to //' | xargs -r -n1 basename || true)
  if [ -z "$findings" ] && [ "$status" != 0 ]; then
    findings="the run failed (exit $status), see the log"
  fi
  printf '%-72s %10s %8s %6s %7s %s\n' "$class#$method" "${runs:-?}" \
    "$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' <<<"$last")" "$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")" \
    "$(sed -n 's/.*corp: \([0-9]*\).*/\1/p' <<<"$last")" "${findings:-none}" >>"$results"
done <<<"$targets"
cat "$results"
! grep -q -v ' none$' <(tail -n +2 "$results")
