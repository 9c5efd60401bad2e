"""A loopback emulator of the Facebook Graph API calls Alert-Team makes.

Any version prefix (``/v21.0``) is accepted. Reads: ``GET /{page-id}/feed`` (with the
``fields`` syntax, nested ``comments{...}`` and ``.limit()/.filter()`` modifiers),
``GET /{object-id}`` and ``GET /{object-id}/comments``. Writes: ``POST /{object-id}/comments``
and private replies ``POST /{page-id}/messages`` (one per comment, within 7 days).
Errors use Graph's ``{"error": {"message", "type", "code", "fbtrace_id"}}`` shape.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .base import Call, Emulator, Failure, Response

__all__ = ["GraphAPI", "parse_fields"]

PRIVATE_REPLY_WINDOW = 7 * 24 * 3600
VERSION = re.compile(r"^/v\d+\.\d+(?=/)")
DEFAULT_POST_FIELDS = ("id", "message", "created_time")
DEFAULT_COMMENT_FIELDS = ("id", "message", "created_time", "from")
Fields = dict[str, tuple[dict[str, str], "Fields | None"]]


def parse_fields(spec: str) -> Fields:
    """Parse Graph's ``fields`` syntax: ``a,b.limit(5){c,d},e{f}`` → name → (modifiers, sub)."""
    fields: Fields = {}
    position = 0

    def parse_level(stop: str | None) -> Fields:
        nonlocal position
        level: Fields = {}
        while position < len(spec):
            if stop and spec[position] == stop:
                position += 1
                return level
            found = re.match(r"\s*([A-Za-z_]+)", spec[position:])
            if not found:
                position += 1
                continue
            name = found.group(1)
            position += found.end()
            modifiers: dict[str, str] = {}
            while (mod := re.match(r"\.([A-Za-z_]+)\(([^)]*)\)", spec[position:])):
                modifiers[mod.group(1)] = mod.group(2)
                position += mod.end()
            sub: Fields | None = None
            if position < len(spec) and spec[position] == "{":
                position += 1
                sub = parse_level("}")
            level[name] = (modifiers, sub)
            if position < len(spec) and spec[position] == ",":
                position += 1
        return level

    fields.update(parse_level(None))
    return fields


def _graph_error(message: str, code: int, *, status: int = 400, type_: str = "OAuthException",
                 **extra: Any) -> Response:
    return Response(status, {"error": {"message": message, "type": type_, "code": code,
                                       "fbtrace_id": "AbCdEfGhIjK", **extra}})


