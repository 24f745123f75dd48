#!/usr/bin/env python3
"""Helpers for bench/load.sh (standard library and the openssl command only).

  loadkit.py sign WORK           writes WORK/<path>.lua, one wrk script per measured path, and
                                 WORK/mixed.lua (every path in turn), signed now: Slack signatures
                                 with a fresh timestamp (Slack accepts five minutes), the Teams
                                 webhook HMAC, and a Bot Connector JWT (RS256, the committed test
                                 key the fake serves) valid for an hour.
  loadkit.py startup BIN URL N   starts BIN serve N times (environment inherited), prints the ms
                                 from exec to URL (/readyz) answering 200, one line per start.
  loadkit.py table WORK LABEL=NAME...  the results table from WORK/<NAME>.txt (wrk --latency
                                 output) against WORK/hello.txt and WORK/hello-after.txt, with
                                 the 503s errkb shed (WORK/<NAME>.busy) apart from other errors and
                                 the seconds errkb took to go idle after each run (WORK/<NAME>.drain)
                                 and the server's CPU per request (WORK/<NAME>.cpu, clock ticks).
  loadkit.py bytes FILE          mean bytes per response (headers included) in wrk output FILE.
  loadkit.py failed WORK         exit status 0 when a run had errors other than 503 shedding.

Configuration comes from the environment load.sh exports: SLACK_SIGNING_SECRET,
TEAMS_WEBHOOK_SECRET, MICROSOFT_APP_ID, MICROSOFT_APP_TENANT_ID, FAKE (the fake platforms' base
URL), POOL (distinct signed requests per Slack path), KEY_PEM (the test key).
"""

import base64
import hashlib
import hmac
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

# A mix of exact codes, pasted log lines, free text and unknown codes, shared by every path.
QUESTIONS = [
    "AADSTS7000215",
    "AADSTS50011: The redirect URI specified in the request does not match",
    "invalid client secret provided",
    "2026-11-28 ERROR MsalServiceException: AADSTS700016: Application not found",
    "AADSTS53003",
    "AADSTS99999999",
    "user must use multi-factor authentication",
]


def env(name):
    return os.environ[name]


def lua(s):
    """A Lua string literal (a JSON string is one, for ASCII without control bytes)."""
    return json.dumps(s, ensure_ascii=True)


def slack_headers(body, ts, content_type):
    base = f"v0:{ts}:{body}".encode()
    sig = hmac.new(env("SLACK_SIGNING_SECRET").encode(), base, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={sig}"}


def form(fields):
    return urllib.parse.urlencode(fields)


def answer_requests():
    return [("GET", "/api/v1/answer?q=" + urllib.parse.quote(q), {}, "") for q in QUESTIONS]


def command_requests(ts):
    out = []
    for q in QUESTIONS:
        body = form({"command": "/aadsts", "text": q, "team_id": "T0BENCH", "channel_id": "C0BENCH",
                     "user_id": "U0BENCH", "response_url": env("FAKE") + "/hooks/command", "trigger_id": "1.2.3"})
        out.append(("POST", "/slack/commands", slack_headers(body, ts, "application/x-www-form-urlencoded"), body))
    return out


def mention_requests(ts, pool):
    """app_mention events in a channel, each with its own event id and ts (no de-duplication
    until the pool wraps round)."""
    out = []
    for i in range(pool):
        event = {"type": "app_mention", "user": "U0BENCH", "text": "<@U0ERRKB> " + QUESTIONS[i % len(QUESTIONS)],
                 "channel": "C0BENCH", "channel_type": "channel", "ts": f"{int(ts)}.{i:06d}"}
        body = json.dumps({"type": "event_callback", "team_id": "T0BENCH", "api_app_id": "A0BENCH",
                           "event_id": f"Ev{ts}B{i:06d}", "event_time": int(ts), "event": event,
                           "authorizations": [{"user_id": "U0ERRKB", "is_bot": True}]}, separators=(",", ":"))
        out.append(("POST", "/slack/events", slack_headers(body, ts, "application/json"), body))
    return out


def button_requests(ts, pool):
    """block_actions clicks: Helpful, Show all steps and a "Did you mean" choice, in turn."""
    actions = [("feedback_helpful", "AADSTS7000215"), ("show_all_steps", "AADSTS50011"),
               ("did_you_mean_0", "AADSTS700016")]
    out = []
    for i in range(pool):
        action_id, value = actions[i % len(actions)]
        payload = {"type": "block_actions", "trigger_id": f"1.2.{i}", "response_url": env("FAKE") + f"/hooks/b{i}",
                   "user": {"id": "U0BENCH", "username": "bench", "name": "bench"}, "team": {"id": "T0BENCH"},
                   "channel": {"id": "C0BENCH"},
                   "container": {"is_ephemeral": True, "message_ts": f"{int(ts)}.{i:06d}", "channel_id": "C0BENCH"},
                   "actions": [{"action_id": action_id, "value": value, "type": "button"}]}
        body = form({"payload": json.dumps(payload, separators=(",", ":"))})
        out.append(("POST", "/slack/interactions", slack_headers(body, ts, "application/x-www-form-urlencoded"), body))
    return out


def webhook_requests():
    key = base64.b64decode(env("TEAMS_WEBHOOK_SECRET"))
    out = []
    for q in QUESTIONS:
        body = json.dumps({"type": "message", "id": "1", "text": f"<at>errkb</at> {q}", "channelId": "msteams",
                           "from": {"id": "29:bench", "name": "Bench"}}, separators=(",", ":"))
        mac = base64.b64encode(hmac.new(key, body.encode(), hashlib.sha256).digest()).decode()
        out.append(("POST", "/teams/webhook", {"Content-Type": "application/json", "Authorization": "HMAC " + mac},
                    body))
    return out


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def bot_token(service_url):
    """A Bot Connector token as the channel sends one: RS256 with kid key-a, valid for an hour."""
    now = int(time.time())
    header = {"alg": "RS256", "typ": "JWT", "kid": "key-a"}
    claims = {"iss": "https://api.botframework.com", "aud": env("MICROSOFT_APP_ID"), "serviceurl": service_url,
              "nbf": now - 10, "exp": now + 3600}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", env("KEY_PEM")], input=signing_input.encode(),
                         capture_output=True, check=True).stdout
    return signing_input + "." + b64url(sig)


