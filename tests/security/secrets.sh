#!/bin/bash
# security.secrets: planted AWS secrets (secret keys and session tokens: in the environment,
# in ~/.aws/credentials via AWS_SHARED_CREDENTIALS_FILE with HOME in a scratch folder, and
# from a credential_process) never appear in anything segtop writes: stdout and stderr of
# --help, --version, headless runs (in-process simulator and a standalone `segtop sim` over
# --endpoint, with --trace, with wrong keys), doctor (every credential source), the exports,
# the summary JSON, the journal, and a tmux capture of the dashboard. Each secret is searched
# whole, by its leading 12/16/24 and trailing 12 characters, and by the common marker.
. "$(dirname "$0")/../simapi/lib.sh"
SCALE_INT=${SCALE%.*}
[ "${SCALE_INT:-1}" -ge 1 ] 2>/dev/null || SCALE_INT=1
MARK=SEGTOPPLANTED
ENV_SECRET=${MARK}EnvSecret/x7Qm2Lr9Vb4Kc8Ns1Dp5Gh3Jt6Wz0Ya
ENV_TOKEN=${MARK}EnvToken/FwoGZXIvYXdzEJr8Ux3Hn5Qm9Lp2Kd7Vs4Tb6Wc1Ye0Rf
PROFILE_SECRET=${MARK}ProfileSecret/Zp4Wq8Lm2Tn6Rb0Vx3Kc7Hd1Jf5Gs9Ya
PROC_SECRET=${MARK}ProcessSecret/Hk3Mv7Qp1Lx5Rn9Tb2Wd6Zc0Jf4Gs8Ya
PROC_TOKEN=${MARK}ProcessToken/IQoJb3JpZ2luX2Vj8Ux3Hn5Qm9Lp2Kd7Vs
SECRETS="$ENV_SECRET $ENV_TOKEN $PROFILE_SECRET $PROC_SECRET $PROC_TOKEN"
ENV_ID=AKIDSEGTOPENVKEY0001

OUT=$WORK/out
mkdir -p "$OUT" "$WORK/home/.aws" "$WORK/state" "$WORK/xdg" "$WORK"/exp1 "$WORK"/exp2 \
    "$WORK"/exp3 "$WORK"/exp4
sock=segsec$$
trap 'tmux -L $sock kill-server 2>/dev/null; cleanup' EXIT INT TERM

# The profile files: keys in [default], a credential_process in [profile proc], and one
# whose process prints secrets but fails (its stdout must not be quoted back).
cat >"$WORK/home/.aws/credentials" <<EOT
[default]
aws_access_key_id = AKIDSEGTOPPROFILE001
aws_secret_access_key = $PROFILE_SECRET
EOT
cat >"$WORK/proc.sh" <<EOT
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "AKIDSEGTOPPROCESS001", "SecretAccessKey": "%s", "SessionToken": "%s"}\n' "$PROC_SECRET" "$PROC_TOKEN"
EOT
cat >"$WORK/procfail.sh" <<EOT
#!/bin/sh
printf '{"Version": 1, "SecretAccessKey": "%s"' "$PROC_SECRET"
exit 3
EOT
chmod +x "$WORK/proc.sh" "$WORK/procfail.sh"
cat >"$WORK/home/.aws/config" <<EOT
[default]
region = us-west-1
[profile proc]
credential_process = $WORK/proc.sh
[profile procfail]
credential_process = $WORK/procfail.sh
EOT

unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL
unset AWS_ENDPOINT_URL_S3 AWS_ENDPOINT_URL_LAMBDA AWS_ENDPOINT_URL_CLOUDWATCH_LOGS
export HOME=$WORK/home XDG_STATE_HOME=$WORK/state XDG_CONFIG_HOME=$WORK/xdg
export AWS_SHARED_CREDENTIALS_FILE=$HOME/.aws/credentials AWS_CONFIG_FILE=$HOME/.aws/config
export AWS_ACCESS_KEY_ID=$ENV_ID AWS_SECRET_ACCESS_KEY=$ENV_SECRET AWS_SESSION_TOKEN=$ENV_TOKEN
FAST="--sites 3 --waves 1,3 --gap 0 --sim-speed 100"
cd "$WORK" || exit 1 # runs without --export-dir export into the current folder

# run NAME ARGS...: segtop with stdout and stderr kept under $OUT, for at most $LIMIT s: a
# headless wave whose every trigger is refused does not end by itself (only its output
# matters here).
LIMIT=60
run() {
    name=$1
    shift
    timeout $((LIMIT * SCALE_INT)) "$SEGTOP_BIN" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
    echo "$?" >"$OUT/$name.rc"
}

run help --help
run version --version
run headless_inproc --headless $FAST --trace --export-dir "$WORK/exp1" \
    --export-format seed --summary-json "$OUT/summary1.json"
[ "$(cat "$OUT/headless_inproc.rc")" = 0 ] && ok "headless, in-process simulator" ||
    bad "headless, in-process simulator" "rc=$(cat "$OUT/headless_inproc.rc")"
run doctor_inproc doctor --sites 3

# A standalone simulator that knows the environment's key pair (it never prints it).
start_sim sim --sites 3 --sim-speed 100 || exit 1
run headless_endpoint --headless $FAST --trace --endpoint "$SIM_ENDPOINT" \
    --export-dir "$WORK/exp2" --summary-json "$OUT/summary2.json"
