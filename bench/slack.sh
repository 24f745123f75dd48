#!/usr/bin/env bash
# Load test: signed POST /slack/commands (signature check, form parsing, answer, Block Kit and
# limit check, all inside the acknowledgement) versus the axum hello-world baseline
# (examples/hello_baseline.rs), both driven by wrk in the same run on the same machine.
#
#   bench/slack.sh [DURATION] [CONNECTIONS]      defaults: 30s 64 (DURATION under 5 minutes:
#                                                the requests are signed once, at the start)
#
# Needs wrk and openssl. Prints requests/s and p99 for both and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-30s}"
CONNECTIONS="${2:-64}"
THREADS=2
ERRKB_PORT=3102
HELLO_PORT=3103
SECRET="bench-signing-secret"

command -v openssl >/dev/null || { echo "openssl is missing" >&2; exit 2; }
# shellcheck source=bench/common.sh
source bench/common.sh

# Commands never call the Web API (the answer is the ack), so the API URL points nowhere.
SLACK_SIGNING_SECRET="$SECRET" SLACK_BOT_TOKEN="xoxb-bench" ERRKB_SLACK_API_URL="http://127.0.0.1:9/api" \
  ERRKB_DATABASE_URL="sqlite:$work/errkb.sqlite3" ERRKB_HOT_RELOAD=false ERRKB_KB_DIR=kb \
  "$BIN_DIR/errkb" serve --listen "127.0.0.1:$ERRKB_PORT" 2>"$work/errkb.log" &
pids+=($!)
start_hello "$HELLO_PORT"

wait_ready "http://127.0.0.1:$ERRKB_PORT/readyz" "http://127.0.0.1:$HELLO_PORT/"

# A mix of commands, each signed as Slack signs it: v0=HMAC-SHA256(secret, "v0:{ts}:{body}").
ts="$(date +%s)"
{
  echo "local requests = {"
  for text in "AADSTS7000215" "AADSTS50011%3A+The+redirect+URI+does+not+match" "invalid+client+secret" \
              "ERROR+MsalServiceException%3A+AADSTS700016%3A+Application+not+found" "AADSTS99999999"; do
    body="command=%2Faadsts&text=$text&team_id=T1&channel_id=C1&user_id=U1&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fhooks&trigger_id=1.2.3"
    sig="v0=$(printf 'v0:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)"
    echo "  { body = \"$body\", sig = \"$sig\" },"
  done
  echo "}"
  cat <<LUA
local i = 0
request = function()
  i = i + 1
  local r = requests[(i % #requests) + 1]
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Slack-Request-Timestamp"] = "$ts", ["X-Slack-Signature"] = r.sig }
  return wrk.format("POST", "/slack/commands", headers, r.body)
end
LUA
} >"$work/slack.lua"

echo "== baseline: axum hello world ($DURATION, $CONNECTIONS connections)"
run "http://127.0.0.1:$HELLO_PORT/" | tee "$work/hello.txt"
echo "== errkb: signed POST /slack/commands ($DURATION, $CONNECTIONS connections)"
run -s "$work/slack.lua" "http://127.0.0.1:$ERRKB_PORT" | tee "$work/slack.txt"
if grep -q "Non-2xx" "$work/slack.txt"; then echo "errkb refused some requests (see above)" >&2; exit 1; fi

h_rps="$(rps "$work/hello.txt")"; s_rps="$(rps "$work/slack.txt")"
echo
echo "| target | requests/s | p99 |"
echo "|---|---|---|"
echo "| axum hello world | $h_rps | $(p99 "$work/hello.txt") |"
echo "| errkb signed POST /slack/commands | $s_rps | $(p99 "$work/slack.txt") |"
awk -v s="$s_rps" -v h="$h_rps" 'BEGIN { printf "ratio errkb / baseline: %.1f%%\n", 100 * s / h }'
