#!/bin/sh
# security.csv_injection: names that a spreadsheet would run as formulas travel from the
# command line through the in-process simulator (function names, the object key, which comes
# back in the function's log as Image Name) into every export, and arrive neutralised: a
# leading ' before = + - @ (DESIGN §8), numbers untouched. Unit tests (export.csv,
# export.exporters) check the quoting; this checks the whole path, seed format included.
. "$(dirname "$0")/../simapi/lib.sh"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_DEFAULT_REGION
export XDG_CONFIG_HOME="$WORK/xdg" XDG_STATE_HOME="$WORK/state"
mkdir -p "$WORK/exp"

# Function names allow a leading '-'; object keys allow anything.
"$SEGTOP_BIN" --headless --sites 2 --waves 2 --gap 0 --sim-speed 100 \
    --function-pattern '-fn{n}' --key-template '=SUM(1+1)@{n}_{stamp}.jpg' \
    --export-format seed --export-dir "$WORK/exp" >"$WORK/out" 2>"$WORK/err"
rc=$?
[ "$rc" -eq 0 ] && ok "headless run" || bad "headless run" "rc=$rc $(tail -3 "$WORK/err")"

/usr/bin/python3 - "$WORK/exp" <<'PY'
import csv, glob, os, re, sys
d = sys.argv[1]
fails = []
files = sorted(glob.glob(os.path.join(d, "*.csv")))
def want(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        fails.append(msg)
want(any("invocations" in f for f in files) and any("logsdata" in f for f in files),
     "invocations and seed exports written: %s" % [os.path.basename(f) for f in files])
number = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")
for f in files:
    with open(f, newline="") as fh:
        rows = list(csv.reader(fh))
    head, body = rows[0], rows[1:]
    bad = [c for r in body for c in r if c[:1] in ("=", "+", "@", "\t", "\r")
           or (c[:1] == "-" and not number.match(c))]
    want(not bad, "%s: no cell a spreadsheet would evaluate %s" % (os.path.basename(f), bad[:3]))
    if "invocations" in f:
        fn = [r[head.index("function")] for r in body]
        key = [r[head.index("trigger_key")] for r in body]
        want(fn and all(v.startswith("'-fn") for v in fn), "invocations: function %s" % fn[:2])
        want(key and all(v.startswith("'=SUM(1+1)@") for v in key),
             "invocations: trigger_key %s" % key[:2])
    if "sites" in f:
        fn = [r[head.index("function")] for r in body]
        want(fn and all(v.startswith("'-fn") for v in fn), "sites: function %s" % fn[:2])
    if "logsdata" in f:
        ids = [r[head.index("id")] for r in body]
        want(ids and all(v.startswith("'=SUM(1+1)@") for v in ids), "logsdata: id %s" % ids[:2])
        fn = [r[head.index("lambda_function_name")] for r in body]
        want(fn and all(v.startswith("'-fn") for v in fn), "logsdata: function %s" % fn[:2])
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] && ok "exports neutralised" || bad "exports neutralised" "see above"
finish security.csv_injection
