"""Build Slack requests exactly as Slack sends them: signed, form-encoded, with payloads.

The signature is Slack's v0 scheme: ``v0=`` + hex HMAC-SHA256 of ``"v0:{ts}:{body}"`` keyed by
the signing secret, sent with ``X-Slack-Request-Timestamp``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "block_actions_payload",
    "interactivity_body",
    "signed_headers",
    "slash_body",
    "view_submission_payload",
]

FORM = "application/x-www-form-urlencoded"


def signed_headers(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack would send with ``body``: signature, timestamp and form content type.

    ``timestamp`` defaults to now (epoch seconds); pass an old one to test replay refusal.
    """
    ts = int(time.time()) if timestamp is None else int(timestamp)
    base = b"v0:" + str(ts).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Signature": f"v0={digest}",
        "X-Slack-Request-Timestamp": str(ts),
        "Content-Type": FORM,
    }


def slash_body(
    command: str,
    text: str,
    user_id: str,
    channel_id: str,
    *,
    team_id: str = "T0TEAM",
    trigger_id: str = "1337.42.trigger",
    response_url: str = "https://hooks.slack.com/commands/T0TEAM/1/x",
    user_name: str | None = None,
    channel_name: str = "alerts",
    api_app_id: str = "A0APP",
) -> bytes:
    """The form body of a slash command invocation (``command`` like ``"/claim"``)."""
    fields = {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "team_domain": "alert-team",
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    return urlencode(fields).encode()


def interactivity_body(payload: dict[str, Any]) -> bytes:
    """The form body Slack posts for interactivity: ``payload=<urlencoded JSON>``."""
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()


def block_actions_payload(
    action_id: str,
    value: str,
    user_id: str,
    channel_id: str,
    message_ts: str,
    *,
    team_id: str = "T0TEAM",
    block_id: str = "actions",
    trigger_id: str = "1337.42.trigger",
    response_url: str = "https://hooks.slack.com/actions/T0TEAM/1/x",
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``block_actions`` payload for a button press on a message."""
    return {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "alert-team"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "api_app_id": "A0APP",
        "token": "deprecated-verification-token",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel_id,
                      "is_ephemeral": False},
        "trigger_id": trigger_id,
        "channel": {"id": channel_id, "name": "alerts"},
        "message": message or {"type": "message", "ts": message_ts, "text": ""},
        "response_url": response_url,
        "actions": [{
            "type": "button", "action_id": action_id, "block_id": block_id,
            "text": {"type": "plain_text", "text": action_id}, "value": value,
            "action_ts": f"{int(time.time())}.000001",
        }],
    }


def view_submission_payload(
    callback_id: str,
    values: dict[str, dict[str, Any]],
    user_id: str,
    *,
    team_id: str = "T0TEAM",
    private_metadata: str = "",
    view_id: str = "V00000001",
) -> dict[str, Any]:
    """A ``view_submission`` payload; ``values`` is ``state.values`` (block → action → value)."""
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "alert-team"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "api_app_id": "A0APP",
        "token": "deprecated-verification-token",
        "trigger_id": "1337.43.trigger",
        "view": {
            "id": view_id, "team_id": team_id, "type": "modal", "callback_id": callback_id,
            "private_metadata": private_metadata, "state": {"values": values},
            "hash": "h1", "blocks": [],
        },
        "response_urls": [],
    }

