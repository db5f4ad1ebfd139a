#!/bin/sh
# simapi.boto3: Debian's boto3 (/usr/bin/python3) against standalone simulators.
. "$(dirname "$0")/lib.sh"
if ! /usr/bin/python3 -c 'import boto3' 2>/dev/null; then
    echo "skip: /usr/bin/python3 cannot import boto3"
    exit 77
fi
aws_env
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
start_sim main --sim-speed 50 --sites 20 --sim-seed 7 || exit 1
MAIN=$SIM_ENDPOINT
start_sim throttled --sim-speed 50 --sites 20 --sim-faults throttle=1:lambda || exit 1
THROTTLED=$SIM_ENDPOINT
/usr/bin/python3 "$(dirname "$0")/boto3_client.py" "$MAIN" "$THROTTLED" "$SIM_REGION" \
    "$SIM_KEY" "$SIM_SECRET"