def messages_template():
    """Personal-chat message activities: the body is not signed (the token is), so the wrk script
    gives each request its own activity id, as Teams does (the store claims every id)."""
    service_url = env("FAKE") + "/teams/"
    tenant = env("MICROSOFT_APP_TENANT_ID")
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + bot_token(service_url)}
    bodies = []
    for q in QUESTIONS:
        activity = {"type": "message", "id": "@ID@", "timestamp": "2026-11-30T10:00:00.000Z", "serviceUrl": service_url,
                    "channelId": "msteams", "from": {"id": "29:bench-user", "name": "Bench User"},
                    "recipient": {"id": "28:" + env("MICROSOFT_APP_ID"), "name": "errkb"},
                    "conversation": {"id": "a:bench-personal", "conversationType": "personal", "tenantId": tenant},
                    "channelData": {"tenant": {"id": tenant}}, "text": q, "locale": "en-US"}
        bodies.append(json.dumps(activity, separators=(",", ":")).split("@ID@"))
    return headers, bodies


DRIVER = """
local counter = 0
setup = function(thread) counter = counter + 1; thread:set("tid", counter) end
local built, n = {}, 0
init = function()
  for k, r in ipairs(fixed) do built[k] = wrk.format(r[1], r[2], r[3], r[4]) end
end
request = function()
  n = n + 1
  if teams ~= nil and (#built == 0 or n % teams_every == 0) then
    local parts = teams.bodies[(n % #teams.bodies) + 1]
    local body = parts[1] .. "bench-" .. tostring(tid) .. "-" .. tostring(n) .. parts[2]
    return wrk.format("POST", "/api/messages", teams.headers, body)
  end
  return built[(n % #built) + 1]
end
"""


def lua_requests(requests):
    rows = []
    for method, path, headers, body in requests:
        h = ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in headers.items())
        rows.append(f"  {{ {lua(method)}, {lua(path)}, {{ {h} }}, {lua(body) if body else 'nil'} }},")
    return "fixed = {\n" + "\n".join(rows) + "\n}\n"


def lua_teams(template, every):
    headers, bodies = template
    h = ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in headers.items())
    b = ", ".join(f"{{ {lua(p[0])}, {lua(p[1])} }}" for p in bodies)
    return f"teams = {{ headers = {{ {h} }}, bodies = {{ {b} }} }}\nteams_every = {every}\n"


def interleave(lists):
    out, longest = [], max(len(x) for x in lists)
    for i in range(longest):
        out.extend(x[i] for x in lists if i < len(x))
    return out


