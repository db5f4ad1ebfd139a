#!/usr/bin/env bash
# Builds a Release tree and runs every benchmark (tests/bench/bench_*.c is the target
# bench_*; tests/bench/bench_*.sh is a script given the Release segtop binary), printing
# their figures. Usage: tests/bench/run.sh [build-dir]
# (default: build-bench). Benchmarks are not ctests: timings in CI would be noise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-bench}

benches=()
for src in "$here"/bench_*.c; do
    [ -e "$src" ] && benches+=("$(basename "$src" .c)")
done
scripts=()
for src in "$here"/bench_*.sh; do
    [ -e "$src" ] && scripts+=("$src")
done
targets=("${benches[@]}")
[ ${#scripts[@]} -gt 0 ] && targets+=(segtop)
if [ ${#targets[@]} -eq 0 ]; then
    echo "no benchmarks in $here" >&2
    exit 1
fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
# Only the benchmark targets: a half-written module elsewhere must not stop a measurement.
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >/dev/null
status=0
for b in "${benches[@]}"; do
    exe=$(find "$build" -type f -perm -u+x -name "$b" | head -n 1)
    if [ -z "$exe" ]; then
        echo "$b: not built" >&2
        status=1
        continue
    fi
    "$exe" || { echo "$b: failed ($?)" >&2; status=1; }
done
for sh in "${scripts[@]}"; do
    "$sh" "$build/tui/segtop" || { echo "$(basename "$sh"): failed ($?)" >&2; status=1; }
done
exit $status
