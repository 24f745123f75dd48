#!/usr/bin/env bash
# Soak test: `errkb serve` (release build, every integration on) under wrk for DURATION at
# CONNECTIONS connections, every route in one mix of good and bad requests: pages, the JSON API
# (including an empty question and a body over the limit), health and metrics, /admin with and
# without the token, signed and unsigned Slack requests, Slack install and OAuth callback, a
# Teams activity with a bad token, the Teams outgoing webhook with a good and a bad HMAC, an
# unknown probe link and a static asset.
#
#   bench/soak.sh [DURATION] [CONNECTIONS]      defaults: 60s 32
#   SOAK_DATABASE_URL=postgres://... bench/soak.sh  the store in PostgreSQL instead of a SQLite file
#
# Before the run every request of the mix is sent once with curl and must get the status the mix
# expects. After it, the script reports:
#   - errors (want 0): socket errors (connect, read, write, timeout), 5xx answers, statuses the
#     mix never expects, and any status whose share of the answers is off from the mix's by more
#     than half a percentage point (a signed request refused would shift the 401s);
#   - errkb's resident memory (VmRSS) after a warm-up, every 10 s, and after the run (want flat);
#   - errkb's open file handles before and after (want the same once the clients are gone), and
#     its log lines (refusals are logged throttled, so the log stays small).
# Needs wrk, curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-60s}"
CONNECTIONS="${2:-32}"
THREADS=2
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (Debian: apt-get install -y wrk curl python3)" >&2; exit 2; }
done
cargo build --release --quiet --bin errkb
BIN="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/errkb"

work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export ERRKB_LISTEN="127.0.0.1:$port" ERRKB_PUBLIC_URL="$base" ERRKB_KB_DIR=kb ERRKB_HOT_RELOAD=false \
  ERRKB_DATABASE_URL="${SOAK_DATABASE_URL:-sqlite:$work/errkb.sqlite3}" ERRKB_BODY_LIMIT_BYTES=65536 \
  ERRKB_ADMIN_TOKEN=soak-admin-token-0123456789 \
  SLACK_SIGNING_SECRET=soak-signing-secret SLACK_BOT_TOKEN=xoxb-soak-token \
  SLACK_CLIENT_ID=1111.2222 SLACK_CLIENT_SECRET=soak-client-secret \
  ERRKB_TOKEN_ENCRYPTION_KEY="c29hayB0ZXN0IHRva2VuIGtleSwgMzIgYnl0ZXMhISE=" \
  ERRKB_SLACK_API_URL="http://127.0.0.1:9/api" \
  MICROSOFT_APP_ID=5f0c2f2b-0c1d-4d55-9a36-6f0d0b7f2a11 MICROSOFT_APP_PASSWORD=soak-app-password \
  MICROSOFT_APP_TENANT_ID=11111111-2222-3333-4444-555555555555 \
  ERRKB_TEAMS_OPENID_METADATA_URL="http://127.0.0.1:9/openid" ERRKB_TEAMS_AUTHORITY_URL="http://127.0.0.1:9" \
  TEAMS_WEBHOOK_SECRET="c29hayB3ZWJob29rIHNlY3JldCwgMzIgYnl0ZXMgbG9uZyE=" \
  ERRKB_PROBE_ENABLED=true ERRKB_PROBE_ALLOWED_USERS=U0SOAK ERRKB_PROBE_AUTHORITY_OVERRIDE="http://127.0.0.1:9/"
"$BIN" serve >"$work/errkb.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.1; done
curl -fs "$base/readyz" >/dev/null || { echo "errkb did not start:" >&2; cat "$work/errkb.log" >&2; exit 1; }

