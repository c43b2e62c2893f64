#!/usr/bin/env bash
# Benchmarks storylint against a parse-only baseline (serde_json::Value) on
# synthetic corpora of Tines exports, and checks the performance targets:
#
#   - throughput at least 0.6x the parse-only baseline, on both corpora
#   - 5,000 files in under 1 s wall time
#   - one small file end to end in under 10 ms
#   - peak RSS under 100 MB, and not growing linearly with the file count
#
# and, in its "adversarial" section, that time and memory grow linearly
# with the work on inputs made to find out (examples/gen_adversarial.rs):
#
#   - 100,000 findings in one file in under 1 s; 1,000,000 in under 10 s
#   - 10,000 findings sharing one secret in under 1 s
#   - warnings on one 1.7 MB minified line within 2x of the same file
#     pretty-printed
#   - 10,000 configuration overrides with 200,000 findings in under 5 s
#   - peak RSS for 1,000,000 findings (a hundred files) under 500 MB in every
#     output format
#
# Usage: scripts/bench.sh        (needs only the Rust toolchain and GNU coreutils)
#
# Environment:
#   BENCH_RUNS=7           timed runs per tool and corpus (after one warm-up run)
#   BENCH_THREADS=nproc    --threads for both storylint and the baseline
#   BENCH_SEED=1592598564  corpus seed (gen_corpus's default)
#   BENCH_SIZES="1000 5000"  the two corpus sizes, small then large
#   BENCH_CORPUS_DIR=target/bench-corpus  where corpora are generated and cached
#   BENCH_SMALL_FILE=fixtures/clean/okta-user-offboarding.json
#   BENCH_SMALL_RUNS=30    timed runs of the small file
#   BENCH_NO_HYPERFINE=1   use the built-in timing loop even if hyperfine is installed
#   BENCH_STRICT=1         exit 1 if a target is missed or a sanity check fails
#   BENCH_ADVERSARIAL=0    skip the adversarial section (about a minute)
#
# Timing uses hyperfine when it is installed (its median; hyperfine runs all
# of one command, then all of the other), otherwise a built-in loop that
# alternates storylint and the baseline run by run and times each with bash's
# $EPOCHREALTIME (or `date +%s%N` on an older bash). Peak RSS comes from GNU
# `/usr/bin/time -v`. Files are read from the page cache: every tool gets a
# warm-up run first. MB is 10^6 bytes.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
  echo "bench: $*" >&2
  exit 2
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

