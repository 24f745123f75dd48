#!/usr/bin/env python3
"""Writes tests/fixtures/slack/signatures.json: Slack request-signature vectors made and judged by
an independent implementation, Python slack_sdk's SignatureVerifier (pip install slack_sdk).

Each vector has the clock ("now"), the headers, the raw body and slack_sdk's own verdict
("valid"); tests/slack/signature.rs checks that errkb reaches the same verdict for each.
Run from the repository root:  python3 tests/slack/make_signature_vectors.py
"""
import json
import pathlib

from slack_sdk.signature import Clock, SignatureVerifier

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
OTHER_SECRET = "0000000000000000000000000000dead"
NOW = 1_700_000_000
COMMAND = (
    "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&channel_id=C2147483705"
    "&channel_name=test&user_id=U2147483697&user_name=Steve&command=%2Faadsts&text=7000215"
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1234%2F5678&trigger_id=13345224609.738474920.8088930838d88f008e0"
)
EVENT = json.dumps({"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_mention", "text": "<@U1> AADSTS50011 ünïcode ✓"}}, ensure_ascii=False)


class FixedClock(Clock):
    def __init__(self, now):
        self._now = now

    def now(self) -> float:
        return float(self._now)


def sign(secret, ts, body):
    return SignatureVerifier(secret).generate_signature(timestamp=str(ts), body=body)


def vector(name, body, ts, signature, drop=None):
    headers = {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": signature}
    if drop:
        headers.pop(drop)
    verdict = SignatureVerifier(SECRET, clock=FixedClock(NOW)).is_valid_request(body, headers)
    return {"name": name, "now": NOW, "headers": headers, "body": body, "valid": verdict}


def main():
    vectors = [
        vector("good command", COMMAND, NOW, sign(SECRET, NOW, COMMAND)),
        vector("good event with unicode", EVENT, NOW, sign(SECRET, NOW, EVENT)),
        vector("wrong secret", COMMAND, NOW, sign(OTHER_SECRET, NOW, COMMAND)),
        vector("stale by 301 seconds", COMMAND, NOW - 301, sign(SECRET, NOW - 301, COMMAND)),
        vector("old by 299 seconds is still fine", COMMAND, NOW - 299, sign(SECRET, NOW - 299, COMMAND)),
        vector("from 400 seconds in the future", COMMAND, NOW + 400, sign(SECRET, NOW + 400, COMMAND)),
        vector("missing signature header", COMMAND, NOW, sign(SECRET, NOW, COMMAND), drop="X-Slack-Signature"),
        vector("missing timestamp header", COMMAND, NOW, sign(SECRET, NOW, COMMAND), drop="X-Slack-Request-Timestamp"),
        vector("tampered body", COMMAND.replace("7000215", "50011"), NOW, sign(SECRET, NOW, COMMAND)),
        vector("signature without the v0 prefix", COMMAND, NOW, sign(SECRET, NOW, COMMAND)[3:]),
    ]
    assert [v["valid"] for v in vectors] == [True, True, False, False, True, False, False, False, False, False]
    out = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "slack" / "signatures.json"
    doc = {"secret": SECRET, "generator": "slack_sdk.signature.SignatureVerifier", "vectors": vectors}
    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {len(vectors)} vectors to {out}")


if __name__ == "__main__":
    main()