def sign(work):
    ts = str(int(time.time()))
    pool = int(os.environ.get("POOL", "2000"))
    paths = {
        "healthz": [("GET", "/healthz", {}, "")],
        "api_answer": answer_requests(),
        "slack_command": command_requests(ts),
        "slack_mention": mention_requests(ts, pool),
        "slack_button": button_requests(ts, pool),
        "teams_webhook": webhook_requests(),
    }
    template = messages_template()
    for name, requests in paths.items():
        with open(f"{work}/{name}.lua", "w") as f:
            f.write(lua_requests(requests) + "teams = nil\n" + DRIVER)
    with open(f"{work}/teams_messages.lua", "w") as f:
        f.write(lua_requests([]) + lua_teams(template, 1) + DRIVER)
    # Every path in turn: the Slack pools interleaved with the short lists, one activity in six.
    mixed = interleave([paths["api_answer"] * (pool // 7 + 1), paths["slack_command"] * (pool // 7 + 1),
                        paths["slack_mention"], paths["slack_button"], paths["teams_webhook"] * (pool // 7 + 1)])
    with open(f"{work}/mixed.lua", "w") as f:
        f.write(lua_requests(mixed) + lua_teams(template, 6) + DRIVER)


def ready(url):
    try:
        with urllib.request.urlopen(url, timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def startup(binary, url, starts):
    times = []
    for _ in range(starts):
        t0 = time.perf_counter()
        proc = subprocess.Popen([binary, "serve"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not ready(url):
                if proc.poll() is not None or time.perf_counter() - t0 > 20:
                    sys.exit(f"errkb serve did not become ready (exit {proc.poll()})")
                time.sleep(0.002)
            times.append((time.perf_counter() - t0) * 1000)
        finally:
            proc.terminate()
            proc.wait()
    first, rest = times[0], times[1:] or times
    print(f"first start (new database) {first:.0f} ms; restarts: best {min(rest):.0f} ms, "
          f"median {statistics.median(rest):.0f} ms of {len(rest)}")


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk_result(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    p99 = float(m.group(1)) * UNITS[m.group(2)]
    non2xx = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", text))
    socket = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    return rps, p99, non2xx + socket


def bytes_per_response(path):
    """Mean bytes a response took on the wire (headers included), from wrk's Transfer/sec."""
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    m = re.search(r"Transfer/sec:\s+([\d.]+)([KMG]?B)", text)
    scale = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}[m.group(2)]
    return float(m.group(1)) * scale / rps


def taken_on(path, shed):
    """Requests a second that were acknowledged and handled, not shed with a 503."""
    m = re.search(r"^\s*(\d+) requests in ([\d.]+)(ms|s|m),", open(path).read(), re.M)
    seconds = float(m.group(2)) * {"ms": 0.001, "s": 1, "m": 60}[m.group(3)]
    return (int(m.group(1)) - shed) / seconds


def cpu_per_request(work, name):
    """The server's CPU (user + system) per request in microseconds, from WORK/NAME.cpu (clock
    ticks from the start of the run until the server was idle again, so the work an
    acknowledgement left running counts too) and wrk's request count; None without the file."""
    ticks = read_int(f"{work}/{name}.cpu")
    m = re.search(r"^\s*(\d+) requests in", open(f"{work}/{name}.txt").read(), re.M)
    if not ticks or not m:
        return None
    return ticks / os.sysconf("SC_CLK_TCK") * 1e6 / int(m.group(1))


def table(work, names):
    hello = [wrk_result(f"{work}/{n}.txt")[0] for n in ("hello", "hello-after") if os.path.exists(f"{work}/{n}.txt")]
    base = statistics.mean(hello)
    hello_cpu = cpu_per_request(work, "hello")
    print(f"baseline (axum hello world): {' and '.join(f'{h:,.0f}' for h in hello)} req/s, mean {base:,.0f}"
          + (f", {hello_cpu:.1f} µs CPU a request" if hello_cpu else ""))
    print()
    print("| path | req/s | % of baseline | % of baseline, same bytes | p99 | errors | 503 shed | taken on/s "
          "| CPU µs/request | baseline CPU µs, same bytes | idle again after |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in names:
        label, _, file = name.partition("=")
        rps, p99, failed = wrk_result(f"{work}/{file}.txt")
        shed = read_int(f"{work}/{file}.busy")
        drain = open(f"{work}/{file}.drain").read().strip() if os.path.exists(f"{work}/{file}.drain") else ""
        cpu = cpu_per_request(work, file)
        sized = f"{work}/{file}.sized.txt"
        same = f"{100 * rps / wrk_result(sized)[0]:.1f} %" if os.path.exists(sized) else ""
        sized_cpu = cpu_per_request(work, f"{file}.sized") if os.path.exists(sized) else None
        print(f"| {label} | {rps:,.0f} | {100 * rps / base:.1f} % | {same} | {p99:.2f} ms | {max(failed - shed, 0)} "
              f"| {shed} | {taken_on(f'{work}/{file}.txt', shed):,.0f} | {f'{cpu:.1f}' if cpu else ''} "
              f"| {f'{sized_cpu:.1f}' if sized_cpu else ''} | {drain} |")


def read_int(path):
    try:
        return int(open(path).read().strip() or 0)
    except OSError:
        return 0


def failed(work):
    """Exit status 0 (true for the shell) when a run had failures other than 503 load shedding."""
    for txt in (f for f in os.listdir(work) if f.endswith(".txt") and not f.startswith("hello")):
        path = f"{work}/{txt}"
        if "Requests/sec" not in open(path).read():
            continue
        _, _, errors = wrk_result(path)
        if errors - read_int(path[:-4] + ".busy") > 0:
            return True
    return False


def main():
    command, *args = sys.argv[1:]
    if command == "sign":
        sign(args[0])
    elif command == "startup":
        startup(args[0], args[1], int(args[2]))
    elif command == "table":
        table(args[0], args[1:])
    elif command == "bytes":
        print(round(bytes_per_response(args[0])))
    elif command == "failed":
        sys.exit(0 if failed(args[0]) else 1)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
