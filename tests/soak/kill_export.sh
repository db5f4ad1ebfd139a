#!/bin/sh
# SIGKILL segtop while it writes --export-file PATH, many times: PATH is always the whole old
# or the whole new file, and the temp files a kill leaves are removed by the next run
# (DESIGN §8). The work is tests/soak/kill_export.py's; this wraps it for ctest and by hand.
#
# Usage: tests/soak/kill_export.sh [--short] [BINARY] [kill_export.py options...]
#   BINARY: segtop or seg_engine_cli (default $SEGTOP_BIN, then build/gcc/tui/segtop)
#   --short: the ctest (soak.kill_export): 4 kills of a 100-site wave, about 40 s
#   default: 50 kills of a 300-site wave (about 6 minutes)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=50
sites=300
if [ "${1:-}" = "--short" ]; then
    n=4
    sites=100
    shift
fi
bin=${1:-${SEGTOP_BIN:-$root/build/gcc/tui/segtop}}
if [ $# -gt 0 ]; then shift; fi
[ -x "$bin" ] || { echo "kill_export: no binary at $bin" >&2; exit 1; }
[ -x /usr/bin/python3 ] || exit 77
scale=${SEGTOP_TEST_TIME_SCALE:-1}
limit=$(awk -v s="$scale" 'BEGIN { print 60 * s }')
exec /usr/bin/python3 "$here/kill_export.py" "$bin" --iterations "$n" --sites "$sites" \
    --time-limit "$limit" "$@"
