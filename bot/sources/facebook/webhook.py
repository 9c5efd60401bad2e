"""HTTP routes for the networks' webhooks: `GET|POST /webhooks/facebook`.

GET answers Meta's verification handshake. POST checks `X-Hub-Signature-256` first (a bad or
missing signature is 401 and nothing is read), skips a delivery already ingested (Meta retries
for up to 36 h), queues the page-feed mentions and answers 200 at once: triage and Slack happen
in the worker.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.sources.base import WebParts
from bot.sources.facebook.mentions import mentions_from_delivery
from bot.store.queue import MentionQueue
from bot.store.webhooks import DeliveryLedger

log = logging.getLogger(__name__)

DELIVERY_TTL_S = 36 * 3600  # Meta retries a delivery for up to 36 hours


def valid_signature(body: bytes, header: str, app_secret: str) -> bool:
    """True when `header` is `sha256=<HMAC-SHA256 of body with the app secret>`."""
    if not app_secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[len("sha256="):].strip().lower(), expected)


def verification_answer(params: dict[str, str], verify_token: str) -> str | None:
    """`hub.challenge` when the handshake carries our verify token, else None."""
    given = params.get("hub.verify_token", "")
    if (params.get("hub.mode") == "subscribe" and verify_token
            and hmac.compare_digest(given.encode(), verify_token.encode())):
        return params.get("hub.challenge", "")
    return None


def ingest_delivery(body: bytes, deliveries: DeliveryLedger, queue: MentionQueue, page_id: str
                    ) -> dict[str, int]:
    """Queue the mentions of one verified delivery unless it was ingested before.

    The delivery is marked only after its mentions are queued: a crash in between makes Meta
    retry, and the queue's own dedupe keeps the retry from doubling anything.
    """
    if deliveries.seen(body):
        return {"accepted": 0, "duplicate": 1}
    mentions = mentions_from_delivery(json.loads(body), page_id)
    accepted = sum(1 for m in mentions if queue.enqueue(m))
    deliveries.mark(body, DELIVERY_TTL_S)
    return {"accepted": accepted, "duplicate": len(mentions) - accepted}


def webhook_routes(parts: WebParts) -> list[Route]:
    """Routes to add to the web app (`GET|POST /webhooks/facebook`)."""
    settings = parts.settings

    async def verify(request: Request) -> Response:
        challenge = verification_answer(dict(request.query_params), settings.verify_token)
        if challenge is None:
            log.warning("Facebook webhook verification refused (mode or verify token wrong)")
            return PlainTextResponse("forbidden", status_code=403)
        return PlainTextResponse(challenge)

    async def deliver(request: Request) -> Response:
        body = await request.body()
        if not valid_signature(body, request.headers.get("x-hub-signature-256", ""),
                               settings.app_secret):
            log.warning("Facebook webhook refused: bad or missing X-Hub-Signature-256")
            return JSONResponse({"error": "bad or missing X-Hub-Signature-256"}, status_code=401)
        await run_in_threadpool(parts.heard)
        try:
            result = await run_in_threadpool(ingest_delivery, body, parts.deliveries, parts.queue,
                                             settings.page_id)
        except ValueError:
            return JSONResponse({"error": "body is not JSON"}, status_code=400)
        return JSONResponse(result)

    return [
        Route("/webhooks/facebook", verify, methods=["GET"]),
        Route("/webhooks/facebook", deliver, methods=["POST"]),
    ]