def _graph_time(when: datetime | str | float | None, default: float) -> str:
    if when is None:
        when = default
    if isinstance(when, int | float):
        when = datetime.fromtimestamp(when, UTC)
    if isinstance(when, str):
        when = datetime.fromisoformat(when.replace("Z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError("created_time must be timezone-aware")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _epoch(graph_time: str) -> float:
    return datetime.strptime(graph_time, "%Y-%m-%dT%H:%M:%S%z").timestamp()


class GraphAPI(Emulator):
    """Graph API emulator for one Page: posts, comments, comment replies, private replies.

    ``valid_tokens``: if given, any other access token answers error 190.
    """

    name = "graph"

    def __init__(
        self,
        *,
        page_id: str = "100000000000001",
        page_name: str = "Brand",
        valid_tokens: set[str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock)
        self.page_id, self.page_name = page_id, page_name
        self.valid_tokens = valid_tokens
        self._state_lock = threading.RLock()
        self._posts: dict[str, dict[str, Any]] = {}
        self._comments: dict[str, dict[str, Any]] = {}
        self._private_replies: list[dict[str, Any]] = []
        self._counter = itertools.count(1)

    def base_url(self, version: str = "v21.0") -> str:
        """The value for ``FACEBOOK_GRAPH_URL``, e.g. ``http://127.0.0.1:PORT/v21.0``."""
        return f"{self.url}/{version}"

    # -- seeding ---------------------------------------------------------------------------
    def add_post(
        self,
        post_id: str,
        message: str,
        *,
        from_id: str | None = None,
        from_name: str | None = None,
        created_time: datetime | str | float | None = None,
    ) -> dict[str, Any]:
        """Seed a post on the Page's feed (by the Page unless ``from_id`` says otherwise)."""
        post = {
            "id": post_id, "message": message,
            "created_time": _graph_time(created_time, self.now()),
            "from": {"id": from_id or self.page_id, "name": from_name or self.page_name},
            "permalink_url": f"https://www.facebook.com/{post_id}",
        }
        with self._state_lock:
            self._posts[post_id] = post
        return copy.deepcopy(post)

    def add_comment(
        self,
        post_id: str,
        comment_id: str,
        message: str,
        from_id: str,
        from_name: str,
        *,
        parent_id: str | None = None,
        created_time: datetime | str | float | None = None,
    ) -> dict[str, Any]:
        """Seed a comment on ``post_id`` (a reply to ``parent_id`` if given)."""
        with self._state_lock:
            if post_id not in self._posts:
                raise KeyError(f"add_post({post_id!r}) first")
            return self._store_comment(post_id, comment_id, message,
                                       {"id": from_id, "name": from_name}, parent_id,
                                       _graph_time(created_time, self.now()))

    # -- inspection ------------------------------------------------------------------------
    def comment(self, comment_id: str) -> dict[str, Any]:
        """A stored comment (with ``post_id`` and ``parent_id``); KeyError if unknown."""
        with self._state_lock:
            return copy.deepcopy(self._comments[comment_id])

    def replies_to(self, object_id: str) -> list[dict[str, Any]]:
        """Comments created through the API on ``object_id`` (a comment or a post)."""
        with self._state_lock:
            return [copy.deepcopy(c) for c in self._comments.values()
                    if c.get("via_api") and c["replied_to"] == object_id]

    @property
    def private_replies(self) -> list[dict[str, Any]]:
        """Private replies sent: ``{"comment_id" | "post_id", "text", "message_id", ...}``."""
        with self._state_lock:
            return copy.deepcopy(self._private_replies)

    # -- emulator hooks --------------------------------------------------------------------
    def route(self, method: str, path: str) -> str:
        bare = VERSION.sub("", path)
        parts = [p for p in bare.split("/") if p]
        if len(parts) == 1:
            return "/:id"
        if len(parts) == 2:
            return f"/:id/{parts[1]}"
        return bare

    def authenticate(self, call: Call) -> tuple[str | None, str | None]:
        if call.query.get("access_token"):
            return "query", call.query["access_token"]
        if isinstance(call.body, dict) and call.body.get("access_token"):
            return "body", str(call.body["access_token"])
        return super().authenticate(call)

    def failure_response(self, failure: Failure, call: Call) -> Response:
        if failure.status == 429:
            # Graph never answers 429: throttling is HTTP 400 with code 32 and a usage header.
            minutes = max(1, -(-failure.retry_after // 60))
            usage = json.dumps({self.page_id: [{
                "type": "pages", "call_count": 100, "total_cputime": 10, "total_time": 10,
                "estimated_time_to_regain_access": minutes}]})
            response = _graph_error("(#32) Page request limit reached", 32)
            response.headers["X-Business-Use-Case-Usage"] = usage
            return response
        return _graph_error("An unexpected error has occurred. Please retry your request later.",
                            2, status=failure.status, is_transient=True)

    def dispatch(self, call: Call) -> Response:
        if not call.token:
            return _graph_error("An active access token must be used to query information "
                                "about the current user.", 2500)
        if self.valid_tokens is not None and call.token not in self.valid_tokens:
            return _graph_error("Invalid OAuth access token - Cannot parse access token", 190)
        parts = [p for p in VERSION.sub("", call.path).split("/") if p]
        params = call.params
        with self._state_lock:
            if call.method == "GET" and len(parts) == 1:
                return self._get_node(parts[0], params)
            if call.method == "GET" and len(parts) == 2 and parts[1] == "feed":
                return self._feed(parts[0], params)
            if call.method == "GET" and len(parts) == 2 and parts[1] == "comments":
                return self._list_comments(parts[0], params)
            if call.method == "POST" and len(parts) == 2 and parts[1] == "comments":
                return self._post_comment(parts[0], params)
            if call.method == "POST" and len(parts) == 2 and parts[1] == "messages":
                return self._private_reply(parts[0], params)
        return self._unsupported(call.method.lower(), parts[0] if parts else "")

    # -- storage ---------------------------------------------------------------------------
    def _store_comment(self, post_id: str, comment_id: str, message: str,
                       author: dict[str, str], parent_id: str | None,
                       created_time: str) -> dict[str, Any]:
        if parent_id is not None and parent_id not in self._comments:
            raise KeyError(f"unknown parent comment {parent_id!r}")
        comment = {
            "id": comment_id, "message": message, "created_time": created_time,
            "from": author, "post_id": post_id, "parent_id": parent_id,
            "permalink_url": f"https://www.facebook.com/{post_id}?comment_id={comment_id}",
            "is_hidden": False,
        }
        self._comments[comment_id] = comment
        return copy.deepcopy(comment)

    def _unsupported(self, verb: str, object_id: str) -> Response:
        return _graph_error(
            f"Unsupported {verb} request. Object with ID '{object_id}' does not exist, cannot "
            "be loaded due to missing permissions, or does not support this operation.",
            100, type_="GraphMethodException", error_subcode=33)

    def _private_reply_problem(self, comment: dict[str, Any]) -> str | None:
        if comment["from"]["id"] == self.page_id:
            return "(#10900) A Page cannot reply privately to its own comment"
        if any(r.get("comment_id") == comment["id"] for r in self._private_replies):
            return "(#10900) Activity already replied to"
        if self.now() - _epoch(comment["created_time"]) > PRIVATE_REPLY_WINDOW:
            return "(#10900) This comment is more than 7 days old and can't be replied to privately"
        return None

    # -- rendering -------------------------------------------------------------------------
    def _render_comment(self, comment: dict[str, Any], fields: Fields) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, (modifiers, sub) in fields.items():
            if name == "parent":
                parent = self._comments.get(comment["parent_id"] or "")
                if parent is not None:
                    out["parent"] = self._render_comment(
                        parent, sub or {k: ({}, None) for k in DEFAULT_COMMENT_FIELDS})
            elif name == "can_reply_privately":
                out[name] = self._private_reply_problem(comment) is None
            elif name == "comment_count":
                out[name] = len(self._children(comment["id"]))
            elif name == "comments":
                out[name] = self._edge(self._children(comment["id"]), modifiers, sub)
            elif name == "object":
                out[name] = {"id": comment["post_id"]}
            elif name in comment and name not in ("post_id", "parent_id", "via_api",
                                                  "replied_to"):
                out[name] = copy.deepcopy(comment[name])
        out["id"] = comment["id"]
        return out

    def _children(self, parent_id: str) -> list[dict[str, Any]]:
        return [c for c in self._comments.values() if c["parent_id"] == parent_id]

    def _edge(self, comments: list[dict[str, Any]], modifiers: dict[str, str],
              sub: Fields | None) -> dict[str, Any]:
        fields = sub or {k: ({}, None) for k in DEFAULT_COMMENT_FIELDS}
        ordered = sorted(comments, key=lambda c: c["created_time"],
                         reverse=modifiers.get("order") == "reverse_chronological")
        limit = int(modifiers.get("limit", "25"))
        shown = ordered[:limit]
        edge: dict[str, Any] = {"data": [self._render_comment(c, fields) for c in shown]}
        if shown:
            edge["paging"] = {"cursors": {"before": f"b{shown[0]['id']}",
                                          "after": f"a{shown[-1]['id']}"}}
        if "summary" in modifiers:
            edge["summary"] = {"order": "ranked", "total_count": len(comments),
                               "can_comment": True}
        return edge

    def _post_comments(self, post_id: str, modifiers: dict[str, str]) -> list[dict[str, Any]]:
        in_post = [c for c in self._comments.values() if c["post_id"] == post_id]
        if modifiers.get("filter") == "stream":
            return in_post
        return [c for c in in_post if c["parent_id"] is None]

    def _render_post(self, post: dict[str, Any], fields: Fields) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, (modifiers, sub) in fields.items():
            if name == "comments":
                out[name] = self._edge(self._post_comments(post["id"], modifiers), modifiers, sub)
            elif name == "can_reply_privately":
                out[name] = post["from"]["id"] != self.page_id
            elif name in post:
                out[name] = copy.deepcopy(post[name])
        out["id"] = post["id"]
        return out

    def _fields(self, params: dict[str, Any], default: tuple[str, ...]) -> Fields:
        spec = str(params.get("fields") or "")
        return parse_fields(spec) if spec else {k: ({}, None) for k in default}

    # -- endpoints -------------------------------------------------------------------------
    def _get_node(self, object_id: str, params: dict[str, Any]) -> Response:
        if object_id == self.page_id:
            return Response(200, {"id": self.page_id, "name": self.page_name})
        if object_id in self._posts:
            return Response(200, self._render_post(
                self._posts[object_id], self._fields(params, DEFAULT_POST_FIELDS)))
        if object_id in self._comments:
            return Response(200, self._render_comment(
                self._comments[object_id], self._fields(params, DEFAULT_COMMENT_FIELDS)))
        return self._unsupported("get", object_id)

    def _feed(self, page_id: str, params: dict[str, Any]) -> Response:
        if page_id != self.page_id:
            return self._unsupported("get", page_id)
        fields = self._fields(params, DEFAULT_POST_FIELDS)
        posts = sorted(self._posts.values(), key=lambda p: p["created_time"], reverse=True)
        if params.get("since"):
            posts = [p for p in posts if _epoch(p["created_time"]) >= float(params["since"])]
        if params.get("until"):
            posts = [p for p in posts if _epoch(p["created_time"]) <= float(params["until"])]
        start = 0
        if params.get("after"):
            ids = [p["id"] for p in posts]
            after = str(params["after"])
            start = ids.index(after) + 1 if after in ids else len(ids)
        limit = int(params.get("limit") or 25)
        page = posts[start:start + limit]
        body: dict[str, Any] = {"data": [self._render_post(p, fields) for p in page]}
        if page:
            body["paging"] = {"cursors": {"before": page[0]["id"], "after": page[-1]["id"]}}
            if start + limit < len(posts):
                body["paging"]["next"] = (f"{self.base_url()}/{page_id}/feed?after="
                                          f"{page[-1]['id']}&limit={limit}")
        return Response(200, body)

    def _list_comments(self, object_id: str, params: dict[str, Any]) -> Response:
        fields = self._fields(params, DEFAULT_COMMENT_FIELDS)
        modifiers = {k: str(params[k]) for k in ("limit", "filter", "order") if k in params}
        if object_id in self._posts:
            return Response(200, self._edge(self._post_comments(object_id, modifiers),
                                            modifiers, fields))
        if object_id in self._comments:
            return Response(200, self._edge(self._children(object_id), modifiers, fields))
        return self._unsupported("get", object_id)

    def _post_comment(self, object_id: str, params: dict[str, Any]) -> Response:
        if object_id in self._comments:
            target = self._comments[object_id]
            post_id = target["post_id"]
            parent_id: str | None = target["parent_id"] or object_id  # replies stay one deep
        elif object_id in self._posts:
            post_id, parent_id = object_id, None
        else:
            return self._unsupported("post", object_id)
        message = str(params.get("message") or "")
        if not message and not params.get("attachment_url"):
            return _graph_error("(#100) Missing message or attachment", 100)
        new_id = f"{post_id.split('_')[-1]}_{9000000 + next(self._counter)}"
        self._store_comment(post_id, new_id, message, {"id": self.page_id, "name": self.page_name},
                            parent_id, _graph_time(None, self.now()))
        self._comments[new_id].update(via_api=True, replied_to=object_id)
        return Response(200, {"id": new_id})

    def _private_reply(self, page_id: str, params: dict[str, Any]) -> Response:
        if page_id != self.page_id:
            return self._unsupported("post", page_id)
        recipient = params.get("recipient")
        message = params.get("message")
        if not isinstance(recipient, dict) or not (recipient.get("comment_id")
                                                   or recipient.get("post_id")):
            return _graph_error("(#100) param recipient must be non-empty.", 100)
        if not isinstance(message, dict) or not (message.get("text") or message.get("attachment")):
            return _graph_error("(#100) param message must be non-empty.", 100)
        if recipient.get("comment_id"):
            comment = self._comments.get(str(recipient["comment_id"]))
            if comment is None:
                return _graph_error("(#100) No matching user found", 100, error_subcode=2018001)
            problem = self._private_reply_problem(comment)
            author_id = comment["from"]["id"]
        else:
            post = self._posts.get(str(recipient["post_id"]))
            if post is None:
                return _graph_error("(#100) No matching user found", 100, error_subcode=2018001)
            problem = None
            if any(r.get("post_id") == post["id"] for r in self._private_replies):
                problem = "(#10900) Activity already replied to"
            author_id = post["from"]["id"]
        if problem is not None:
            return _graph_error(problem, 10900)
        message_id = f"m_emulated{next(self._counter):010d}"
        recipient_id = f"psid-{author_id}"
        self._private_replies.append({**{k: str(v) for k, v in recipient.items()},
                                      "text": message.get("text", ""), "message_id": message_id,
                                      "recipient_id": recipient_id})
        return Response(200, {"recipient_id": recipient_id, "message_id": message_id})
