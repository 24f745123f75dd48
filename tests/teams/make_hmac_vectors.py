#!/usr/bin/env python3
"""Writes tests/fixtures/teams/hmac.json: outgoing-webhook HMAC vectors made with Python's own
hmac and base64, the algorithm of Microsoft's python_awslambda sample (OfficeDev/Microsoft-Teams-
Samples samples/outgoing-webhook): HMAC-SHA256 over the raw UTF-8 body, keyed with the base64-decoded
security token, sent as `Authorization: HMAC <base64>`. Run from the repository root."""
import base64
import hashlib
import hmac
import json
import pathlib

SECRET = base64.b64encode(b"errkb outgoing webhook test key, 32+ bytes long").decode()
OTHER = base64.b64encode(b"a different team's webhook key, also long").decode()


def sign(secret_b64: str, body: bytes) -> str:
    digest = hmac.new(base64.b64decode(secret_b64), body, hashlib.sha256).digest()
    return "HMAC " + base64.b64encode(digest).decode()


def activity(text: str) -> bytes:
    return json.dumps({"type": "message", "id": "1", "text": f"<at>errkb</at> {text}",
                       "channelId": "msteams", "serviceUrl": "https://smba.trafficmanager.net/amer/"},
                      ensure_ascii=False).encode("utf-8")


def main() -> None:
    ascii_body = activity("AADSTS50011")
    utf8_body = activity("Fehler AADSTS700016 – Anmeldung schlägt fehl ✓ 日本語")
    crlf_body = ascii_body.replace(b", ", b",\r\n ")
    flipped = bytearray(ascii_body)
    flipped[10] ^= 0x01
    good = sign(SECRET, ascii_body)
    cases = [
        ("good", ascii_body, good, True),
        ("flipped byte in the body", bytes(flipped), good, False),
        ("wrong key", ascii_body, sign(OTHER, ascii_body), False),
        ("missing header", ascii_body, None, False),
        ("wrong scheme", ascii_body, good.replace("HMAC ", "Bearer "), False),
        ("non-ASCII body", utf8_body, sign(SECRET, utf8_body), True),
        ("non-ASCII body signed as Latin-1 text", utf8_body,
         sign(SECRET, utf8_body.decode("utf-8").encode("latin-1", "replace")), False),
        ("CRLF body", crlf_body, sign(SECRET, crlf_body), True),
        ("large body", activity("x" * 20000), sign(SECRET, activity("x" * 20000)), True),
        ("truncated signature", ascii_body, good[:-8], False),
        ("signature not base64", ascii_body, "HMAC %%%not-base64%%%", False),
    ]
    out = {"secret": SECRET, "cases": [
        {"name": name, "body_base64": base64.b64encode(body).decode(), "authorization": auth, "valid": valid}
        for name, body, auth, valid in cases]}
    path = pathlib.Path("tests/fixtures/teams/hmac.json")
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} vectors to {path}")


if __name__ == "__main__":
    main()
