#!/usr/bin/env bash
# Memory and CPU of a running `errkb serve`, for sizing containers (docs/deploy.md, "Sizing").
#
#   bench/resources.sh [DURATION] [CONNECTIONS]      defaults: 20s 32
#
# Starts the release binary (ERRKB_BIN, default target/release/errkb; built if missing) on the
# shipped kb/ with hot reload on, against ERRKB_DATABASE_URL (default a SQLite file in a temp
# dir), and reads /proc/PID: resident memory (VmRSS, peak VmHWM) and CPU time (utime + stime)
# after start, after 10 s idle, and after wrk floods GET /api/v1/answer with repeated questions,
# then with every question different (the worst case: a full-text search each). Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-20s}"
CONNECTIONS="${2:-32}"
PORT=3102
BIN="${ERRKB_BIN:-${CARGO_TARGET_DIR:-target}/release/errkb}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
[ -x "$BIN" ] || cargo build --release --quiet --bin errkb

work="$(mktemp -d)"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

TICKS=$(getconf CLK_TCK)
cpu_s() { awk -v t="$TICKS" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$pid/stat"; }
mem() { awk '/^VmRSS|^VmHWM/ { printf "%s %.1f MiB  ", $1, $2 / 1024 }' "/proc/$pid/status"; }
report() { echo "$1: cpu $(cpu_s) s total; $(mem)"; }

start=$(date +%s.%N)
ERRKB_DATABASE_URL="${ERRKB_DATABASE_URL:-sqlite:$work/errkb.sqlite3}" ERRKB_KB_DIR=kb ERRKB_HOT_RELOAD=true \
  "$BIN" serve --listen "127.0.0.1:$PORT" 2>"$work/errkb.log" &
pid=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.05; done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { cat "$work/errkb.log" >&2; exit 1; }
echo "ready after $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }') s"
report "after start"
sleep 10
report "after 10 s idle"

cat >"$work/mix.lua" <<'LUA'
local queries = { "AADSTS7000215", "invalid%20client%20secret%20provided", "AADSTS53003",
  "2026-11-28%20ERROR%20AADSTS700016%3A%20Application%20not%20found", "AADSTS99999999" }
local i = 0
request = function() i = i + 1; return wrk.format("GET", "/api/v1/answer?q=" .. queries[(i % #queries) + 1]) end
LUA
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

for phase in mix unique; do
  before=$(cpu_s)
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$work/$phase.lua" "http://127.0.0.1:$PORT" >"$work/$phase.txt"
  after=$(cpu_s)
  requests=$(awk '/requests in/ { print $1 }' "$work/$phase.txt")
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$work/$phase.txt")
  echo "$phase: $requests requests ($rps/s); errkb used $(awk -v a="$after" -v b="$before" -v n="$requests" \
    'BEGIN { printf "%.2f CPU s, %.1f CPU ms per 1000 requests", a - b, 1000 * 1000 * (a - b) / n }')"
  report "after $phase"
done
