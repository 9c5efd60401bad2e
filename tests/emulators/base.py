"""A loopback HTTP server that records every request and can answer scripted failures.

Each emulator (Slack, X, Graph) subclasses :class:`Emulator` and implements ``route`` (a stable
name for the endpoint a request hits) and ``dispatch`` (the answer). State lives on the
instance, so every test gets its own server on its own free port (port 0).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

__all__ = ["Call", "Emulator", "Failure", "Response"]

JSON_STRING_FIELDS = ("blocks", "attachments", "metadata", "view", "recipient", "message")
"""Form fields that carry JSON text; they are parsed so tests can assert on structures."""


@dataclass(frozen=True)
class Call:
    """One request as the emulator saw it, plus the status it answered.

    ``headers`` has lower-case names. ``body`` is the parsed JSON or form body (JSON text in
    the form fields named in ``JSON_STRING_FIELDS`` is parsed too); ``raw`` is the bytes sent.
    """

    method: str
    path: str
    route: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    raw: bytes
    status: int = 0
    auth: str | None = None
    token: str | None = None
    peer: int = 0  # the client's port: calls with the same peer came over one connection

    @property
    def params(self) -> dict[str, Any]:
        """Query and body parameters merged (body wins), as a server would read them."""
        merged: dict[str, Any] = dict(self.query)
        if isinstance(self.body, dict):
            merged.update(self.body)
        return merged

    def aliases(self) -> set[str]:
        """Every key that :meth:`Emulator.calls_to` and ``fail_next`` accept for this call."""
        return {
            self.path,
            self.route,
            f"{self.method} {self.path}",
            f"{self.method} {self.route}",
        }


@dataclass
class Response:
    """What an emulator answers: a status, a JSON-able (or text) body and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Failure:
    """A scripted failure waiting for the next matching request(s)."""

    key: str
    status: int
    times: int
    retry_after: int
    headers: dict[str, str]
    body: Any = None
    commit: bool = False


class _Server(ThreadingHTTPServer):
    """Listens with a backlog Slack's or X's front doors would not run out of: socketserver's
    default of 5 refuses connections when a few of the desk's threads call at once."""

    request_queue_size = 256


