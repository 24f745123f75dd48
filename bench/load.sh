#!/usr/bin/env bash
# Load test: `errkb serve` answering GET /api/v1/answer versus an axum hello-world baseline
# (examples/hello_baseline.rs), both driven by wrk in the same run on the same machine.
#
#   bench/load.sh [DURATION] [CONNECTIONS]      defaults: 30s 64
#
# Needs wrk (Debian: apt-get install wrk). Prints requests/s and p99 for both and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-30s}"
CONNECTIONS="${2:-64}"
THREADS=2
ERRKB_PORT=3100
HELLO_PORT=3101

# shellcheck source=bench/common.sh
source bench/common.sh

ERRKB_DATABASE_URL="sqlite:$work/errkb.sqlite3" ERRKB_HOT_RELOAD=false ERRKB_KB_DIR=kb \
  target/release/errkb serve --listen "127.0.0.1:$ERRKB_PORT" 2>"$work/errkb.log" &
pids+=($!)
start_hello "$HELLO_PORT"

wait_ready "http://127.0.0.1:$ERRKB_PORT/readyz" "http://127.0.0.1:$HELLO_PORT/"

# A realistic mix: exact codes, a pasted log line, free text, an unknown code.
cat >"$work/mix.lua" <<'LUA'
local queries = {
  "AADSTS7000215",
  "AADSTS50011%3A%20The%20redirect%20URI%20specified%20in%20the%20request%20does%20not%20match",
  "invalid%20client%20secret%20provided",
  "2026-11-28%20ERROR%20MsalServiceException%3A%20AADSTS700016%3A%20Application%20not%20found",
  "AADSTS53003",
  "AADSTS99999999",
  "user%20must%20use%20multi-factor%20authentication",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/answer?q=" .. queries[(i % #queries) + 1])
end
LUA

# The worst case: every request a different free-text question (no answer-cache hit, a full
# text search each time).
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

echo "== baseline: axum hello world ($DURATION, $CONNECTIONS connections)"
run "http://127.0.0.1:$HELLO_PORT/" | tee "$work/hello.txt"
echo "== errkb: GET /api/v1/answer, mixed queries ($DURATION, $CONNECTIONS connections)"
run -s "$work/mix.lua" "http://127.0.0.1:$ERRKB_PORT" | tee "$work/errkb.txt"
echo "== errkb: GET /api/v1/answer, every question different ($DURATION, $CONNECTIONS connections)"
run -s "$work/unique.lua" "http://127.0.0.1:$ERRKB_PORT" | tee "$work/unique.txt"

h_rps="$(rps "$work/hello.txt")"; e_rps="$(rps "$work/errkb.txt")"
echo
echo "| target | requests/s | p99 |"
echo "|---|---|---|"
echo "| axum hello world | $h_rps | $(p99 "$work/hello.txt") |"
echo "| errkb /api/v1/answer, mixed repeated questions | $e_rps | $(p99 "$work/errkb.txt") |"
echo "| errkb /api/v1/answer, every question different | $(rps "$work/unique.txt") | $(p99 "$work/unique.txt") |"
awk -v e="$e_rps" -v h="$h_rps" 'BEGIN { printf "ratio errkb / baseline: %.1f%%\n", 100 * e / h }'
echo
curl -fs "http://127.0.0.1:$ERRKB_PORT/metrics" | grep -E '^errkb_(answers_total|query_log_(written|dropped)_total)' || true
