"""A loopback emulator of the Bluesky XRPC endpoints Alert-Team uses (PDS, AppView and Chat).

Everything answers on one host under ``/xrpc/<nsid>``, as a PDS does: it serves the session
and repo methods itself and pipes ``app.bsky.*`` to the AppView and, when the request carries
``atproto-proxy: did:web:api.bsky.chat#bsky_chat``, ``chat.bsky.*`` to the chat service.

Methods: ``com.atproto.server.createSession`` / ``refreshSession`` / ``getSession``,
``com.atproto.identity.resolveHandle``, ``app.bsky.actor.getProfile``,
``app.bsky.notification.listNotifications``, ``app.bsky.feed.getPosts``,
``com.atproto.repo.createRecord``, ``chat.bsky.convo.getConvoForMembers`` and
``sendMessage``. Answers use the lexicons' JSON shapes; errors are XRPC error bodies
(``{"error": "InvalidRequest", "message": "…"}``) with the PDS's statuses, and a 429 carries
``ratelimit-*`` headers. Route names (for ``calls_to`` and ``fail_next``) are the NSIDs.

Tokens are unsigned JWTs with the claims a PDS puts in them (``scope``, ``sub``, ``exp``), so
the SDK can read their expiry; ``expire_access_tokens`` makes the PDS answer ``ExpiredToken``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import regex

from .base import Call, Emulator, Failure, Response

__all__ = ["BlueskyAPI"]

CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
ACCESS_TTL_S = 2 * 3600  # a PDS's access token lives two hours
REFRESH_TTL_S = 90 * 24 * 3600
POST = "app.bsky.feed.post"
NOTIFICATIONS_DEFAULT_LIMIT = 50
GET_POSTS_MAX = 25
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"


def _graphemes(text: str) -> int:
    """Extended grapheme clusters (UAX #29), as the PDS's lexicon validation counts them."""
    return len(regex.findall(r"\X", text))


def _error(status: int, error: str, message: str) -> Response:
    return Response(status, {"error": error, "message": message})


def _iso(micros: int) -> str:
    """An AT Protocol datetime with millisecond precision, as the AppView writes them."""
    when = datetime.fromtimestamp(micros // 1000 / 1000, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{micros // 1000 % 1000:03d}Z"


def _micros(when: datetime | str | float) -> int:
    """Epoch microseconds, cut to whole milliseconds like the AppView's timestamps."""
    if isinstance(when, str):
        when = datetime.fromisoformat(when.replace("Z", "+00:00"))
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("times must be timezone-aware")
        return (when - EPOCH) // timedelta(milliseconds=1) * 1000
    return round(when * 1000) * 1000


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _cid(*parts: str) -> str:
    """A CIDv1 (dag-cbor, sha-256) lookalike: ``bafyrei`` and 52 base32 characters."""
    digest = hashlib.sha256("\x00".join(parts).encode()).digest()
    return "bafyrei" + base64.b32encode(digest).decode().lower().rstrip("=")[:52]


@dataclass
class _Token:
    did: str
    kind: str  # "access" or "refresh"
    scope: str
    expired: bool = False


class BlueskyAPI(Emulator):
    """Bluesky emulator: seeded posts and notifications, recorded records and chat messages.

    ``dm_access=False`` makes the app password one created without direct-message access:
    the chat service then answers 401 ``Bad token method``.
    """

    name = "bluesky"

    def __init__(
        self,
        *,
        handle: str = "brand.bsky.social",
        did: str = "did:plc:brandbrandbrandbrand0001",
        display_name: str = "Brand Service",
        app_password: str = "abcd-efgh-ijkl-mnop",
        dm_access: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock)
        self.handle = handle
        self.did = did
        self.app_password = app_password
        self.dm_access = dm_access
        self._state = threading.RLock()
        self._local = threading.local()
        self._users: dict[str, dict[str, Any]] = {}
        self._posts: dict[str, dict[str, Any]] = {}  # uri -> {uri, cid, did, record, indexed}
        self._notifications: list[dict[str, Any]] = []
        self._records: list[dict[str, Any]] = []
        self._tokens: dict[str, _Token] = {}
        self._convos: dict[frozenset[str], str] = {}
        self._messages: list[dict[str, Any]] = []
        self._chat_disabled: set[str] = set()
        self._chat_following_only: set[str] = set()
        self._reply_limited: set[str] = set()  # thread roots with a threadgate
        self._queries: list[tuple[str, dict[str, list[str]]]] = []
        self._seq = itertools.count(1)
        self._last_tid = 0
        self._last_indexed = 0
        self.add_user(did, handle, display_name)

    @property
    def base_url(self) -> str:
        """The value for ``BLUESKY_SERVICE_URL`` (the SDK appends ``/xrpc``)."""
        return self.url

    # -- seeding ---------------------------------------------------------------------------
    def add_user(self, did: str, handle: str, display_name: str = "") -> None:
        """Register (or update) an account with its handle and display name."""
        with self._state:
            self._users[did] = {"did": did, "handle": handle, "displayName": display_name}

    def add_mention(
        self,
        text: str,
        author_did: str,
        handle: str,
        name: str = "",
        *,
        reply_to: str | None = None,
        created_at: datetime | str | None = None,
        indexed_at: datetime | str | float | None = None,
    ) -> str:
        """A post by ``author_did`` that mentions the brand; the brand is notified (``mention``).

        ``reply_to`` makes it a reply in someone's thread (the parent's URI). ``text`` should
        contain ``@<brand handle>``; the mention facet then points at the brand's DID.
        ``created_at`` is the client's timestamp in the record, ``indexed_at`` when the AppView
        indexed it (default: now, 1 ms after the last); the notification is listed at the
        earlier of the two, as Bluesky's ``sortAt``. Returns the post's at:// URI.
        """
        self.add_user(author_did, handle, name)
        with self._state:
            post = self._store_post(author_did, text, parent=reply_to, created_at=created_at,
                                    indexed_at=indexed_at)
            self._notify(post, "mention", None)
            return str(post["uri"])

    def add_reply(
        self,
        text: str,
        author_did: str,
        handle: str,
        name: str = "",
        *,
        parent: str,
        created_at: datetime | str | None = None,
        indexed_at: datetime | str | float | None = None,
    ) -> str:
        """A reply to ``parent``; the brand is notified (``reply``) when ``parent`` is its post."""
        self.add_user(author_did, handle, name)
        with self._state:
            post = self._store_post(author_did, text, parent=parent, created_at=created_at,
                                    indexed_at=indexed_at)
            if self._posts[parent]["did"] == self.did:
                self._notify(post, "reply", parent)
            return str(post["uri"])

    def add_quote(
        self,
        text: str,
        author_did: str,
        handle: str,
        name: str = "",
        *,
        quoted: str,
        indexed_at: datetime | str | float | None = None,
    ) -> str:
        """A post quoting ``quoted`` (a brand post); the brand is notified (``quote``)."""
        self.add_user(author_did, handle, name)
        with self._state:
            target = self._posts[quoted]
            embed = {"$type": "app.bsky.embed.record",
                     "record": {"uri": target["uri"], "cid": target["cid"]}}
            post = self._store_post(author_did, text, embed=embed, indexed_at=indexed_at)
            self._notify(post, "quote", quoted)
            return str(post["uri"])

    def add_like(self, author_did: str, handle: str, subject: str) -> str:
        """A like of the brand's post ``subject`` (a notification that is not a mention)."""
        self.add_user(author_did, handle)
        with self._state:
            micros = self._next_indexed(None)
            rkey = self._tid()
            target = self._posts[subject]
            record = {"$type": "app.bsky.feed.like", "createdAt": _iso(micros),
                      "subject": {"uri": target["uri"], "cid": target["cid"]}}
            uri = f"at://{author_did}/app.bsky.feed.like/{rkey}"
            self._notifications.append({
                "uri": uri, "cid": _cid(uri), "did": author_did, "reason": "like",
                "reasonSubject": subject, "record": record, "indexed": micros,
                "seq": next(self._seq)})
            return uri

    def add_brand_post(self, text: str, *, created_at: datetime | str | None = None) -> str:
        """A post by the brand account itself (no notification)."""
        with self._state:
            return str(self._store_post(self.did, text, created_at=created_at)["uri"])

    def limit_replies(self, root_uri: str) -> None:
        """Put a threadgate on the thread of ``root_uri``: its posts show ``replyDisabled``."""
        with self._state:
            self._reply_limited.add(root_uri)

    def disable_chat(self, did: str) -> None:
        """``did`` accepts no chat messages (``allowIncoming: none``)."""
        with self._state:
            self._chat_disabled.add(did)

    def chat_from_following_only(self, did: str) -> None:
        """``did`` accepts chat only from accounts it follows (it does not follow the brand)."""
        with self._state:
            self._chat_following_only.add(did)

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is past its expiry: calls answer ``ExpiredToken``."""
        with self._state:
            for token in self._tokens.values():
                if token.kind == "access":
                    token.expired = True

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token issued so far is revoked: only a new login helps."""
        with self._state:
            for token in self._tokens.values():
                if token.kind == "refresh":
                    token.expired = True

    # -- inspection ------------------------------------------------------------------------
    def records(self) -> list[dict[str, Any]]:
        """Records created through ``createRecord``: ``{uri, cid, repo, collection, record}``."""
        with self._state:
            return copy.deepcopy(self._records)

    def replies(self) -> list[dict[str, Any]]:
        """The created posts that are replies (their record has ``reply``)."""
        return [r for r in self.records() if r["collection"] == POST and "reply" in r["record"]]

    def messages(self) -> list[dict[str, Any]]:
        """Chat messages sent: ``{id, convo_id, members, sender, text, facets}``."""
        with self._state:
            return copy.deepcopy(self._messages)

    def array_params(self, route: str) -> dict[str, list[str]]:
        """The last request to ``route`` with every value of each query parameter.

        ``Call.query`` keeps one value per name; XRPC arrays (``reasons``, ``uris``,
        ``members``) repeat the name, so assertions on them read this instead.
        """
        with self._lock:
            found = [query for name, query in self._queries if name == route]
        if not found:
            raise AssertionError(f"no call to {route} on the {self.name} emulator")
        return copy.deepcopy(found[-1])

    def post(self, uri: str) -> dict[str, Any]:
        """A stored post: ``{uri, cid, did, record, indexed}``; KeyError if unknown."""
        with self._state:
            return copy.deepcopy(self._posts[uri])

    # -- emulator hooks --------------------------------------------------------------------
    def route(self, method: str, path: str) -> str:
        return path.removeprefix("/xrpc/")

    def _handle(self, method: str, target: str, headers: Iterable[tuple[str, str]],
                raw: bytes, peer: int = 0) -> Response:
        # Call.query keeps one value per name; array parameters (`uris`, `reasons`,
        # `members`) repeat theirs, so the full query is kept for `dispatch` on this thread
        # and for `array_params`.
        parts = urlsplit(target)
        self._local.query = parse_qs(parts.query, keep_blank_values=True)
        with self._lock:
            self._queries.append((self.route(method, parts.path), self._local.query))
        return super()._handle(method, target, headers, raw, peer)

    def failure_response(self, failure: Failure, call: Call) -> Response:
        if failure.status == 429:
            response = _error(429, "RateLimitExceeded", "Rate Limit Exceeded")
            response.headers.update({
                "ratelimit-limit": "3000", "ratelimit-remaining": "0",
                "ratelimit-reset": str(int(self.now()) + failure.retry_after),
                "ratelimit-policy": "3000;w=300",
            })
            return response
        names = {400: ("InvalidRequest", "Bad Request"),
                 401: ("AuthenticationRequired", "Authentication Required"),
                 502: ("UpstreamFailure", "Upstream Failure"),
                 503: ("NotEnoughResources", "Service Unavailable")}
        error, message = names.get(failure.status, ("InternalServerError", "Internal Server Error"))
        return _error(failure.status, error, message)

    def dispatch(self, call: Call) -> Response:
        handler = self._methods().get(call.route)
        if handler is None or not call.path.startswith("/xrpc/"):
            return _error(501, "MethodNotImplemented", "Method Not Implemented")
        method, auth, answer = handler
        if call.method != method:
            return _error(400, "InvalidRequest", f"Incorrect HTTP method ({call.method})")
        if call.route.startswith("chat.") and call.headers.get("atproto-proxy") != CHAT_PROXY:
            return _error(501, "MethodNotImplemented", "Method Not Implemented")
        with self._state:
            token: _Token | None = None
            if auth != "none":
                token_or_error = self._authorize(call, auth)
                if isinstance(token_or_error, Response):
                    return token_or_error
                token = token_or_error
            return answer(call, token)

    def _methods(self) -> dict[str, tuple[str, str, Callable[[Call, _Token | None], Response]]]:
        return {
            "com.atproto.server.createSession": ("POST", "none", self._create_session),
            "com.atproto.server.refreshSession": ("POST", "refresh", self._refresh_session),
            "com.atproto.server.getSession": ("GET", "access", self._get_session),
            "com.atproto.identity.resolveHandle": ("GET", "none", self._resolve_handle),
            "app.bsky.actor.getProfile": ("GET", "access", self._get_profile),
            "app.bsky.notification.listNotifications": ("GET", "access", self._list_notifications),
            "app.bsky.feed.getPosts": ("GET", "access", self._get_posts),
            "com.atproto.repo.createRecord": ("POST", "access", self._create_record),
            "chat.bsky.convo.getConvoForMembers": ("GET", "access", self._get_convo_for_members),
            "chat.bsky.convo.sendMessage": ("POST", "access", self._send_message),
        }

    # -- auth ------------------------------------------------------------------------------
    def _authorize(self, call: Call, kind: str) -> _Token | Response:
        if call.auth != "bearer" or not call.token:
            return _error(401, "AuthMissing", "Authentication Required")
        token = self._tokens.get(call.token)
        if token is None:
            return _error(400, "InvalidToken", "Token could not be verified")
        if token.kind != kind:
            return _error(400, "InvalidToken", "Invalid token type")
        if token.expired:
            message = "Token has expired" if kind == "access" else "Token has been revoked"
            return _error(400, "ExpiredToken", message)
        if call.route.startswith("chat.") and token.scope != "com.atproto.appPassPrivileged":
            return _error(401, "AuthenticationRequired", "Bad token method")
        return token

    def _jwt(self, did: str, kind: str, scope: str, ttl: int) -> str:
        now = int(self._clock())  # the SDK reads `exp` against the real clock
        header = {"typ": "at+jwt" if kind == "access" else "refresh+jwt", "alg": "HS256"}
        claims: dict[str, Any] = {"scope": scope, "sub": did, "iat": now, "exp": now + ttl,
                                  "aud": f"did:web:{urlsplit(self.url).hostname}"}
        if kind == "refresh":
            claims["jti"] = secrets.token_urlsafe(16)
        token = f"{_b64(header)}.{_b64(claims)}.{secrets.token_urlsafe(32)}"
        self._tokens[token] = _Token(did, kind, scope)
        return token

    def _session(self, did: str) -> dict[str, Any]:
        scope = "com.atproto.appPassPrivileged" if self.dm_access else "com.atproto.appPass"
        handle = self._users[did]["handle"]
        return {
            "accessJwt": self._jwt(did, "access", scope, ACCESS_TTL_S),
            "refreshJwt": self._jwt(did, "refresh", "com.atproto.refresh", REFRESH_TTL_S),
            "handle": handle, "did": did, "active": True,
            "didDoc": {
                "@context": ["https://www.w3.org/ns/did/v1"], "id": did,
                "alsoKnownAs": [f"at://{handle}"],
                "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                             "serviceEndpoint": self.url}],
            },
        }

    def _create_session(self, call: Call, _: _Token | None) -> Response:
        body = call.body if isinstance(call.body, dict) else {}
        identifier = str(body.get("identifier", "")).lower().lstrip("@")
        if identifier not in (self.handle.lower(), self.did) or body.get("password") != self.app_password:
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        return Response(200, {**self._session(self.did), "email": "social@brand.example",
                              "emailConfirmed": True})

    def _refresh_session(self, call: Call, token: _Token | None) -> Response:
        assert token is not None and call.token is not None
        token.expired = True  # refresh tokens rotate: the used one is spent
        session = self._session(token.did)
        session.pop("didDoc")
        return Response(200, session)

    def _get_session(self, call: Call, token: _Token | None) -> Response:
        assert token is not None
        return Response(200, {"handle": self._users[token.did]["handle"], "did": token.did,
                              "active": True})

    def _resolve_handle(self, call: Call, _: _Token | None) -> Response:
        handle = call.query.get("handle", "").lower()
        for user in self._users.values():
            if user["handle"].lower() == handle:
                return Response(200, {"did": user["did"]})
        return _error(400, "InvalidRequest", "Unable to resolve handle")

    # -- views -----------------------------------------------------------------------------
    def _profile(self, did: str, detailed: bool = False) -> dict[str, Any]:
        user = self._users.get(did, {"did": did, "handle": "handle.invalid", "displayName": ""})
        view: dict[str, Any] = {
            "did": did, "handle": user["handle"],
            "viewer": {"muted": False, "blockedBy": False}, "labels": [],
            "createdAt": "2024-02-01T10:00:00.000Z",
            "associated": {"chat": {"allowIncoming": "none" if did in self._chat_disabled
                                    else "following" if did in self._chat_following_only
                                    else "all"}},
        }
        if user.get("displayName"):
            view["displayName"] = user["displayName"]
        if detailed:
            view.update({"followersCount": 1200, "followsCount": 80, "postsCount": len(
                [p for p in self._posts.values() if p["did"] == did])})
        return view

    def _post_view(self, post: dict[str, Any]) -> dict[str, Any]:
        record = post["record"]
        root = (record.get("reply") or {}).get("root", {}).get("uri", post["uri"])
        replies = [p for p in self._posts.values()
                   if (p["record"].get("reply") or {}).get("parent", {}).get("uri") == post["uri"]]
        viewer: dict[str, Any] = {"threadMuted": False, "embeddingDisabled": False}
        if root in self._reply_limited:
            viewer["replyDisabled"] = True
        return {
            "uri": post["uri"], "cid": post["cid"], "author": self._profile(post["did"]),
            "record": copy.deepcopy(record), "indexedAt": _iso(post["indexed"]),
            "replyCount": len(replies), "repostCount": 0, "likeCount": 0, "quoteCount": 0,
            "bookmarkCount": 0, "viewer": viewer, "labels": [],
        }

    # -- app.bsky --------------------------------------------------------------------------
    def _get_profile(self, call: Call, _: _Token | None) -> Response:
        actor = call.query.get("actor", "").lower()
        for user in self._users.values():
            if actor in (user["did"], user["handle"].lower()):
                return Response(200, self._profile(user["did"], detailed=True))
        return _error(400, "InvalidRequest", "Profile not found")

    def _list_notifications(self, call: Call, token: _Token | None) -> Response:
        assert token is not None
        query: dict[str, list[str]] = self._local.query
        if "seenAt" in query:
            return _error(400, "InvalidRequest", "The seenAt parameter is unsupported")
        raw_limit = call.query.get("limit", str(NOTIFICATIONS_DEFAULT_LIMIT))
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            return _error(400, "InvalidRequest", "Error: limit must be between 1 and 100")
        reasons = set(query.get("reasons", []))
        ordered = sorted(self._notifications, key=lambda n: (n["indexed"], n["seq"]), reverse=True)
        selected = [n for n in ordered if not reasons or n["reason"] in reasons]
        cursor = call.query.get("cursor")
        if cursor:
            try:
                indexed, seq = (int(part) for part in cursor.split("::"))
            except ValueError:
                return _error(400, "InvalidRequest", "Malformed cursor")
            selected = [n for n in selected if (n["indexed"], n["seq"]) < (indexed, seq)]
        page = selected[:int(raw_limit)]
        body: dict[str, Any] = {"notifications": [self._notification_view(n) for n in page],
                                "priority": False}
        if len(selected) > len(page):
            body["cursor"] = f"{page[-1]['indexed']}::{page[-1]['seq']}"
        return Response(200, body)

    def _notification_view(self, n: dict[str, Any]) -> dict[str, Any]:
        view: dict[str, Any] = {
            "uri": n["uri"], "cid": n["cid"], "author": self._profile(n["did"]),
            "reason": n["reason"], "record": copy.deepcopy(n["record"]), "isRead": False,
            "indexedAt": _iso(n["indexed"]), "labels": [],
        }
        if n.get("reasonSubject"):
            view["reasonSubject"] = n["reasonSubject"]
        return view

    def _get_posts(self, call: Call, _: _Token | None) -> Response:
        uris: list[str] = self._local.query.get("uris", [])
        if not uris:
            return _error(400, "InvalidRequest", 'Error: Params must have the property "uris"')
        if len(uris) > GET_POSTS_MAX:
            return _error(400, "InvalidRequest",
                          f"Error: uris must not have more than {GET_POSTS_MAX} elements")
        return Response(200, {"posts": [self._post_view(self._posts[u]) for u in uris
                                        if u in self._posts]})

    # -- com.atproto.repo ------------------------------------------------------------------
    def _create_record(self, call: Call, token: _Token | None) -> Response:
        assert token is not None
        body = call.body if isinstance(call.body, dict) else {}
        repo = body.get("repo")
        if repo not in (token.did, self._users[token.did]["handle"]):
            return _error(401, "AuthRequired", "Input/repo must be the authenticated account")
        collection = str(body.get("collection", ""))
        record = body.get("record")
        if not isinstance(record, dict) or record.get("$type") != collection:
            return _error(400, "InvalidRequest", "Invalid $type: must match collection")
        if collection == POST:
            problem = self._invalid_post(record)
            if problem:
                return _error(400, "InvalidRecord", f"Invalid app.bsky.feed.post record: {problem}")
        rkey = str(body.get("rkey") or self._tid())
        uri = f"at://{token.did}/{collection}/{rkey}"
        cid = _cid(uri, json.dumps(record, sort_keys=True))
        self._records.append({"uri": uri, "cid": cid, "repo": repo, "collection": collection,
                              "record": copy.deepcopy(record)})
        if collection == POST:
            self._posts[uri] = {"uri": uri, "cid": cid, "did": token.did,
                                "record": copy.deepcopy(record),
                                "indexed": self._next_indexed(None)}
        return Response(200, {"uri": uri, "cid": cid, "validationStatus": "valid",
                              "commit": {"cid": _cid("commit", uri), "rev": self._tid()}})

    @staticmethod
    def _invalid_post(record: dict[str, Any]) -> str | None:
        """The lexicon's checks on ``app.bsky.feed.post`` that a reply can break."""
        text = record.get("text")
        if not isinstance(text, str):
            return 'Record must have the property "text"'
        if len(text.encode()) > 3000:
            return "Record/text must not be longer than 3000 characters"
        if _graphemes(text) > 300:
            return "Record/text must not be longer than 300 graphemes"
        if not isinstance(record.get("createdAt"), str):
            return 'Record must have the property "createdAt"'
        reply = record.get("reply")
        if reply is not None:
            for part in ("root", "parent"):
                ref = reply.get(part) if isinstance(reply, dict) else None
                for field in ("uri", "cid"):
                    if not isinstance(ref, dict) or not isinstance(ref.get(field), str):
                        return f'Record/reply/{part} must have the property "{field}"'
        return None

    # -- chat.bsky -------------------------------------------------------------------------
    def _refuses_chat(self, did: str) -> Response | None:
        if did in self._chat_disabled:
            return _error(400, "InvalidRequest", "recipient has disabled incoming messages")
        if did in self._chat_following_only:
            return _error(400, "InvalidRequest",
                          "recipient requires incoming messages to come from someone they follow")
        return None

    def _get_convo_for_members(self, call: Call, token: _Token | None) -> Response:
        assert token is not None
        members: list[str] = self._local.query.get("members", [])
        if not 1 <= len(members) <= 10:
            return _error(400, "InvalidRequest", "Error: members must have 1 to 10 elements")
        for did in members:
            if did != token.did and did not in self._users:
                return _error(400, "InvalidRequest", "recipient does not exist")
            refused = self._refuses_chat(did) if did != token.did else None
            if refused:
                return refused
        everyone = frozenset([*members, token.did])
        convo_id = self._convos.setdefault(everyone, self._tid())
        return Response(200, {"convo": self._convo_view(convo_id, everyone)})

    def _convo_view(self, convo_id: str, members: frozenset[str]) -> dict[str, Any]:
        return {
            "id": convo_id, "rev": self._tid(), "muted": False, "unreadCount": 0,
            "status": "accepted",
            "members": [{"did": d, "handle": self._users.get(d, {}).get("handle", "handle.invalid"),
                         "displayName": self._users.get(d, {}).get("displayName", ""),
                         "chatDisabled": False, "labels": []} for d in sorted(members)],
        }

    def _send_message(self, call: Call, token: _Token | None) -> Response:
        assert token is not None
        body = call.body if isinstance(call.body, dict) else {}
        convo_id = body.get("convoId")
        members = next((m for m, cid in self._convos.items() if cid == convo_id), None)
        if members is None:
            return _error(400, "InvalidConvo", "Convo not found")
        for did in members - {token.did}:
            refused = self._refuses_chat(did)
            if refused:
                return refused
        message = body.get("message") if isinstance(body.get("message"), dict) else {}
        text = str((message or {}).get("text", ""))
        if not text.strip():
            return _error(400, "InvalidRequest", "Message cannot be empty")
        if _graphemes(text) > 1000:
            return _error(400, "InvalidRequest", "Message is too long")
        sent = {"id": self._tid(), "rev": self._tid(), "text": text,
                "sender": {"did": token.did}, "sentAt": _iso(_micros(self.now()))}
        if (message or {}).get("facets"):
            sent["facets"] = copy.deepcopy(message["facets"])
        self._messages.append({"id": sent["id"], "convo_id": convo_id,
                               "members": sorted(members), "sender": token.did, "text": text,
                               "facets": copy.deepcopy(sent.get("facets", []))})
        return Response(200, sent)

    # -- storage ---------------------------------------------------------------------------
    def _tid(self) -> str:
        """A record key / id in TID form: microseconds since the epoch, base32-sortable."""
        micros = max(_micros(self.now()), self._last_tid + 1)
        self._last_tid = micros
        value = micros << 10
        return "".join(TID_CHARS[(value >> (5 * i)) & 31] for i in reversed(range(13)))

    def _next_indexed(self, when: datetime | str | float | None) -> int:
        """Indexing time in µs (whole ms); seeded without a time, each is 1 ms after the last."""
        if when is not None:
            return _micros(when)
        micros = max(_micros(self.now()), self._last_indexed + 1000)
        self._last_indexed = micros
        return micros

    def _store_post(self, did: str, text: str, *, parent: str | None = None,
                    embed: dict[str, Any] | None = None,
                    created_at: datetime | str | None = None,
                    indexed_at: datetime | str | float | None = None) -> dict[str, Any]:
        indexed = self._next_indexed(indexed_at)
        record: dict[str, Any] = {
            "$type": POST, "text": text, "langs": ["de"],
            "createdAt": _iso(_micros(created_at)) if created_at is not None else _iso(indexed),
        }
        if parent is not None:
            up = self._posts[parent]
            root = (up["record"].get("reply") or {}).get("root") or {"uri": up["uri"],
                                                                     "cid": up["cid"]}
            record["reply"] = {"root": dict(root), "parent": {"uri": up["uri"], "cid": up["cid"]}}
        if embed is not None:
            record["embed"] = embed
        facets = self._mention_facets(text)
        if facets:
            record["facets"] = facets
        uri = f"at://{did}/{POST}/{self._tid()}"
        post = {"uri": uri, "cid": _cid(uri, text), "did": did, "record": record,
                "indexed": indexed}
        self._posts[uri] = post
        return post

    def _mention_facets(self, text: str) -> list[dict[str, Any]]:
        """Mention facets (UTF-8 byte offsets) for every ``@handle`` of a known account."""
        facets = []
        for found in re.finditer(r"@([A-Za-z0-9.-]+[A-Za-z0-9])", text):
            did = next((u["did"] for u in self._users.values()
                        if u["handle"].lower() == found.group(1).lower()), None)
            if did:
                start = len(text[:found.start()].encode())
                facets.append({
                    "$type": "app.bsky.richtext.facet",
                    "index": {"byteStart": start, "byteEnd": start + len(found.group(0).encode())},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
                })
        return facets

    def _notify(self, post: dict[str, Any], reason: str, subject: str | None) -> None:
        # The AppView's notification time is the post's sortAt: least(createdAt, indexedAt).
        sort_at = min(post["indexed"], _micros(post["record"]["createdAt"]))
        entry = {"uri": post["uri"], "cid": post["cid"], "did": post["did"], "reason": reason,
                 "record": copy.deepcopy(post["record"]), "indexed": sort_at,
                 "seq": next(self._seq)}
        if subject:
            entry["reasonSubject"] = subject
        self._notifications.append(entry)
