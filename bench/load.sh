#!/usr/bin/env bash
# Load test of every path a user hits, in one run against one baseline: the axum hello world
# (examples/hello_baseline.rs) and `errkb serve` (release, shipped kb/, SQLite file, Slack and
# Teams on), driven by wrk with the same threads and connections:
#   GET /healthz                  errkb's floor: every middleware layer, a trivial handler
#   GET /api/v1/answer            a mix of codes, pasted log lines, free text and unknown codes
#                                 (repeated; then every question different, the worst case)
#   POST /slack/commands          signed slash commands (the answer is the ack)
#   POST /slack/events            signed app_mention events in a channel (ack; answer posted after)
#   POST /slack/interactions      signed block_actions clicks (Helpful, Show all steps, Did you mean)
#   POST /teams/webhook           outgoing-webhook activities with their HMAC
#   POST /api/messages            Bot Framework activities with a valid RS256 token (reply posted
#                                 after, through the connector)
# Outbound calls (Slack Web API, response_url, OpenID metadata and keys, the bot's token, the Bot
# Connector) go to examples/fake_platforms.rs on loopback. Requests are signed by bench/loadkit.py
# right before each run, so Slack's five-minute window holds whatever DURATION is.
#
# It also measures start-up (exec to /readyz 200, STARTS starts), idle RSS, and RSS after the
# first 10 s and at the end of MIX_DURATION of every path mixed. The table gives, per path,
# requests/s, the share of the baseline (the mean of a hello-world run before the paths and one
# after) and of the baseline answering the same bytes, p99, errors (non-2xx answers and socket
# errors other than the next column), the 503s errkb shed because its background budget was full
# (src/http/background.rs: Slack resends events, the Bot Connector activities; clicks are not
# resent), the requests a second taken on (not shed), errkb's CPU per request and the
# baseline's for the same bytes, and how long errkb took to go idle after the run: the work
# acknowledged requests left running (each path waits for it, so none is billed for the one
# before).
#
#   bench/load.sh [DURATION] [CONNECTIONS]     defaults: 30s 32 (THREADS=2)
#   DURATION=5s MIX_DURATION=15s STARTS=3 bench/load.sh     a quick check that the script works
#   ONLY="slack_command teams_messages" PERF=/tmp/prof bench/load.sh
#                                 only those paths (names as in loadkit.py sign) after the
#                                 baseline, each with a `perf record -g` CPU profile of errkb
#                                 (PERF/<path>.perf.data, top frames in PERF/<path>.txt)
#
# Environment: DURATION, CONNECTIONS, THREADS, MIX_DURATION (60s), STARTS (5), POOL (2000: distinct
# signed Slack events and clicks per run; past it, event ids repeat and are de-duplicated),
# ERRKB_BIN (the errkb binary to measure; the fresh release build by default),
# SETTLE_MAX (30: seconds to wait for errkb to go idle after a path before restarting it), and
# CARGO_TARGET_DIR. Needs wrk, curl, python3 and openssl. Exits 1 when any run had errors other
# than shed 503s.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-${DURATION:-30s}}"
CONNECTIONS="${2:-${CONNECTIONS:-32}}"
THREADS="${THREADS:-2}"
MIX_DURATION="${MIX_DURATION:-60s}"
STARTS="${STARTS:-5}"
SETTLE_MAX="${SETTLE_MAX:-30}"
export POOL="${POOL:-2000}"
for tool in curl python3 openssl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 2; }
done

# shellcheck source=bench/common.sh
source bench/common.sh
# ERRKB_BIN: another errkb binary to measure (an A/B against a copy of an earlier build).
ERRKB_BIN="${ERRKB_BIN:-$BIN_DIR/errkb}"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ERRKB_PORT="$(free_port)"; HELLO_PORT="$(free_port)"; FAKE_PORT="$(free_port)"
base="http://127.0.0.1:$ERRKB_PORT"
export FAKE="http://127.0.0.1:$FAKE_PORT" KEY_PEM="tests/fixtures/teams/test-key-a.pem"
export ERRKB_LISTEN="127.0.0.1:$ERRKB_PORT" ERRKB_PUBLIC_URL="$base" ERRKB_KB_DIR=kb \
  ERRKB_HOT_RELOAD="${ERRKB_HOT_RELOAD:-false}" ERRKB_DATABASE_URL="sqlite:$work/errkb.sqlite3" \
  SLACK_SIGNING_SECRET=bench-signing-secret SLACK_BOT_TOKEN=xoxb-bench-token ERRKB_SLACK_API_URL="$FAKE/slack-api" \
  MICROSOFT_APP_ID=5f0c2f2b-0c1d-4d55-9a36-6f0d0b7f2a11 MICROSOFT_APP_PASSWORD=bench-app-password \
  MICROSOFT_APP_TENANT_ID=11111111-2222-3333-4444-555555555555 \
  ERRKB_TEAMS_OPENID_METADATA_URL="$FAKE/openid" ERRKB_TEAMS_AUTHORITY_URL="$FAKE" \
  ERRKB_TEAMS_SERVICE_URL_HOSTS=127.0.0.1 \
  TEAMS_WEBHOOK_SECRET="YmVuY2ggd2ViaG9vayBzZWNyZXQsIDMyIGJ5dGVzIGxvbmch"

