"""Sign Facebook webhook deliveries as Meta does (``X-Hub-Signature-256``)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

__all__ = ["comment_webhook_body", "sign_webhook", "signed_webhook_headers"]


def sign_webhook(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value for ``body``: ``sha256=<hex HMAC-SHA256>``."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signed_webhook_headers(body: bytes, app_secret: str) -> dict[str, str]:
    """Headers of a signed delivery: JSON content type and ``X-Hub-Signature-256``."""
    return {"Content-Type": "application/json",
            "X-Hub-Signature-256": sign_webhook(body, app_secret)}


def comment_webhook_body(
    page_id: str,
    post_id: str,
    comment_id: str,
    message: str,
    from_id: str,
    from_name: str,
    *,
    parent_id: str | None = None,
    created_time: int = 1764000000,
    verb: str = "add",
) -> bytes:
    """A ``page`` webhook delivery for one ``feed`` change with ``item: comment``.

    ``parent_id`` is the post id for a top-level comment, else the parent comment id.
    """
    value: dict[str, Any] = {
        "from": {"id": from_id, "name": from_name},
        "post": {"id": post_id, "status_type": "added_photos", "is_published": True},
        "message": message,
        "post_id": post_id,
        "comment_id": comment_id,
        "created_time": created_time,
        "item": "comment",
        "parent_id": parent_id or post_id,
        "verb": verb,
    }
    delivery = {"object": "page", "entry": [
        {"id": page_id, "time": created_time, "changes": [{"field": "feed", "value": value}]},
    ]}
    return json.dumps(delivery, separators=(",", ":")).encode()