[ "$(cat "$OUT/headless_endpoint.rc")" = 0 ] && ok "headless over --endpoint with the planted keys" ||
    bad "headless over --endpoint with the planted keys" "rc=$(cat "$OUT/headless_endpoint.rc") $(tail -2 "$OUT/headless_endpoint.err")"
grep -q 'canonical request' "$OUT/headless_endpoint.err" && ok "--trace printed requests" ||
    bad "--trace printed requests" "none on stderr"
grep -q '^x-amz-security-token:<redacted>$' "$OUT/headless_endpoint.err" &&
    ok "--trace: the session token was signed, its value not shown" ||
    bad "--trace: the session token was signed, its value not shown" "no redacted token line"
run doctor_env doctor --sites 3 --endpoint "$SIM_ENDPOINT"
# Keys the simulator does not know: every call refused, errors printed.
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
    run doctor_profile doctor --sites 3 --endpoint "$SIM_ENDPOINT"
    REFUSED="--headless --sites 1 --waves 1 --gap 0 --sim-speed 100 --trace"
    LIMIT=6
    run headless_profile $REFUSED --endpoint "$SIM_ENDPOINT" --export-dir "$WORK/exp3"
    AWS_PROFILE=proc run doctor_process doctor --sites 3 --endpoint "$SIM_ENDPOINT"
    AWS_PROFILE=procfail run doctor_procfail doctor --sites 3 --endpoint "$SIM_ENDPOINT"
    AWS_PROFILE=proc run headless_process $REFUSED --endpoint "$SIM_ENDPOINT")
grep -q "profile 'default'" "$OUT/doctor_profile.out" && ok "doctor used the profile's keys" ||
    bad "doctor used the profile's keys" "$(grep -i credentials "$OUT/doctor_profile.out")"
grep -q "credential_process" "$OUT/doctor_process.out" && ok "doctor used credential_process" ||
    bad "doctor used credential_process" "$(grep -i credentials "$OUT/doctor_process.out")"
grep -qE 'InvalidSignature|SignatureDoesNotMatch|UnrecognizedClient' "$OUT/headless_process.err" &&
    ok "refused keys: the errors were printed" ||
    bad "refused keys: the errors were printed" "$(tail -3 "$OUT/headless_process.err")"

# The dashboard over the standalone simulator, in tmux: one wave, an export, the help screen.
if command -v tmux >/dev/null; then
    tmux -L "$sock" -f /dev/null new-session -d -s main -x 120 -y 36 \
        "cd $WORK && env LANG=C.UTF-8 TERM=screen-256color $SEGTOP_BIN --sites 3 --waves 3 --sim-speed 100 --trace --endpoint $SIM_ENDPOINT --export-dir $WORK/exp4 2>$OUT/dashboard.err; echo \$? >$OUT/dashboard.rc; sleep 600"
    tmux -L "$sock" set-option -g status off >/dev/null
    cap() { tmux -L "$sock" capture-pane -p -e -t main; } # with colours: what was drawn
    wait_for() {
        n=$((10 * $2 * SCALE_INT))
        while ! tmux -L "$sock" capture-pane -p -t main | grep -qE "$1"; do
            n=$((n - 1))
            [ "$n" -gt 0 ] || { bad "dashboard: /$1/" "$(cap | tail -5)"; return 1; }
            sleep 0.1
        done
    }
    if wait_for "no wave yet" 10; then
        tmux -L "$sock" send-keys -t main w
        wait_for "wave 1/1 .*complete " 30 && ok "dashboard wave completed"
        cap >"$OUT/screen1"
        tmux -L "$sock" send-keys -t main e
        wait_for "exported " 10
        cap >"$OUT/screen2"
        tmux -L "$sock" send-keys -t main '?'
        sleep 0.5
        cap >"$OUT/screen3"
        tmux -L "$sock" send-keys -t main Escape q
        sleep 0.5
        cap | grep -q "Quit? y/N" && tmux -L "$sock" send-keys -t main y
        n=$((100 * SCALE_INT))
        while [ ! -e "$OUT/dashboard.rc" ] && [ "$n" -gt 0 ]; do
            n=$((n - 1))
            sleep 0.1
        done
        cap >"$OUT/screen4"
    fi
else
    echo "tmux not installed: dashboard capture skipped"
fi
kill "$SIM_PID"
wait "$SIM_PID" 2>/dev/null
cp "$WORK/sim.out" "$WORK/sim.err" "$OUT/"

ls "$WORK"/exp1/*.csv >/dev/null 2>&1 && ok "exports written" || bad "exports written" "none in exp1"
ls -A "$WORK/state/segtop" 2>/dev/null | grep -q . && ok "journal written" ||
    bad "journal written" "nothing in $WORK/state/segtop"
# Everything segtop wrote: outputs, captures, the export folders, exports into the current
# folder (runs without --export-dir), the journal. Not the inputs (profiles, scripts).
find "$OUT" "$WORK"/exp* "$WORK/state" -type f >"$WORK/written"
ls "$WORK"/*.csv >>"$WORK/written" 2>/dev/null
searched=$(wc -l <"$WORK/written")
leaks=""
for s in $SECRETS; do
    len=${#s}
    for needle in "$s" "${s:0:12}" "${s:0:16}" "${s:0:24}" "${s:len-12}" "$MARK"; do
        hit=$(tr '\n' '\0' <"$WORK/written" | xargs -0 grep -laF -- "$needle" | head -3)
        [ -z "$hit" ] || leaks="$leaks [$needle in $(echo $hit)]"
    done
done
[ -z "$leaks" ] && ok "no secret or part of one in $searched files" || bad "secrets leaked" "$leaks"
finish security.secrets
