#!/usr/bin/env bash
# errkb through the real Microsoft 365 Agents Playground, offline, on loopback only:
#   tests/playground/run.sh [drive.py flags...]
# Builds errkb, starts `errkb serve` in its dev-only Teams anonymous mode pinned to the Playground's
# serviceUrl, runs the seven Playground scenarios (playground.sh + drive.py) against it, stops errkb
# and exits with the scenarios' status (0: all passed, 1: a scenario failed, 2: setup error).
# Environment:
#   ERRKB_BIN        an errkb binary to use instead of building one (cargo build --bin errkb)
#   BOT_PORT         errkb's port (default: a free one); PLAYGROUND_PORT the Playground's (default: a free one)
#   PLAYGROUND_DIR, PLAYGROUND_CONFIG, KEEP_RUN_DIR   as playground.sh documents them
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
command -v python3 >/dev/null || { echo "run.sh needs python3 (and node, npm)" >&2; exit 2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

BIN=${ERRKB_BIN:-}
if [ -z "$BIN" ]; then
  (cd "$REPO" && cargo build --quiet --bin errkb) || { echo "cargo build failed" >&2; exit 2; }
  TARGET=$(cd "$REPO" && cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  BIN=$TARGET/debug/errkb
fi
[ -x "$BIN" ] || { echo "no errkb binary at $BIN" >&2; exit 2; }

BOT_PORT=${BOT_PORT:-$(free_port)}
PLAYGROUND_PORT=${PLAYGROUND_PORT:-$(free_port)}
export PLAYGROUND_PORT
WORK=$(mktemp -d /tmp/errkb-playground.XXXXXX)
ERRKB_PID=
cleanup() {
  if [ -n "$ERRKB_PID" ]; then
    kill "$ERRKB_PID" 2>/dev/null
    wait "$ERRKB_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# The anonymous mode: loopback only, no Teams credentials, JSON bodies only, and replies only to
# this serviceUrl (the one playground.sh hands the Playground with --su).
env -u MICROSOFT_APP_ID -u MICROSOFT_APP_PASSWORD -u MICROSOFT_APP_TENANT_ID \
  ERRKB_TEAMS_ANONYMOUS=1 \
  ERRKB_TEAMS_ANONYMOUS_SERVICE_URL="http://127.0.0.1:$PLAYGROUND_PORT/_connector" \
  ERRKB_LISTEN="127.0.0.1:$BOT_PORT" \
  ERRKB_PUBLIC_URL="http://127.0.0.1:$BOT_PORT" \
  ERRKB_KB_DIR="$REPO/kb" \
  ERRKB_DATABASE_URL="sqlite:$WORK/errkb.sqlite3" \
  ERRKB_HOT_RELOAD=false \
  "$BIN" serve > "$WORK/errkb.log" 2>&1 &
ERRKB_PID=$!
for _ in $(seq 1 100); do
  python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
    "http://127.0.0.1:$BOT_PORT/healthz" 2>/dev/null && break
  kill -0 "$ERRKB_PID" 2>/dev/null || { echo "errkb exited:" >&2; cat "$WORK/errkb.log" >&2; exit 2; }
  sleep 0.2
done
echo "errkb pid $ERRKB_PID on http://127.0.0.1:$BOT_PORT (anonymous mode, replies to the Playground on port $PLAYGROUND_PORT)" >&2

"$HERE/playground.sh" "http://127.0.0.1:$BOT_PORT/api/messages" "$@"
rc=$?
if [ $rc != 0 ]; then
  echo "--- errkb log" >&2
  tail -n 40 "$WORK/errkb.log" >&2
fi
exit $rc
