#!/usr/bin/env bash
# Drive a Teams bot through the real Microsoft 365 Agents Playground, offline, on loopback only.
#   tests/playground/playground.sh http://127.0.0.1:3978/api/messages [drive.py flags...]
# The bot must already be running (anonymous mode: the Playground sends no token). This script installs the
# Playground into $PLAYGROUND_DIR if missing, starts it against the bot, waits until it is ready, runs drive.py,
# stops the Playground and exits 0 only if every scenario passed.
# Environment:
#   PLAYGROUND_DIR      npm prefix holding the Playground        (default /tmp/playground)
#   PLAYGROUND_PORT     port for the Playground (a free one is taken if busy)      (default 56150)
#   PLAYGROUND_SERVICE_HOST  host in the serviceUrl handed to the bot               (default 127.0.0.1)
#   PLAYGROUND_CONFIG   a .m365agentsplayground.yml with mock tenant data (bot name, users...); default: built in
#   KEEP_RUN_DIR=1      keep the run folder (streams, recording, Playground log) even when everything passed
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
VERSION=0.2.28
PKG=@microsoft/m365agentsplayground
PGDIR=${PLAYGROUND_DIR:-/tmp/playground}
PORT=${PLAYGROUND_PORT:-56150}
SVC_HOST=${PLAYGROUND_SERVICE_HOST:-127.0.0.1}

BOT_URL=${1:-}
[ -n "$BOT_URL" ] || { echo "usage: $0 BOT_URL [drive.py flags]  (e.g. http://127.0.0.1:3978/api/messages)" >&2; exit 2; }
shift
command -v node >/dev/null && command -v npm >/dev/null && command -v python3 >/dev/null \
  || { echo "run.sh needs node, npm and python3" >&2; exit 2; }
case "$BOT_URL" in
  http://127.*|http://localhost[:/]*|http://\[::1\]*) ;;
  *) echo "BOT_URL must be a loopback http URL (127.x, localhost, [::1]); got $BOT_URL" >&2; exit 2 ;;
esac

# 1. the Playground, pinned: its internal API is undocumented and may change in any other version
CLI=$PGDIR/node_modules/$PKG/cli.js
have=$(node -p "require('$PGDIR/node_modules/$PKG/package.json').version" 2>/dev/null || true)
if [ "$have" != "$VERSION" ]; then
  echo "installing $PKG@$VERSION into $PGDIR" >&2
  mkdir -p "$PGDIR"
  [ -f "$PGDIR/package.json" ] || (cd "$PGDIR" && npm init -y >/dev/null)
  (cd "$PGDIR" && timeout 300 npm install --no-audit --no-fund "$PKG@$VERSION" >&2) \
    || { echo "npm install $PKG@$VERSION failed" >&2; exit 2; }
fi

# 2. the bot must answer something (any status) on its endpoint, as the Playground itself checks
python3 - "$BOT_URL" <<'PY' || exit 2
import sys, time, urllib.request, urllib.error
url, deadline = sys.argv[1], time.monotonic() + 30
while True:
    try:
        urllib.request.urlopen(url, timeout=2).close(); break
    except urllib.error.HTTPError:
        break
    except OSError as e:
        if time.monotonic() > deadline:
            sys.exit(f"bot not reachable at {url} after 30 s: {e}")
        time.sleep(0.5)
PY

# 3. a port: the Playground silently moves to a random port when its port is busy, and the serviceUrl we hand it
#    must name the port it really listens on, so pick a free one first
PORT=$(python3 - "$PORT" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as node's listen() does
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    s.close(); s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1]); s.close()
PY
)

# 4. start it in a run folder of its own (it writes devTools/ into its working folder, and would read a stray
#    .m365agentsplayground.yml from there)
RUN=$(mktemp -d /tmp/playground-run.XXXXXX)
mkdir -p "$RUN/bin"
printf '#!/bin/sh\n# no-op: the Playground tries to open a browser\nexit 0\n' > "$RUN/bin/xdg-open"
chmod +x "$RUN/bin/xdg-open"
PG_PID=
stop() {
  if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
    kill "$PG_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$PG_PID" 2>/dev/null
    wait "$PG_PID" 2>/dev/null
  fi
  PG_PID=
}
trap 'stop' EXIT
trap 'stop; exit 130' INT TERM
(
  cd "$RUN" || exit 1
  export PATH="$RUN/bin:$PATH" TEAMSAPPTESTER_BROWSER=none \
    M365_AGENTS_PLAYGROUND_LOGFILE="$RUN/playground.log" \
    M365_AGENTS_PLAYGROUND_RECORDING_FILE="$RUN/recording.log" \
    M365_AGENTS_PLAYGROUND_CONFIG_PATH="${PLAYGROUND_CONFIG:-$RUN/no-config.yml}"
  exec node -r "$HERE/loopback.js" "$CLI" start -e "$BOT_URL" -c msteams --dt --er -p "$PORT" \
    --su "http://$SVC_HOST:$PORT/_connector"
) > "$RUN/playground.out" 2>&1 &
PG_PID=$!

# 5. ready when it says where it listens and answers its ping
python3 - "$PORT" "$RUN/playground.out" "$PG_PID" <<'PY' || { tail -n 5 "$RUN/playground.out" "$RUN/playground.log" >&2; echo "run folder kept: $RUN" >&2; exit 2; }
import os, sys, time, urllib.request
port, out, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("the Playground exited during start")
    text = open(out, errors="replace").read()
    if "Listening on" in text and f"Listening on {port}" not in text:
        sys.exit(f"the Playground did not take port {port}: {text.strip()}")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_debug/ping", timeout=2) as r:
            if r.read() == b"pong":
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.3)
sys.exit("the Playground was not ready after 60 s")
PY
echo "Playground $VERSION pid $PG_PID on http://127.0.0.1:$PORT -> $BOT_URL (run folder $RUN)" >&2

# 6. the scenarios
python3 "$HERE/drive.py" --playground "http://127.0.0.1:$PORT" --recording "$RUN/recording.log" --out "$RUN" "$@"
rc=$?
stop
if [ $rc = 0 ] && [ "${KEEP_RUN_DIR:-0}" != 1 ]; then
  rm -rf "$RUN"
else
  echo "run folder kept: $RUN (log_stream.json, conversation_stream.json, recording.log, playground.log)" >&2
fi
exit $rc
