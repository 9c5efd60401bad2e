"""Slash commands and button presses answered before Bolt runs (issue 15: ack p99 < 100 ms).

Every slash-command and block-action listener in `handlers` calls `ack()` with nothing as its
first step, so the HTTP answer Slack waits for never depends on the listener. The web process
therefore answers those requests itself, on the event loop: it checks the signature with
slack-sdk's `SignatureVerifier` (what Bolt's own check uses), answers an empty 200 and hands the
request to a second Bolt app built with `process_before_response=True`, whose listener then
runs whole in a thread of this module's pool. Bolt's usual path instead runs the listener on
another thread and polls every 10 ms for its ack, holding a thread of Starlette's pool
meanwhile: under 200 commands at once that polling and the listeners' own work delayed the
acks by 300–800 ms.

Listener work yields to answering: a listener starts once no Slack request has arrived for
`QUIET_S`, or `MAX_DEFER_S` after its answer at the latest, so a burst of commands is
acknowledged before their work competes for the interpreter (and steady traffic delays each
listener by `MAX_DEFER_S` at most, never throttles them).

Everything else goes through Bolt as before: modal submissions (they may answer with field
errors), events (answered 503 while Redis is down, so Slack delivers them again), SSL checks,
commands no listener handles, requests whose signature fails (Bolt answers 401), and any
request that arrives while `BACKLOG` listeners are already waiting here.

What is answered here and not yet run when the process stops is run before it exits
(`close`, from the web app's shutdown), within `STOP_GRACE_S`.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import parse_qs, unquote_to_bytes

from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

THREADS = 8        # listeners run side by side (a card update may wait for channel pacing)
BACKLOG = 512      # listeners waiting here at most; beyond that, Bolt's own path
QUIET_S = 0.005    # a listener starts once no Slack request arrived for this long …
MAX_DEFER_S = 0.25  # … or after this long at the latest
STOP_GRACE_S = 10.0
_COMMAND = re.compile(rb"(?:^|&)command=([^&]*)")
_SSL_CHECK = re.compile(rb"(?:^|&)ssl_check=")


def form_of(body: bytes) -> str:
    """`command`, `interaction` or `event`: what kind of Slack request `body` is."""
    if body.startswith(b"payload="):
        return "interaction"
    return "command" if b"command=" in body[:2048] else "event"


def kind_of(body: bytes) -> str:
    """`form_of`, an interaction told by its type (`block_actions`, `view_submission`, …)."""
    form = form_of(body)
    if form == "interaction":
        try:
            payload = json.loads(parse_qs(body.decode())["payload"][0])
        except (ValueError, KeyError, UnicodeDecodeError):
            return "interaction"
        kind = payload.get("type") if isinstance(payload, dict) else None
        return kind if isinstance(kind, str) else "interaction"
    return form


class AckFirst:
    """Answers the requests whose listeners ack empty at once; runs those listeners after."""

    def __init__(self, bolt: App, signing_secret: str, commands: frozenset[str],
                 on_done: Callable[[float, bytes], None] | None = None,
                 threads: int = THREADS, backlog: int = BACKLOG) -> None:
        self.bolt = bolt  # built with process_before_response=True
        self.verifier = SignatureVerifier(signing_secret)
        self.commands = commands
        self.backlog = backlog
        self.on_done = on_done  # (seconds to the ack, body): the ack metric, off the event loop
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ack-first")
        self._lock = threading.Lock()
        self._waiting = 0
        self._last_request = 0.0

    def heard(self) -> None:
        """A Slack request arrived (any kind): listener work waits for a quiet moment."""
        self._last_request = time.monotonic()

    def takes(self, body: bytes, headers: Mapping[str, str]) -> str | None:
        """The kind of request this answers itself (`command`, `block_actions`), else None."""
        kind = kind_of(body)
        if kind == "command":
            named = _COMMAND.search(body)  # not the whole form: this runs on the event loop
            command = unquote_to_bytes(named.group(1)).decode(errors="replace") if named else ""
            if _SSL_CHECK.search(body) or command not in self.commands:
                return None
        elif kind != "block_actions":
            return None
        with self._lock:
            if self._waiting >= self.backlog:
                return None
        if not self.verifier.is_valid_request(body, dict(headers)):
            return None  # Bolt answers it (401) and logs as it always does
        return kind

    def run_later(self, request: Callable[[], BoltRequest], body: bytes, acked_s: float,
                  kind: str) -> None:
        """Run the listener of an answered request in this module's pool (`request` builds
        Bolt's request there: parsing the body is work the answer need not wait for)."""
        with self._lock:
            self._waiting += 1
        future: Future[None] = self._pool.submit(self._run, request, body, acked_s, kind,
                                                 time.monotonic() + MAX_DEFER_S)
        future.add_done_callback(self._finished)

    def _run(self, request: Callable[[], BoltRequest], body: bytes, acked_s: float,
             kind: str, deadline: float) -> None:
        """After a quiet moment, or once `deadline` (its answer + MAX_DEFER_S) has passed:
        under steady traffic a listener waits that long from its answer, not from its turn."""
        while time.monotonic() - self._last_request < QUIET_S and time.monotonic() < deadline:
            time.sleep(QUIET_S)
        with self._lock:
            self._waiting -= 1
        response = self.bolt.dispatch(request())
        if response.status >= 400:
            log.warning("a %s answered early was refused by Bolt afterwards (%d)", kind,
                        response.status)
        if self.on_done is not None:
            self.on_done(acked_s, body)

    @staticmethod
    def _finished(future: Future[None]) -> None:
        exc = future.exception()
        if exc is not None:
            log.error("listener of an early-answered request failed", exc_info=exc)

    def close(self, timeout: float = STOP_GRACE_S) -> None:
        """Run what was answered and not yet run (the web process is stopping)."""
        drain = threading.Thread(target=self._pool.shutdown, daemon=True)
        drain.start()
        drain.join(timeout)
        if drain.is_alive():
            log.warning("web stopping with %d answered Slack requests not yet run",
                        self._waiting)


class AnswerFirst:
    """ASGI in front of the web app: `POST <path>` requests that `early` takes are answered
    here, before Starlette's routing and middleware (a third of the event loop's time per
    request in a burst); everything else goes to `app` as it came (the body read here is
    handed on)."""

    def __init__(self, app: ASGIApp, early: AckFirst, path: str = "/slack/events") -> None:
        self.app, self.early, self.path = app, early, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        self.early.heard()
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body"))
        body = b"".join(chunks)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        kind = self.early.takes(body, headers)
        if kind is not None:  # its listener acks empty at once: answered here, run after
            query = scope.get("query_string", b"").decode("latin-1")
            self.early.run_later(
                lambda: BoltRequest(body=body.decode("utf-8"), query=query, headers=headers),
                body, time.monotonic() - started, kind)
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