"$BIN_DIR/examples/fake_platforms" "127.0.0.1:$FAKE_PORT" tests/fixtures/teams/test-keys.jwk.json 2>"$work/fake.log" &
pids+=($!)
start_hello "$HELLO_PORT"
hello_pid="${pids[-1]}"
wait_ready "$FAKE/openid" "http://127.0.0.1:$HELLO_PORT/"

echo "== start-up: errkb serve from exec to /readyz 200, $STARTS starts"
startup="$(python3 bench/loadkit.py startup "$ERRKB_BIN" "$base/readyz" "$STARTS")"
echo "   $startup"

# start_errkb: `errkb serve` in the background (the same database each time), ready.
start_errkb() {
  "$ERRKB_BIN" serve 2>>"$work/errkb.log" &
  errkb_pid=$!
  pids+=("$errkb_pid")
  wait_ready "$base/readyz"
}
# busy: errkb's count of requests refused because its background budget was full (503).
busy() { curl -fs "$base/metrics" | awk -F'} ' '/^errkb_refusals_total\{reason="background_busy"\}/ { n = $2 } END { print n + 0 }'; }
rss() { awk '/^VmRSS/ { printf "%.1f MB", $2 / 1024 }' "/proc/$errkb_pid/status"; }
# cpu_ticks [PID]: the process's user + system CPU so far, in clock ticks (errkb's by default).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/${1:-$errkb_pid}/stat"; }
# settle NAME: waits until errkb is idle (under 5 % of a core over half a second) for at most
# SETTLE_MAX seconds, so the work acknowledged requests left running (answers posted after a
# Slack or Teams ack) is not billed to the next path. The seconds go to $work/NAME.drain for the
# table; when errkb is still busy, it is restarted (its backlog dropped) and the table says so.
settle() {
  local start ticks hz idle=0; start=$(date +%s.%N); hz=$(getconf CLK_TCK)
  for _ in $(seq 1 $((SETTLE_MAX * 2))); do
    ticks=$(cpu_ticks); sleep 0.5
    if (( ($(cpu_ticks) - ticks) * 100 <= 5 * hz / 2 )); then idle=1; break; fi
  done
  if (( idle )); then
    awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f s\n", e - s }' >"$work/$1.drain"
  else
    echo "> $SETTLE_MAX s (restarted)" >"$work/$1.drain"
    kill "$errkb_pid"; wait "$errkb_pid" 2>/dev/null || true
    start_errkb
  fi
  echo "   idle again after $(cat "$work/$1.drain")"
}

start_errkb
sleep 2
rss_idle="$(rss)"
echo "== idle RSS: $rss_idle"

# wrk_path NAME: signs afresh, one wrk run of $work/NAME.lua (output in $work/NAME.txt), then
# waits for errkb to go idle.
wrk_path() {
  python3 bench/loadkit.py sign "$work"
  echo "== $1 ($DURATION, $CONNECTIONS connections)"
  if [ -n "${PERF:-}" ]; then
    mkdir -p "$PERF"
    # shellcheck disable=SC2086
    perf record ${PERF_ARGS:--g} -F 499 -p "$errkb_pid" -o "$PERF/$1.perf.data" 2>/dev/null &
    perf_pid=$!
  fi
  local busy_before ticks_before; busy_before="$(busy)"; ticks_before="$(cpu_ticks)"
  run -s "$work/$1.lua" "$base" >"$work/$1.txt"
  echo $(( $(busy) - busy_before )) >"$work/$1.busy"
  if [ -n "${PERF:-}" ]; then
    kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
    perf report -i "$PERF/$1.perf.data" --no-children --stdio --percent-limit 1 -g none 2>/dev/null \
      | grep -v '^$' | grep -v '^#' | head -40 >"$PERF/$1.txt"
    echo "   profile: $PERF/$1.txt"
  fi
  grep -E "Requests/sec|Non-2xx|Socket errors|^ +99%" "$work/$1.txt" | sed 's/^ */   /'
  settle "$1"
  # errkb's CPU from the start of the run until it was idle again (none after a restart).
  local ticks=$(( $(cpu_ticks) - ticks_before )); echo $(( ticks > 0 ? ticks : 0 )) >"$work/$1.cpu"
  sized_baseline "$1"
}
# sized_baseline NAME: the baseline again, answering as many bytes on the wire as NAME's
# responses took on average (hello_baseline's /bytes/{n}), into $work/NAME.sized.txt: what
# the transport of those bytes costs on this machine, apart from errkb's own work.
sized_baseline() {
  local total hello_total; total="$(python3 bench/loadkit.py bytes "$work/$1.txt")"
  hello_total="$(python3 bench/loadkit.py bytes "$work/hello.txt")"
  local n=$(( total - hello_total + 13 )); (( n > 0 )) || n=0
  local ticks_before; ticks_before="$(cpu_ticks "$hello_pid")"
  run "http://127.0.0.1:$HELLO_PORT/bytes/$n" >"$work/$1.sized.txt"
  echo $(( $(cpu_ticks "$hello_pid") - ticks_before )) >"$work/$1.sized.cpu"
  echo "   the baseline answering the same $total bytes: $(rps "$work/$1.sized.txt") req/s"
}
# hello_run FILE: one wrk run of the baseline into $work/FILE.txt, its CPU ticks in FILE.cpu.
hello_run() {
  local ticks_before; ticks_before="$(cpu_ticks "$hello_pid")"
  run "http://127.0.0.1:$HELLO_PORT/" >"$work/$1.txt"
  echo $(( $(cpu_ticks "$hello_pid") - ticks_before )) >"$work/$1.cpu"
  grep -E "Requests/sec" "$work/$1.txt" | sed 's/^ */   /'
}

