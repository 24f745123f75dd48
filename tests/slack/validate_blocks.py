#!/usr/bin/env python3
"""Checks rendered Slack messages with slack_sdk's Block Kit models (pip install slack_sdk).

Usage: validate_blocks.py CORPUS.json, where the corpus is a JSON list of {"name", "blocks"} or,
for a modal or Home view, {"name", "view"} (tests/slack/blocks.rs writes every guide's rendered
answer to target/slack-blocks/all-guides.json; tests/slack/models.rs the support channels' messages
and modals to channels.json). A view must also build as slack_sdk's View, validate and round-trip.
Each block must parse as a known block type, pass validate_json() and to_dict() (which checks the
elements too: button text, url and value lengths ...), and keep every field it had. Exits 1 and
lists the rejections when any message fails.
"""
import json
import sys

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View


def problems(blocks):
    for i, raw in enumerate(blocks):
        try:
            block = Block.parse(raw)
            if block is None:
                yield f"block {i}: unknown block type {raw.get('type')!r}"
                continue
            block.validate_json()
            out = block.to_dict()
        except (SlackObjectFormationError, ValueError, KeyError, TypeError) as e:
            yield f"block {i} ({raw.get('type')}): {e}"
            continue
        if out != raw:
            yield f"block {i} ({raw.get('type')}): fields changed in a round trip: {json.dumps(raw)[:300]}"


def view_problems(raw):
    try:
        view = View(**raw)
        view.validate_json()
        out = view.to_dict()
    except (SlackObjectFormationError, ValueError, KeyError, TypeError) as e:
        yield f"view ({raw.get('type')}): {e}"
        return
    for key, value in raw.items():
        if key != "blocks" and out.get(key) != value:
            yield f"view field {key!r} changed in a round trip: {json.dumps(value)[:200]}"
    if len(raw.get("blocks", [])) > 100:
        yield f"{len(raw['blocks'])} blocks > 100"
    yield from problems(raw.get("blocks", []))


def main(path):
    with open(path, encoding="utf-8") as f:
        corpus = json.load(f)
    failures = 0
    for message in corpus:
        if "view" in message:
            found = list(view_problems(message["view"]))
        else:
            found = list(problems(message["blocks"]))
            if len(message["blocks"]) > 50:
                found.append(f"{len(message['blocks'])} blocks > 50")
        for p in found:
            print(f"{message['name']}: {p}")
        failures += bool(found)
    print(f"slack_sdk checked {len(corpus)} messages: {failures} rejected")
    return 1 if failures or not corpus else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
