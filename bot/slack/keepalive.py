"""A slack-sdk WebClient that keeps its connections to Slack open between calls.

slack-sdk's sync client sends each call through `urllib.request.urlopen`, which builds a new
opener and opens (and closes) a new TCP (and TLS) connection every time: at the desk's card
rate that was a third of a worker's CPU for Slack (issue 15). `KeepAliveWebClient` replaces
only that last step, `_perform_urllib_http_request_internal`: everything slack-sdk does around
it (request building, retry handlers, `SlackResponse`, errors) is unchanged, and it answers
exactly as urllib does (the same `HTTPMessage` headers; `HTTPError` for a non-2xx answer).

- **A pool of idle connections** per client, shared by its threads (a thread takes one, calls,
  gives it back; at most `MAX_IDLE` are kept). `http.client` is used directly: urllib3's pool
  cost more CPU per call than `urlopen` itself (measured against the Slack emulator).
- **Never a stale connection for a post**: a connection idle for longer than `IDLE_S` (below
  the keep-alive timeouts servers use: Slack's edge, nginx, Python's `http.server`), or one the
  server has closed (readable while idle), is not reused. A call on a reused connection that
  fails while being *sent* is sent once more on a new one (the server got nothing); one that
  fails after that is an error like any other (the retry handlers decide, posts are not
  repeated blindly). Errors are urllib's: a connection refused or reset while sending is a
  `URLError`, one while answering is raised as it is.
- **No 40 ms stalls**: a server that writes the headers and the body of its answer separately
  without `TCP_NODELAY` (Nagle) waits for our ACK of the headers, which Linux delays up to
  40 ms on a connection in steady use. After the headers are read the client asks the kernel
  for that ACK at once (`TCP_QUICKACK`).
- A proxy (`proxy=`) or a non-HTTP URL goes through slack-sdk's own path, as before.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import select
import socket
import threading
import time
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient

IDLE_S = 4.0   # an idle connection older than this is closed, not reused
MAX_IDLE = 16  # idle connections kept per client (one per thread that called at once)


class _Pool:
    """Idle connections to one origin, newest first."""

    def __init__(self, scheme: str, host: str, port: int | None, timeout: float,
                 context: Any) -> None:
        self.scheme, self.host, self.port = scheme, host, port
        self.timeout, self.context = timeout, context
        self._idle: list[tuple[http.client.HTTPConnection, float]] = []
        self._lock = threading.Lock()

    def take(self) -> tuple[http.client.HTTPConnection, bool]:
        """(a connection, whether it was used before)."""
        now = time.monotonic()
        while True:
            with self._lock:
                if not self._idle:
                    break
                conn, since = self._idle.pop()
            if now - since <= IDLE_S and _open(conn):
                return conn, True
            conn.close()
        return self.new(), False

    def new(self) -> http.client.HTTPConnection:
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                               context=self.context)
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def give_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < MAX_IDLE:
                self._idle.append((conn, time.monotonic()))
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn, _ in idle:
            conn.close()


def _open(conn: http.client.HTTPConnection) -> bool:
    """An idle connection is still usable: connected, and nothing to read (a server that
    closed it makes it readable, with EOF)."""
    sock = conn.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def _quick_ack(conn: http.client.HTTPConnection) -> None:
    """ACK what has arrived now, not after Linux's delayed-ACK timer (see the docstring)."""
    if conn.sock is not None and hasattr(socket, "TCP_QUICKACK"):
        with contextlib.suppress(OSError):
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


class KeepAliveWebClient(WebClient):
    """`WebClient` whose HTTP calls reuse open connections (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pools: dict[tuple[str, str, int | None], _Pool] = {}
        self._pools_lock = threading.Lock()

    def close_connections(self) -> None:
        """Close the idle connections (they close by themselves when the process ends)."""
        with self._pools_lock:
            pools = list(self._pools.values())
        for pool in pools:
            pool.close()

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https") or not parts.hostname:
            return super()._perform_urllib_http_request_internal(url, req)
        pool = self._pool(parts.scheme, parts.hostname, parts.port)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = dict(req.header_items())
        conn, reused = pool.take()
        try:
            try:
                conn.request(req.get_method(), target, body=req.data, headers=headers)
            except OSError as err:
                if not reused:
                    raise URLError(err) from err  # as urllib says it (retry handlers look)
                conn.close()  # the server closed it as we sent: it got nothing, send again
                conn = pool.new()
                try:
                    conn.request(req.get_method(), target, body=req.data, headers=headers)
                except OSError as again:
                    raise URLError(again) from again
            resp = conn.getresponse()
            _quick_ack(conn)
            data = resp.read()
        except BaseException:
            conn.close()
            raise
        if resp.will_close:
            conn.close()
        else:
            pool.give_back(conn)
        message = resp.msg
        if not 200 <= resp.status < 300:
            raise HTTPError(url, resp.status, resp.reason, message, io.BytesIO(data))
        if message.get_content_type() == "application/gzip":
            return {"status": resp.status, "headers": message, "body": data}
        charset = message.get_content_charset() or "utf-8"
        return {"status": resp.status, "headers": message, "body": data.decode(charset)}

    def _pool(self, scheme: str, host: str, port: int | None) -> _Pool:
        key = (scheme, host, port)
        with self._pools_lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = _Pool(scheme, host, port, self.timeout, self.ssl)
            return pool