# The mix, as (method, path, headers, body, expected status); signatures made once, now (Slack
# accepts a timestamp for five minutes).
python3 - "$work" <<'PY'
import base64, hashlib, hmac, json, os, sys, time
work = sys.argv[1]
ts = str(int(time.time()))
def slack(body):
    sig = hmac.new(os.environ["SLACK_SIGNING_SECRET"].encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": f"v0={sig}"}
def teams_hmac(body):
    key = base64.b64decode(os.environ["TEAMS_WEBHOOK_SECRET"])
    return "HMAC " + base64.b64encode(hmac.new(key, body.encode(), hashlib.sha256).digest()).decode()
form = {"Content-Type": "application/x-www-form-urlencoded"}
js = {"Content-Type": "application/json"}
command = "command=%2Faadsts&text=7000215&team_id=T1&channel_id=C1&user_id=U1&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fr"
challenge = json.dumps({"type": "url_verification", "token": "t", "challenge": "soak"})
activity = json.dumps({"type": "message", "text": "<at>errkb</at> AADSTS50011 on sign-in"})
signed_events = dict(slack(challenge), **{"Content-Type": "application/json"})
mix = [
    ("GET", "/", {}, "", 200),
    ("GET", "/?q=AADSTS50011", {}, "", 200),
    ("GET", "/guides", {}, "", 200),
    ("GET", "/guides/AADSTS7000215", {}, "", 200),
    ("GET", "/guides/NOPE", {}, "", 404),
    ("GET", "/nowhere", {}, "", 404),
    ("GET", "/api/v1/answer?q=AADSTS7000215", {}, "", 200),
    ("GET", "/api/v1/answer?q=", {}, "", 400),
    ("POST", "/api/v1/answer", js, json.dumps({"q": "invalid client secret provided"}), 200),
    ("POST", "/api/v1/answer", js, json.dumps({"q": "x" * 70000}), 413),
    ("GET", "/healthz", {}, "", 200),
    ("GET", "/readyz", {}, "", 200),
    ("GET", "/metrics", {}, "", 200),
    ("GET", "/admin", {}, "", 401),
    ("GET", "/admin", {"Authorization": "Bearer " + os.environ["ERRKB_ADMIN_TOKEN"]}, "", 200),
    ("POST", "/slack/commands", slack(command), command, 200),
    ("POST", "/slack/commands", form, command, 401),
    ("POST", "/slack/events", signed_events, challenge, 200),
    ("POST", "/slack/interactions", dict(slack("payload=%7B%7D"), **{"X-Slack-Signature": "v0=00"}), "payload=%7B%7D", 401),
    ("GET", "/slack/install", {}, "", 303),
    ("GET", "/slack/oauth/callback?error=access_denied", {}, "", 200),
    ("POST", "/api/messages", dict(js, Authorization="Bearer not.a.token"), activity, 401),
    ("POST", "/teams/webhook", dict(js, Authorization=teams_hmac(activity)), activity, 200),
    ("POST", "/teams/webhook", dict(js, Authorization=teams_hmac(activity + " ")), activity, 401),
    ("GET", "/probe/not-a-real-link", {}, "", 404),
    ("GET", "/assets/app.css", {}, "", 200),
]
json.dump(mix, open(f"{work}/mix.json", "w"))
def lua(s):
    return json.dumps(s)  # a JSON string is a valid Lua string literal here (ASCII, no control bytes)
lines = ["local mix = {"]
for method, path, headers, body, status in mix:
    h = ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in headers.items())
    lines.append(f"  {{ {lua(method)}, {lua(path)}, {{ {h} }}, {lua(body) if body else 'nil'}, {status} }},")
lines.append("}")
open(f"{work}/mix.lua", "w").write("\n".join(lines) + "\n")
PY

cat >>"$work/mix.lua" <<'LUA'
local requests, i = {}, 0
statuses = {}
init = function()
  for n, r in ipairs(mix) do requests[n] = wrk.format(r[1], r[2], r[3], r[4]) end
