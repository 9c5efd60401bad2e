"""The web process: Bolt over HTTP (Starlette under uvicorn), `/ingest`, `/healthz`, `/metrics`.

While Redis is unreachable every HTTP door answers 503 with a JSON reason and `Retry-After`
(one handler for the whole app, so webhooks are covered too: Meta and monitoring tools retry),
Slack events 503 (Slack retries them), and slash commands get a short private answer from the
catalogue (`handlers.common.run_action`). The process logs one line per outage.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import handlers
from bot.entry.ack_first import AckFirst, AnswerFirst
from bot.entry.runtime import Runtime
from bot.entry.scrape import channel_health, desk_snapshot, heard_now, record_ack
from bot.ingest import ingest_body
from bot.metrics import DeskCollector
from bot.slack.client import make_client
from bot.sources.base import WebParts
from bot.sources.registry import networks
from bot.store.outage import UNREACHABLE, unreachable
from bot.store.replication import ReplicaTimeout
from handlers.common import with_fallback

log = logging.getLogger(__name__)

LISTENER_THREADS = 64
RETRY_AFTER_S = 30  # what a 503 asks callers to wait while Redis is unreachable
HEALTHY_INTERVALS = 3  # heartbeat intervals without any worker before /healthz fails


def model_health(rt: Runtime) -> dict[str, Any]:
    """The triage model the desk runs (issue 14): version, threshold, licence; the shipped one
    is CC BY-NC (non-commercial use only)."""
    rt.refresh_model()
    model = rt.desk.triage.model
    licence = model.licence
    return {"version": model.version, "threshold": rt.desk.triage.negative_threshold,
            "licence": licence, "commercial_use": "CC BY-NC" not in licence
            and "NON-COMMERCIAL" not in licence.upper()}


def create_bolt_app(rt: Runtime, *, process_before_response: bool = False) -> App:
    """The Bolt app with Bolt's own signature verification and every listener.

    `process_before_response=True` (FaaS, tests, `bot.entry.ack_first`) answers Slack only
    after the listener ran.
    """
    return _bolt_app(rt, process_before_response)[0]


def _bolt_app(rt: Runtime, process_before_response: bool) -> tuple[App, frozenset[str]]:
    """The Bolt app and the slash commands it handles."""
    bolt_logger = logging.getLogger("alert_team.bolt")
    bolt_logger.setLevel(logging.WARNING)  # Bolt logs request bodies at info: never ours
    app = App(
        logger=bolt_logger,
        client=make_client(rt.settings),
        # Listeners ack first, then do Slack work that may wait for channel pacing; a large
        # pool keeps a burst of commands from queueing behind those waits (3 s ack limit).
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS,
                                             thread_name_prefix="bolt-listener"),
        signing_secret=rt.settings.slack_signing_secret,
        token_verification_enabled=False,
        process_before_response=process_before_response,
        raise_error_for_unhandled_request=False,
    )

    @app.middleware
    def once_per_event(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:
        """Slack retries events (X-Slack-Retry-Num); act on each event id once."""
        event_id = body.get("event_id") if isinstance(body, dict) else None
        try:
            if event_id and not rt.items.first_time(f"event:{event_id}", 3600):
                return BoltResponse(status=200, body="")
        except Exception as exc:
            if not unreachable(exc):
                raise
            rt.outage.lost(exc)
            return BoltResponse(status=503, body="")  # Slack delivers the event again later
        return next()

    @app.middleware
    def answer_privately_always(context: BoltContext, next: Callable[[], BoltResponse]
                                ) -> BoltResponse:
        """Listeners' `respond` falls back to chat.postEphemeral if response_url fails."""
        original = context.respond if context.response_url else None
        if original is not None:
            context["respond"] = with_fallback(original, context.client,
                                               context.channel_id, context.user_id)
        return next()

    return app, handlers.register(app, rt.desk)


def ack_first(rt: Runtime) -> AckFirst:
    """What answers commands and button presses before Bolt runs (`bot.entry.ack_first`)."""
    bolt, commands = _bolt_app(rt, process_before_response=True)
    return AckFirst(bolt, rt.settings.slack_signing_secret, commands,
                    on_done=lambda seconds, body: record_ack(rt, seconds, body))


def _bearer_ok(request: Request, token: str) -> bool:
    if not token:
        return False
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())