runs=${BENCH_RUNS:-7}
threads=${BENCH_THREADS:-$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
seed=${BENCH_SEED:-1592598564}
read -r -a sizes <<<"${BENCH_SIZES:-1000 5000}"
small_file=${BENCH_SMALL_FILE:-fixtures/clean/okta-user-offboarding.json}
small_runs=${BENCH_SMALL_RUNS:-30}
target_dir=${CARGO_TARGET_DIR:-target}
corpus_root=${BENCH_CORPUS_DIR:-$target_dir/bench-corpus}
strict=${BENCH_STRICT:-0}

is_uint "$runs" && ((runs >= 1)) || die "BENCH_RUNS must be a positive integer"
is_uint "$threads" && ((threads >= 1)) || die "BENCH_THREADS must be a positive integer"
is_uint "$seed" || die "BENCH_SEED must be an unsigned integer"
is_uint "$small_runs" && ((small_runs >= 1)) || die "BENCH_SMALL_RUNS must be a positive integer"
((${#sizes[@]} == 2)) && is_uint "${sizes[0]}" && is_uint "${sizes[1]}" ||
  die "BENCH_SIZES must be two file counts, small then large"
[[ -f $small_file ]] || die "$small_file: no such file"

storylint=$target_dir/release/storylint
baseline=$target_dir/release/examples/parse_baseline
gen=$target_dir/release/examples/gen_corpus
gen_adversarial=$target_dir/release/examples/gen_adversarial
adversarial=${BENCH_ADVERSARIAL:-1}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- tools -------------------------------------------------------------------

use_hyperfine=0
if [[ -z ${BENCH_NO_HYPERFINE:-} ]] && command -v hyperfine >/dev/null 2>&1; then
  use_hyperfine=1
fi
have_gnu_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
  have_gnu_time=1
fi

echo "== building release binaries" >&2
cargo build --release --bin storylint --examples >&2

# --- helpers -----------------------------------------------------------------

# Sets REPLY to the current time in nanoseconds.
now_ns() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    local t=${EPOCHREALTIME/[.,]/}
    REPLY=$((10#$t * 1000))
  else
    REPLY=$(date +%s%N)
  fi
}

# Sets REPLY to the user + system CPU time, in ms, of this shell's finished
# children (from the `times` builtin, which does not fork).
children_cpu_ms() {
  local self_user self_sys user sys ms=0 t
  times >"$tmp/times"
  { read -r self_user self_sys && read -r user sys; } <"$tmp/times"
  for t in "$user" "$sys"; do # e.g. 1m2.345s
    t=${t%s}
    ms=$((ms + 10#${t%%m*} * 60000 + 10#$(tr -d '.,' <<<"${t#*m}")))
  done
  REPLY=$ms
}

# time_once "ALLOWED EXIT CODES" CMD...: runs CMD with stdout discarded and
# sets REPLY to its wall time in ns and CPU_MS to its CPU time (user +
# system, all threads) in ms; dies on an exit code not allowed.
time_once() {
  local allowed=$1 start cpu_start rc=0
  shift
  children_cpu_ms
  cpu_start=$REPLY
  now_ns
  start=$REPLY
  "$@" >/dev/null 2>"$tmp/stderr" || rc=$?
  now_ns
  start=$((REPLY - start))
  children_cpu_ms
  CPU_MS=$((REPLY - cpu_start))
  REPLY=$start
  if [[ " $allowed " != *" $rc "* ]]; then
    cat "$tmp/stderr" >&2
    die "exit code $rc (expected $allowed) from: $*"
  fi
}

# Prints the median of integer arguments.
median() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
    END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# calc EXPR: floating-point arithmetic with awk, printed with printf FORMAT.
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# Peak RSS of CMD in kB (GNU time), or "" if unavailable.
peak_rss_kb() {
  local allowed=$1 rc=0
  shift
  ((have_gnu_time)) || return 0
  /usr/bin/time -v -o "$tmp/time" "$@" >/dev/null 2>"$tmp/stderr" || rc=$?
  [[ " $allowed " == *" $rc "* ]] || die "exit code $rc (expected $allowed) from: $*"
  awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time"
}

# Median wall time in ns of two commands, K runs each after a warm-up:
# sets MEDIAN_A and MEDIAN_B, and CPU_A and CPU_B to the median CPU time in ms
# (hyperfine: the mean). Commands are given as names of arrays.
time_pair() {
  local -n cmd_a=$1 cmd_b=$2
  local allowed_a=$3 allowed_b=$4 i
  if ((use_hyperfine)); then
    local a b
    a=$(printf '%q ' "${cmd_a[@]}")
    b=$(printf '%q ' "${cmd_b[@]}")
    if ! hyperfine --warmup 1 --runs "$runs" --ignore-failure --style basic \
      --export-json "$tmp/hyperfine.json" "$a" "$b" >"$tmp/hyperfine.log" 2>&1; then
      cat "$tmp/hyperfine.log" >&2
      die "hyperfine failed"
    fi
    local medians
    medians=$(grep -o '"median": *[0-9.eE+-]*' "$tmp/hyperfine.json" | awk -F': *' '{ printf "%.0f\n", $2 * 1e9 }')
    MEDIAN_A=$(sed -n 1p <<<"$medians")
    MEDIAN_B=$(sed -n 2p <<<"$medians")
    local cpu
    cpu=$(grep -Eo '"(user|system)": *[0-9.eE+-]*' "$tmp/hyperfine.json" | awk -F': *' '
      { sum[int((NR - 1) / 2)] += $2 } END { printf "%.0f\n%.0f\n", sum[0] * 1000, sum[1] * 1000 }')
    CPU_A=$(sed -n 1p <<<"$cpu")
    CPU_B=$(sed -n 2p <<<"$cpu")
    return
  fi
  local -a times_a=() times_b=() cpu_a=() cpu_b=()
  time_once "$allowed_a" "${cmd_a[@]}"
  time_once "$allowed_b" "${cmd_b[@]}"
  for ((i = 0; i < runs; i++)); do
    time_once "$allowed_a" "${cmd_a[@]}"
    times_a+=("$REPLY")
    cpu_a+=("$CPU_MS")
    time_once "$allowed_b" "${cmd_b[@]}"
    times_b+=("$REPLY")
    cpu_b+=("$CPU_MS")
  done
  MEDIAN_A=$(median "${times_a[@]}")
  MEDIAN_B=$(median "${times_b[@]}")
  CPU_A=$(median "${cpu_a[@]}")
  CPU_B=$(median "${cpu_b[@]}")
}

# --- corpora -----------------------------------------------------------------

gen_hash=$(sha256sum examples/gen_corpus.rs | cut -c1-16)

# Generates the corpus of N files unless an identical one is cached; prints its directory.
corpus() {
  local n=$1 dir=$corpus_root/n$1-seed$seed
  local want="n=$n seed=$seed generator=$gen_hash"
  if [[ -f $dir/.stamp && $(<"$dir/.stamp") == "$want" ]]; then
    echo "== reusing corpus $dir" >&2
  else
    echo "== generating $n files into $dir" >&2
    rm -rf "$dir"
    "$gen" "$dir" "$n" --seed "$seed" >/dev/null
    echo "$want" >"$dir/.stamp"
  fi
  echo "$dir"
}

manifest() { awk -v k="$2" '$1 == k { print $2 }' "$1/MANIFEST"; }

# --- run ---------------------------------------------------------------------

cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
echo "== storylint benchmark"
echo "machine:   ${cpu:-unknown CPU}, $(nproc 2>/dev/null || echo '?') cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "toolchain: $(rustc --version)"
echo "binary:    $storylint ($($storylint --version)), sha256 $(sha256sum "$storylint" | cut -c1-12)"
echo "settings:  --threads $threads, $runs runs + 1 warm-up, seed $seed, timer: $( ((use_hyperfine)) && echo hyperfine || echo 'built-in loop, alternating')"
echo "peak RSS:  $( ((have_gnu_time)) && echo 'GNU /usr/bin/time -v' || echo 'unavailable (GNU /usr/bin/time not found)')"
if [[ -r /proc/loadavg ]] && awk -v n="$(nproc 2>/dev/null || echo 1)" '{ exit !($1 > n / 2) }' /proc/loadavg; then
  echo "WARNING: the machine is busy (load average above half the cores); timings will be noisy"
fi
echo

sanity_ok=1
declare -A ratio cpu_ratio wall mbps_sl mbps_bl fps rss_sl rss_bl
# Corpora first, each checked once: both tools see the whole corpus, and
# storylint reports exactly the planted defects (at error severity; newer
# rules may add warnings).
dirs=()
for n in "${sizes[@]}"; do
  dir=$(corpus "$n")
  dirs+=("$dir")
  bytes=$(manifest "$dir" bytes)
  expected=$(manifest "$dir" expected_findings)
  rc=0
  "$storylint" check "$dir" --format json --threads "$threads" >"$tmp/out.json" 2>"$tmp/stderr" || rc=$?
  # The first counts after `"summary"` (its `rules` table, later, has its
  # own `files` per rule).
  summary=$(sed -n '/^  "summary": {/,$p' "$tmp/out.json")
  got_files=$(grep -Eo '"files": *[0-9]+' <<<"$summary" | grep -Eo '[0-9]+$' | head -1 || true)
  got_errors=$(grep -Eo '"error": *[0-9]+' <<<"$summary" | grep -Eo '[0-9]+$' | head -1 || true)
  if [[ $rc != 1 || $got_files != "$n" || $got_errors != "$expected" ]]; then
    echo "WARNING: storylint on $dir: exit $rc (want 1), files ${got_files:-?} (want $n)," \
      "error findings ${got_errors:-?} (want $expected)" >&2
    sanity_ok=0
  fi
  rc=0
  "$baseline" --threads "$threads" "$dir" >"$tmp/baseline.txt" 2>&1 || rc=$?
  if [[ $rc != 0 || $(<"$tmp/baseline.txt") != "files $n bytes $bytes failed 0" ]]; then
    echo "WARNING: baseline on $dir: exit $rc, $(head -c 300 "$tmp/baseline.txt") (want $n files, $bytes bytes)" >&2
    sanity_ok=0
  fi
done
echo >&2

printf '%-6s %7s | %-46s | %-30s | %s\n' files MB "storylint: wall, throughput, CPU" \
  "parse-only baseline" "ratio: wall (cpu)"
for k in "${!sizes[@]}"; do
  n=${sizes[$k]} dir=${dirs[$k]}
  bytes=$(manifest "$dir" bytes)
  # shellcheck disable=SC2034 # used through time_pair's namerefs
  sl_cmd=("$storylint" check "$dir" --format json --threads "$threads")
  # shellcheck disable=SC2034
  bl_cmd=("$baseline" --threads "$threads" "$dir")
  time_pair sl_cmd bl_cmd "0 1" "0"
  wall[$n]=$MEDIAN_A
  mbps_sl[$n]=$(calc '%.0f' "$bytes * 1000 / $MEDIAN_A")
  mbps_bl[$n]=$(calc '%.0f' "$bytes * 1000 / $MEDIAN_B")
  fps[$n]=$(calc '%.0f' "$n * 1e9 / $MEDIAN_A")
  ratio[$n]=$(calc '%.2f' "$MEDIAN_B / $MEDIAN_A")
  cpu_ratio[$n]=$(calc '%.2f' "$CPU_B / ($CPU_A > 0 ? $CPU_A : 1)")
  printf '%-6s %7.1f | %7.3f s %5d MB/s %6d files/s %7.3f s cpu | %7.3f s %5d MB/s %7.3f s cpu | %s (%s)\n' \
    "$n" "$(calc '%.1f' "$bytes / 1e6")" \
    "$(calc '%.3f' "$MEDIAN_A / 1e9")" "${mbps_sl[$n]}" "${fps[$n]}" "$(calc '%.3f' "$CPU_A / 1e3")" \
    "$(calc '%.3f' "$MEDIAN_B / 1e9")" "${mbps_bl[$n]}" "$(calc '%.3f' "$CPU_B / 1e3")" \
    "${ratio[$n]}" "${cpu_ratio[$n]}"
done

# One small file, end to end (process start, rules, parse, report).
small_cmd=("$storylint" check "$small_file" --format json --threads "$threads")
time_once "0 1" "${small_cmd[@]}"
small_times=()
for ((i = 0; i < small_runs; i++)); do
  time_once "0 1" "${small_cmd[@]}"
  small_times+=("$REPLY")
done
small_ms=$(calc '%.2f' "$(median "${small_times[@]}") / 1e6")
printf '\nsmall file: %s (%d bytes), median of %d runs: %s ms\n' \
  "$small_file" "$(wc -c <"$small_file")" "$small_runs" "$small_ms"

# Peak RSS, largest corpus first.
printf '\npeak RSS (MB):'
for ((k = ${#sizes[@]} - 1; k >= 0; k--)); do
  n=${sizes[$k]} dir=${dirs[$k]}
  rss_sl[$n]=$(peak_rss_kb "0 1" "$storylint" check "$dir" --format json --threads "$threads")
  rss_bl[$n]=$(peak_rss_kb "0" "$baseline" --threads "$threads" "$dir")
  if [[ -n ${rss_sl[$n]} ]]; then
    printf '  %s files: storylint %s, baseline %s;' "$n" \
      "$(calc '%.1f' "${rss_sl[$n]} * 1024 / 1e6")" "$(calc '%.1f' "${rss_bl[$n]} * 1024 / 1e6")"
  fi
done
((have_gnu_time)) || printf ' unavailable (GNU /usr/bin/time not found)'
echo

# --- adversarial -------------------------------------------------------------

# Median wall time in seconds of CMD over 3 runs after a warm-up (1 run
# without one when ONCE is set), allowed exit codes 0 to 2.
adversarial_time() {
  local i times=()
  if [[ -n ${ONCE:-} ]]; then
    time_once "0 1 2" "$@"
    calc '%.3f' "$REPLY / 1e9"
    return
  fi
  time_once "0 1 2" "$@"
  for ((i = 0; i < 3; i++)); do
    time_once "0 1 2" "$@"
    times+=("$REPLY")
  done
  calc '%.3f' "$(median "${times[@]}") / 1e9"
}

adversarial_section() {
  local dir=$corpus_root/adversarial
  local want="generator=$(sha256sum examples/gen_adversarial.rs | cut -c1-16)"
  if [[ ! -f $dir/.stamp || $(<"$dir/.stamp") != "$want" ]]; then
    echo "== generating adversarial inputs into $dir" >&2
    rm -rf "$dir"
    "$gen_adversarial" "$dir"
    echo "$want" >"$dir/.stamp"
  fi
  local check=("$storylint" check --no-config --format json --threads "$threads")
  echo
  echo "== adversarial inputs (examples/gen_adversarial.rs)"
  local t100k t1m tsecret tmin tpretty tover tlinked
  t100k=$(adversarial_time "${check[@]}" "$dir/findings-100k")
  t1m=$(ONCE=1 adversarial_time "${check[@]}" "$dir/findings-1m")
  tsecret=$(adversarial_time "${check[@]}" "$dir/secret-10k")
  tmin=$(adversarial_time "${check[@]}" "$dir/warnings-minified")
  tpretty=$(adversarial_time "${check[@]}" "$dir/warnings-pretty")
  tlinked=$(adversarial_time "${check[@]}" "$dir/linked-50k")
  local sl
  sl=$(realpath "$storylint")
  tover=$(cd "$dir/overrides" && adversarial_time "$sl" check --format json --threads "$threads" story.json)
  local ratio_lines
  ratio_lines=$(calc '%.2f' "$tmin / ($tpretty > 0.001 ? $tpretty : 0.001)")
  printf '%-52s %s s\n' "100,000 findings in one file" "$t100k" \
    "1,000,000 findings in one file" "$t1m" \
    "10,000 findings sharing one secret" "$tsecret" \
    "10,000 warnings on one minified line" "$tmin" \
    "the same, pretty-printed" "$tpretty" \
    "10,000 overrides, 200,000 findings" "$tover" \
    "50,000 linked actions, references traced" "$tlinked"
  ADV_ROWS+=("100,000 findings, one file|< 1 s|$t100k s|$(lt "$t100k" 1)")
  ADV_ROWS+=("1,000,000 findings, one file|< 10 s|$t1m s|$(lt "$t1m" 10)")
  ADV_ROWS+=("10,000 findings sharing a secret|< 1 s|$tsecret s|$(lt "$tsecret" 1)")
  ADV_ROWS+=("warnings: minified / pretty-printed|< 2x|${ratio_lines}x|$(lt "$ratio_lines" 2)")
  ADV_ROWS+=("10,000 overrides, 200,000 findings|< 5 s|$tover s|$(lt "$tover" 5)")
  ADV_ROWS+=("50,000 linked actions|< 2 s|$tlinked s|$(lt "$tlinked" 2)")
  if ((have_gnu_time)); then
    local format kb
    printf '\npeak RSS for 1,000,000 findings in a hundred files (MB):'
    for format in json sarif github junit human; do
      kb=$(peak_rss_kb "0 1" "$storylint" check --no-config --format "$format" --threads "$threads" "$dir/memory-1m")
      printf ' %s %s;' "$format" "$(calc '%.0f' "$kb * 1024 / 1e6")"
      ADV_ROWS+=("peak RSS, 1,000,000 findings, $format|< 500 MB|$(calc '%.0f MB' "$kb * 1024 / 1e6")|$(lt "$kb * 1024" 500e6)")
    done
    echo
  fi
}

# --- targets -----------------------------------------------------------------

missed=0
row() { # name goal measured pass(1/0/"")
  local verdict=SKIP
  if [[ $4 == 1 ]]; then
    verdict=PASS
  elif [[ $4 == 0 ]]; then
    verdict=MISS
    missed=1
  fi
  printf '%-40s %-18s %-14s %s\n' "$1" "$2" "$3" "$verdict"
}
ge() { awk "BEGIN { exit !($1 >= $2) }" && echo 1 || echo 0; }
lt() { awk "BEGIN { exit !($1 < $2) }" && echo 1 || echo 0; }

ADV_ROWS=()
if [[ $adversarial == 1 ]]; then
  adversarial_section
fi

small=${sizes[0]} large=${sizes[1]}
echo
printf '%-40s %-18s %-14s %s\n' target goal measured result
row "throughput vs parse-only, $small files" ">= 0.60" "${ratio[$small]}" "$(ge "${ratio[$small]}" 0.6)"
row "throughput vs parse-only, $large files" ">= 0.60" "${ratio[$large]}" "$(ge "${ratio[$large]}" 0.6)"
row "wall time, $large files" "< 1 s" "$(calc '%.3f s' "${wall[$large]} / 1e9")" "$(lt "${wall[$large]}" 1e9)"
row "one small file, end to end" "< 10 ms" "$small_ms ms" "$(lt "$small_ms" 10)"
if ((have_gnu_time)); then
  for n in "$large" "$small"; do
    row "peak RSS, $n files" "< 100 MB" "$(calc '%.1f MB' "${rss_sl[$n]} * 1024 / 1e6")" \
      "$(lt "${rss_sl[$n]} * 1024" 100e6)"
  done
  growth=$(calc '%.2f' "${rss_sl[$large]} / ${rss_sl[$small]}")
  row "peak RSS growth, $small -> $large files" "< 2x (files: $(calc '%gx' "$large / $small"))" "${growth}x" \
    "$(lt "$growth" 2)"
else
  row "peak RSS" "< 100 MB" "n/a" ""
fi
for r in "${ADV_ROWS[@]}"; do
  IFS='|' read -r name goal measured pass <<<"$r"
  row "$name" "$goal" "$measured" "$pass"
done
((sanity_ok)) || echo "WARNING: a sanity check failed (see above); the figures may not mean much" >&2

echo
echo "ratio = baseline median wall time / storylint median wall time (> 1: storylint is faster than"
echo "parse-only); (cpu) is the same with user + system CPU time, less sensitive to a busy machine."
if [[ $strict == 1 ]] && ((missed || !sanity_ok)); then
  exit 1
fi