class Emulator:
    """Base class: a threaded loopback HTTP server with recorded calls and scripted failures.

    Use as a context manager (``with SlackAPI() as slack: ...``) or call ``start``/``stop``.
    ``clock`` gives epoch seconds; ``set_now`` freezes it for time-dependent answers.
    """

    name = "emulator"

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._frozen_now: float | None = None
        self._lock = threading.RLock()
        self._calls: list[Call] = []
        self._failures: list[Failure] = []
        self.latency: dict[str, float] = {}  # route alias -> seconds each answer takes
        self._server: ThreadingHTTPServer | None = None
        self._open: set[Any] = set()  # the sockets of the connections open now
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Self:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), self._handler_class())
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"{self.name}-emulator", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket and the open connections; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        self.close_connections()  # a stopped server keeps no keep-alive connection either
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def close_connections(self) -> int:
        """Close every open client connection, as a server does with idle keep-alive ones;
        returns how many."""
        with self._lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        return len(conns)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (only while started)."""
        if self._server is None:
            raise RuntimeError(f"{self.name} emulator is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    # -- time ------------------------------------------------------------------------------
    def now(self) -> float:
        """Epoch seconds as the emulator sees them (frozen by ``set_now`` if set)."""
        return self._frozen_now if self._frozen_now is not None else self._clock()

    def set_now(self, when: float | datetime | None) -> None:
        """Freeze the emulator's clock at ``when`` (an aware datetime or epoch); None unfreezes."""
        self._frozen_now = when.timestamp() if isinstance(when, datetime) else when

    # -- recorded calls --------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        """A snapshot of every request so far, oldest first."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, key: str) -> list[Call]:
        """Calls matching ``key``: a path, a route name, or ``"METHOD path|route"``."""
        return [call for call in self.calls if key in call.aliases()]

    def last_call(self, key: str | None = None) -> Call:
        """The most recent call (to ``key`` if given); AssertionError if there is none."""
        found = self.calls if key is None else self.calls_to(key)
        if not found:
            raise AssertionError(f"no call to {key or 'any endpoint'} on the {self.name} emulator")
        return found[-1]

    def clear_calls(self) -> None:
        """Forget the recorded calls (state such as messages or tweets is kept)."""
        with self._lock:
            self._calls.clear()

    # -- scripted failures -----------------------------------------------------------------
    def fail_next(
        self,
        key: str,
        status: int = 500,
        *,
        times: int = 1,
        retry_after: int = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
        commit: bool = False,
    ) -> None:
        """Answer the next ``times`` requests matching ``key`` with ``status`` instead.

        ``retry_after`` (seconds) feeds the API's own rate-limit headers for a 429; ``headers``
        are added (or override) and ``body`` replaces the API's usual error body. With
        ``commit=True`` the request still takes effect (a message is stored, a tweet posted)
        and only the answer is lost: the case that makes blind retries post twice.
        """
        with self._lock:
            self._failures.append(
                Failure(key, status, times, retry_after, dict(headers or {}), body, commit)
            )

    def clear_failures(self) -> None:
        """Forget the scripted failures not yet used up (the cause was fixed)."""
        with self._lock:
            self._failures.clear()

    def _take_failure(self, call: Call) -> Failure | None:
        aliases = call.aliases()
        with self._lock:
            for failure in self._failures:
                if failure.key in aliases:
                    failure.times -= 1
                    if failure.times <= 0:
                        self._failures.remove(failure)
                    return failure
        return None

    # -- hooks for subclasses --------------------------------------------------------------
    def route(self, method: str, path: str) -> str:
        """A stable name for the endpoint (e.g. ``chat.postMessage``); default: the path."""
        return path

    def authenticate(self, call: Call) -> tuple[str | None, str | None]:
        """Return ``(scheme, token)`` found in the request; default: a Bearer header."""
        value = call.headers.get("authorization", "")
        if value.lower().startswith("bearer "):
            return "bearer", value[7:].strip()
        return None, None

    def failure_response(self, failure: Failure, call: Call) -> Response:
        """The API-shaped answer for a scripted failure; subclasses add their headers."""
        return Response(failure.status, {"error": f"scripted {failure.status}"})

    def dispatch(self, call: Call) -> Response:
        """Answer one request; subclasses implement the API."""
        return Response(404, {"error": "not found"})

    def parse_body(self, raw: bytes, content_type: str) -> Any:
        """Parse a JSON or form body; JSON text inside form fields is parsed as well."""
        if not raw:
            return None
        if "json" in content_type:
            try:
                return json.loads(raw)
            except ValueError:
                return raw.decode("utf-8", "replace")
        if "x-www-form-urlencoded" in content_type or not content_type:
            form: dict[str, Any] = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
            for name in JSON_STRING_FIELDS:
                value = form.get(name)
                if isinstance(value, str) and value[:1] in "[{":
                    with contextlib.suppress(ValueError):
                        form[name] = json.loads(value)
            return form
        return raw.decode("utf-8", "replace")

    # -- HTTP plumbing ---------------------------------------------------------------------
    def _handle(self, method: str, target: str, headers: Iterable[tuple[str, str]],
                raw: bytes, peer: int = 0) -> Response:
        parts = urlsplit(target)
        header_map = {name.lower(): value for name, value in headers}
        path = parts.path
        call = Call(
            method=method,
            path=path,
            route=self.route(method, path),
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=header_map,
            body=self.parse_body(raw, header_map.get("content-type", "")),
            raw=raw,
            peer=peer,
        )
        scheme, token = self.authenticate(call)
        call = replace(call, auth=scheme, token=token)
        delay = max((self.latency.get(a, 0.0) for a in call.aliases()), default=0.0)
        if delay:
            time.sleep(delay)  # a slow network: lets a test act while a burst is under way
        failure = self._take_failure(call)
        try:
            if failure is not None:
                if failure.commit:
                    self.dispatch(call)
                response = self.failure_response(failure, call)
                if failure.body is not None:
                    response.body = failure.body
                response.headers.update(failure.headers)
            else:
                response = self.dispatch(call)
        except Exception as error:  # an emulator bug must show up as a 500, not a hang
            response = Response(500, {"error": f"emulator error: {error!r}"})
        with self._lock:
            self._calls.append(replace(call, status=response.status))
        return response

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10  # idle keep-alive connections close on their own

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                response = emulator._handle(self.command, self.path, self.headers.items(), raw,
                                            int(self.client_address[1]))
                body = response.body
                if isinstance(body, bytes):
                    payload, ctype = body, "application/octet-stream"
                elif isinstance(body, str):
                    payload, ctype = body.encode(), "text/plain; charset=utf-8"
                elif body is None:
                    payload, ctype = b"", "text/plain; charset=utf-8"
                else:
                    payload, ctype = json.dumps(body).encode(), "application/json; charset=utf-8"
                self.send_response(response.status)
                sent = {name.lower() for name in response.headers}
                if "content-type" not in sent:
                    self.send_header("Content-Type", ctype)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def setup(self) -> None:
                super().setup()
                with emulator._lock:
                    emulator._open.add(self.connection)

            def finish(self) -> None:
                with emulator._lock:
                    emulator._open.discard(self.connection)
                super().finish()

            def log_message(self, format: str, *args: Any) -> None:
                """Silence the default stderr access log."""

        return Handler
