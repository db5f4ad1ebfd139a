#!/bin/sh
# security.sim_auth: a standalone `segtop sim` against requests signed by botocore and then
# stripped, tampered with, aged or signed with the wrong key (sim_auth.py).
. "$(dirname "$0")/../simapi/lib.sh"
if ! /usr/bin/python3 -c 'import botocore' 2>/dev/null; then
    echo "skip: /usr/bin/python3 cannot import botocore"
    exit 77
fi
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_DEFAULT_REGION
start_sim sec --sites 3 --sim-speed 100 --sim-truth "$WORK/truth.csv" || exit 1
/usr/bin/python3 "$(dirname "$0")/sim_auth.py" "$SIM_ENDPOINT" "$SIM_REGION" "$SIM_KEY" \
    "$SIM_SECRET" "$WORK/truth.csv"