def create_web_app(rt: Runtime, bolt: App | None = None) -> AnswerFirst:
    """The ASGI app served by `python -m bot web`: Starlette behind `AnswerFirst`."""
    bolt = bolt or create_bolt_app(rt)
    early = ack_first(rt)

    async def slack_events(request: Request) -> Response:
        """What `AnswerFirst` did not answer itself: through Bolt."""
        started = time.monotonic()
        body = await request.body()
        bolt_resp = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        response = to_starlette_response(bolt_resp)
        # counted after the answer went out: the ack never waits for Redis
        response.background = BackgroundTask(record_ack, rt, time.monotonic() - started, body)
        return response

    async def redis_unreachable(request: Request, exc: Exception) -> Response:
        """Any route while Redis is down: 503, a reason, and when to try again."""
        rt.outage.lost(exc)
        return JSONResponse({"ok": False, "redis": "unreachable",
                             "reason": f"Redis unreachable; try again in {RETRY_AFTER_S} s"},
                            status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})

    async def healthz(request: Request) -> Response:
        """Redis and the workers: 503 with the reason when no worker beat in 3 intervals."""
        every = rt.settings.heartbeat_interval
        live = await run_in_threadpool(rt.heartbeats.liveness, HEALTHY_INTERVALS * every)
        rt.outage.ok()
        body: dict[str, Any] = {"ok": bool(live.alive), "redis": "ok",
                                "workers": len(live.alive), "worker_names": live.alive,
                                "triage_model": await run_in_threadpool(model_health, rt)}
        body.update(await run_in_threadpool(channel_health, rt))  # issue 13
        if live.alive and body["ok"]:
            return JSONResponse(body)
        if live.alive:
            return JSONResponse(body, status_code=503)  # Slack refuses our token
        if live.silent_s is None:
            body["reason"] = ("no worker has reported yet: is `python -m bot worker` running "
                              "against this Redis?")
        else:
            body["reason"] = (f"no worker has reported for {live.silent_s:.0f} s "
                              f"({HEALTHY_INTERVALS} intervals of {every:g} s; last: "
                              f"{live.last_name})")
        return JSONResponse(body, status_code=503)

    registry = CollectorRegistry(auto_describe=False)
    registry.register(DeskCollector(lambda: desk_snapshot(rt, HEALTHY_INTERVALS)))

    async def metrics(request: Request) -> Response:
        """Prometheus text for the whole desk, every worker included (`bot.metrics`)."""
        text = await run_in_threadpool(generate_latest, registry)
        rt.outage.ok()
        return Response(text, media_type=CONTENT_TYPE_LATEST)

    async def ingest(request: Request) -> Response:
        if not _bearer_ok(request, rt.settings.ingest_token):
            return JSONResponse({"error": "missing or wrong bearer token (INGEST_TOKEN)"},
                                status_code=401)
        body = (await request.body()).decode("utf-8", errors="replace")
        report = await run_in_threadpool(ingest_body, body, rt.queue)
        rt.outage.ok()
        status = 200 if not report.rejected else (207 if report.accepted else 400)
        return Response(json.dumps(report.as_dict(), ensure_ascii=False), status_code=status,
                        media_type="application/json")

    async def no_replica(request: Request, exc: Exception) -> Response:
        """A write no replica confirmed in time (issue 15): not acknowledged, send again."""
        log.warning("write not confirmed by a replica: answered 503 (%s)", exc)
        return JSONResponse({"ok": False, "redis": "no-replica",
                             "reason": f"{exc}; nothing was acknowledged, send it again"},
                            status_code=503, headers={"Retry-After": "1"})

    routes = [
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/ingest", ingest, methods=["POST"]),
    ]
    for spec in networks().values():  # each network's webhooks (Facebook: /webhooks/facebook)
        if spec.web_routes is not None:
            parts = WebParts(rt.settings.network(spec), rt.queue, rt.deliveries,
                             heard=partial(heard_now, rt, spec.name))
            routes += spec.web_routes(parts)
    on_error: dict[Any, Callable[[Request, Exception], Any]] = {
        cls: redis_unreachable for cls in UNREACHABLE}
    on_error[ReplicaTimeout] = no_replica
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(early.close)  # run what was answered before the process ends

    return AnswerFirst(Starlette(routes=routes, exception_handlers=on_error, lifespan=lifespan),
                       early)