if [ -n "${ONLY:-}" ]; then
  echo "== baseline: axum hello world ($DURATION, $CONNECTIONS connections)"
  hello_run hello
  for path in $ONLY; do wrk_path "$path"; done
  python3 bench/loadkit.py table "$work" $(for p in $ONLY; do echo "$p=$p"; done)
  exit 0
fi

python3 bench/loadkit.py sign "$work"
echo "== every path mixed ($MIX_DURATION, $CONNECTIONS connections); RSS after 10 s and at the end"
busy_before="$(busy)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$MIX_DURATION" --latency -s "$work/mixed.lua" "$base" >"$work/mixed.txt" &
mix_pid=$!
sleep 10
rss_10s="$(rss)"
wait "$mix_pid"
rss_end="$(rss)"
echo $(( $(busy) - busy_before )) >"$work/mixed.busy"
grep -E "Requests/sec|Non-2xx|Socket errors|^ +99%" "$work/mixed.txt" | sed 's/^ */   /'
echo "   RSS: idle $rss_idle, after 10 s of load $rss_10s, after $MIX_DURATION $rss_end"
settle mixed

echo "== baseline: axum hello world ($DURATION, $CONNECTIONS connections)"
hello_run hello
wrk_path healthz
wrk_path api_answer
cat >"$work/unique.lua" <<'LUA'
local words = { "invalid", "client", "secret", "redirect", "uri", "mismatch", "consent", "required",
  "tenant", "not", "found", "token", "expired", "certificate", "conditional", "access", "blocked" }
local i = 0
request = function()
  i = i + 1
  local a, b, c = words[(i % #words) + 1], words[((i * 7) % #words) + 1], words[((i * 13) % #words) + 1]
  return wrk.format("GET", "/api/v1/answer?q=" .. a .. "%20" .. b .. "%20" .. c .. "%20" .. i)
end
LUA
echo "== api_unique: every question different ($DURATION, $CONNECTIONS connections)"
run -s "$work/unique.lua" "$base" >"$work/api_unique.txt"
settle api_unique
for path in slack_command slack_mention slack_button teams_webhook teams_messages; do wrk_path "$path"; done
echo "== baseline again ($DURATION, $CONNECTIONS connections)"
hello_run hello-after

echo
python3 bench/loadkit.py table "$work" "GET /healthz (errkb's floor)=healthz" \
  "GET /api/v1/answer (mixed questions)=api_answer" "GET /api/v1/answer (every question different)=api_unique" \
  "POST /slack/commands (signed)=slack_command" "POST /slack/events app_mention (signed)=slack_mention" \
  "POST /slack/interactions block_actions (signed)=slack_button" "POST /teams/webhook (HMAC)=teams_webhook" \
  "POST /api/messages (RS256 token)=teams_messages" "every path mixed ($MIX_DURATION)=mixed"
echo
echo "start-up: $startup"
echo "RSS: idle $rss_idle; every path mixed: after 10 s $rss_10s, after $MIX_DURATION $rss_end"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), wrk -t$THREADS -c$CONNECTIONS, load average $(cut -d' ' -f1-3 /proc/loadavg)"
curl -fs "$base/metrics" | grep -E '^errkb_(refusals_total|query_log_(written|dropped)_total)' || true
# errkb's warnings by kind, numbers blanked (the loopback ERRKB_PUBLIC_URL warning is expected).
grep -E " (WARN|ERROR) " "$work/errkb.log" | grep -v "ERRKB_PUBLIC_URL is" \
  | sed -E 's/^[^ ]+ +//; s/[0-9]+(\.[0-9]+)?/N/g' | cut -c1-150 | sort | uniq -c | sort -rn >"$work/warnings.log" || true
if [ -s "$work/warnings.log" ]; then echo "errkb's warnings, by kind:"; head -8 "$work/warnings.log"; fi
# A 503 for a full background budget is errkb shedding load as designed (the platforms resend);
# anything else is a failure.
if python3 bench/loadkit.py failed "$work"; then echo "some requests failed (see the table)" >&2; exit 1; fi