end
request = function()
  i = (i % #requests) + 1
  return requests[i]
end
response = function(status)
  statuses[status] = (statuses[status] or 0) + 1
end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary)
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do total[status] = (total[status] or 0) + n end
  end
  local e = summary.errors
  io.write(string.format("socket_errors connect=%d read=%d write=%d timeout=%d\n", e.connect, e.read, e.write, e.timeout))
  for status, n in pairs(total) do io.write(string.format("status %d %d\n", status, n)) end
end
LUA

echo "== pre-flight: each request of the mix once, with curl"
python3 - "$work" "$base" <<'PY'
import json, subprocess, sys
work, base = sys.argv[1], sys.argv[2]
bad = 0
for method, path, headers, body, want in json.load(open(f"{work}/mix.json")):
    args = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method, base + path]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    if body:
        args += ["--data-binary", "@-"]
    got = int(subprocess.run(args, input=body.encode(), capture_output=True).stdout or 0)
    if got != want:
        bad += 1
        print(f"  {method} {path}: {got}, the mix expects {want}")
print(f"  {len(json.load(open(f'{work}/mix.json')))} requests, {bad} unexpected")
sys.exit(1 if bad else 0)
PY

rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
fds() { find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }
log_lines_before=$(wc -l <"$work/errkb.log")
echo "== warm-up (5 s)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$work/mix.lua" "$base" >/dev/null
sleep 1
rss_start=$(rss); fds_start=$(fds)
echo "   after warm-up: RSS ${rss_start} kB, ${fds_start} open file handles"
echo "== soak: $DURATION, $CONNECTIONS connections, $THREADS threads, $(python3 -c "import json;print(len(json.load(open('$work/mix.json'))))") kinds of request in turn"
( while kill -0 "$pid" 2>/dev/null; do sleep 10; echo "$(date +%s) $(rss)"; done ) >"$work/rss.txt" &
sampler=$!
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$work/mix.lua" --latency "$base" | tee "$work/wrk.txt"
kill "$sampler" 2>/dev/null || true
sleep 2
rss_end=$(rss); fds_end=$(fds)
log_lines=$(( $(wc -l <"$work/errkb.log") - log_lines_before ))

python3 - "$work" "$rss_start" "$rss_end" "$fds_start" "$fds_end" "$log_lines" <<'PY'
import json, re, sys
work, rss_start, rss_end, fds_start, fds_end, log_lines = sys.argv[1], *map(int, sys.argv[2:])
mix = json.load(open(f"{work}/mix.json"))
text = open(f"{work}/wrk.txt").read()
sock = dict((k, int(v)) for k, v in re.findall(r"(connect|read|write|timeout)=(\d+)", text))
got = {int(s): int(n) for s, n in re.findall(r"^status (\d+) (\d+)$", text, re.M)}
total = sum(got.values())
want = {}
for *_, status in mix:
    want[status] = want.get(status, 0) + 1
five_xx = sum(n for s, n in got.items() if s >= 500)
unexpected = sum(n for s, n in got.items() if s not in want)
off = [(s, n / total, want.get(s, 0) / len(mix)) for s, n in got.items() if abs(n / total - want.get(s, 0) / len(mix)) > 0.005]
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)
samples = [int(l.split()[1]) for l in open(f"{work}/rss.txt") if l.split()[1:]]
errors = sum(sock.values()) + five_xx + unexpected + len(off)
print("== results")
print(f"   requests: {total} answered, {rps}/s, p99 {p99}")
print(f"   statuses: " + ", ".join(f"{s}: {n} ({100 * n / total:.1f} %, mix {100 * want.get(s, 0) / len(mix):.1f} %)" for s, n in sorted(got.items())))
print(f"   errors: {errors} (socket {sum(sock.values())} {sock}, 5xx {five_xx}, unexpected statuses {unexpected}, shares off {off})")
print(f"   RSS: {rss_start} kB after warm-up, {rss_end} kB after the run ({rss_end - rss_start:+d} kB); every 10 s: {samples}")
print(f"   open file handles: {fds_start} before, {fds_end} after")
print(f"   log lines written during the soak: {log_lines}")
sys.exit(1 if errors else 0)
PY
