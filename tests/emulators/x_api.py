"""A loopback emulator of the X API v2 endpoints Alert-Team uses.

Endpoints: ``GET /2/users/me``, ``GET /2/users/:id/mentions``, ``GET /2/tweets/search/recent``,
``POST /2/tweets``, ``POST /2/dm_conversations/with/:participant_id/messages``,
``GET /2/usage/tweets`` (the monthly read budget, set with ``set_usage``).
``reject_tokens(401)`` makes every call answer as X does for a revoked or wrong token.
Answers carry X's JSON shapes (``data``, ``includes.users``, ``meta``), X's problem-JSON
errors, and ``x-rate-limit-*`` headers on every response (a spent window answers 429 by itself).
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .base import Call, Emulator, Failure, Response

__all__ = ["XAPI"]

WINDOW_SECONDS = 15 * 60
MENTIONS_REACH = 800  # the mentions timeline only reaches back this many posts
SEARCH_REACH_SECONDS = 7 * 24 * 3600
DEFAULT_TWEET_FIELDS = ("id", "text", "edit_history_tweet_ids")
DEFAULT_USER_FIELDS = ("id", "name", "username")
DEFAULT_LIMITS = {
    "GET /2/users/me": 75,
    "GET /2/users/:id/mentions": 450,
    "GET /2/tweets/search/recent": 450,
    "POST /2/tweets": 100,
    "POST /2/dm_conversations/with/:participant_id/messages": 200,
    "GET /2/usage/tweets": 50,
}
ROUTES = (
    ("GET", re.compile(r"^/2/users/me$"), "/2/users/me"),
    ("GET", re.compile(r"^/2/users/(?P<id>[^/]+)/mentions$"), "/2/users/:id/mentions"),
    ("GET", re.compile(r"^/2/tweets/search/recent$"), "/2/tweets/search/recent"),
    ("POST", re.compile(r"^/2/tweets$"), "/2/tweets"),
    ("POST", re.compile(r"^/2/dm_conversations/with/(?P<id>[^/]+)/messages$"),
     "/2/dm_conversations/with/:participant_id/messages"),
    ("GET", re.compile(r"^/2/usage/tweets$"), "/2/usage/tweets"),
)
URL_PATTERN = re.compile(r"https?://\S+")
NOT_MENTIONED = (
    "Reply to this conversation is not allowed because you have not been mentioned or "
    "otherwise engaged by the author of the post you are replying to."
)


def _problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    return Response(status, {"title": title, "detail": detail, "type": "about:blank",
                             "status": status, **extra})


def _invalid(parameter: str, value: str, message: str) -> Response:
    return Response(400, {
        "errors": [{"parameters": {parameter: [value]}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    })


def _iso(when: datetime | str | None, default: float) -> str:
    if when is None:
        when = datetime.fromtimestamp(default, UTC)
    if isinstance(when, str):
        when = datetime.fromisoformat(when.replace("Z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def weighted_length(text: str) -> int:
    """X's weighted length (twitter-text v3, approximated): URLs 23, wide characters 2."""
    length = 0
    for part_index, part in enumerate(URL_PATTERN.split(text)):
        if part_index:
            length += 23
        for char in unicodedata.normalize("NFC", part):
            code = ord(char)
            narrow = (code <= 4351 or 8192 <= code <= 8205 or 8208 <= code <= 8223
                      or 8242 <= code <= 8247)
            length += 1 if narrow else 2
    return length


@dataclass
class _Window:
    limit: int
    remaining: int
    reset: int


class XAPI(Emulator):
    """X API v2 emulator: seeded mentions and search posts, recorded replies and DMs."""

    name = "x"

    def __init__(
        self,
        *,
        me_id: str = "1000",
        me_username: str = "brand",
        me_name: str = "Brand Service",
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock)
        self.me = {"id": me_id, "name": me_name, "username": me_username}
        self._state_lock = threading.RLock()
        self._users: dict[str, dict[str, Any]] = {me_id: dict(self.me)}
        self._tweets: dict[str, dict[str, Any]] = {}
        self._mention_ids: set[str] = set()
        self._posted: list[dict[str, Any]] = []
        self._dms: list[dict[str, Any]] = []
        self._dm_blocked: set[str] = set()
        self._windows: dict[str, _Window] = {}
        self._limits: dict[str, int] = dict(DEFAULT_LIMITS)
        self._page_tokens: dict[str, int] = {}
        self._token_counter = itertools.count(1)
        self._dm_counter = itertools.count(1)
        self._rejecting: int | None = None  # every authenticated call answers this status
        self._usage = {"project_usage": 0, "project_cap": 10000}

    @property
    def base_url(self) -> str:
        """The value for ``X_API_URL`` (scheme, host and port; paths start with ``/2/``)."""
        return self.url

    # -- seeding ---------------------------------------------------------------------------
    def add_user(self, user_id: str, username: str, name: str, **fields: Any) -> None:
        """Register (or update) a user; extra ``fields`` answer ``user.fields`` requests."""
        with self._state_lock:
            self._users[user_id] = {"id": user_id, "name": name, "username": username, **fields}

    def add_mention(
        self,
        id: str,
        text: str,
        author_id: str,
        username: str,
        name: str,
        *,
        conversation_id: str | None = None,
        in_reply_to: str | None = None,
        created_at: datetime | str | None = None,
        lang: str = "de",
    ) -> dict[str, Any]:
        """Seed a post that mentions the brand (in the mentions timeline and in search)."""
        tweet = self.add_tweet(id, text, author_id, username, name,
                               conversation_id=conversation_id, in_reply_to=in_reply_to,
                               created_at=created_at, lang=lang)
        with self._state_lock:
            self._mention_ids.add(str(id))
        return tweet

    def add_tweet(
        self,
        id: str,
        text: str,
        author_id: str,
        username: str,
        name: str,
        *,
        conversation_id: str | None = None,
        in_reply_to: str | None = None,
        created_at: datetime | str | None = None,
        lang: str = "de",
    ) -> dict[str, Any]:
        """Seed a post that does not mention the brand (found only by search)."""
        self.add_user(author_id, username, name)
        with self._state_lock:
            return self._store_tweet(str(id), text, str(author_id), conversation_id,
                                     in_reply_to, _iso(created_at, self.now()), lang)

    def block_dms(self, user_id: str) -> None:
        """Make direct messages to ``user_id`` answer 403 (they do not accept DMs)."""
        with self._state_lock:
            self._dm_blocked.add(str(user_id))

    def reject_tokens(self, status: int | None = 401) -> None:
        """Answer every call with ``status`` (401 ``Unauthorized``, 403 ``Forbidden``) as X
        does for a revoked or wrong token; None accepts tokens again."""
        self._rejecting = status

    def set_usage(self, used: int, cap: int) -> None:
        """What ``GET /2/usage/tweets`` answers: posts read this cycle and the plan's cap."""
        with self._state_lock:
            self._usage = {"project_usage": used, "project_cap": cap}

    def set_rate_limit(self, route: str, limit: int, remaining: int | None = None) -> None:
        """Set the window of ``route`` (e.g. ``"GET /2/users/:id/mentions"``) from now on."""
        with self._state_lock:
            self._limits[route] = limit
            self._windows[route] = _Window(limit, limit if remaining is None else remaining,
                                           int(self.now()) + WINDOW_SECONDS)

    # -- inspection ------------------------------------------------------------------------
    @property
    def posted(self) -> list[dict[str, Any]]:
        """Posts created through ``POST /2/tweets`` (stored tweet objects), oldest first."""
        with self._state_lock:
            return copy.deepcopy(self._posted)

    def replies_to(self, tweet_id: str) -> list[dict[str, Any]]:
        """Posts created in reply to ``tweet_id``."""
        return [t for t in self.posted if t.get("in_reply_to_tweet_id") == str(tweet_id)]

    @property
    def dms(self) -> list[dict[str, Any]]:
        """Direct messages sent: ``{"participant_id", "text", "dm_event_id", ...}``."""
        with self._state_lock:
            return copy.deepcopy(self._dms)

    def tweet(self, tweet_id: str) -> dict[str, Any]:
        """A stored post with every field; KeyError if unknown."""
        with self._state_lock:
            return copy.deepcopy(self._tweets[str(tweet_id)])

    # -- emulator hooks --------------------------------------------------------------------
    def _match(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        for route_method, pattern, name in ROUTES:
            found = pattern.match(path)
            if found and method == route_method:
                return name, found.groupdict()
        return None

    def route(self, method: str, path: str) -> str:
        matched = self._match(method, path)
        return matched[0] if matched else path

    def authenticate(self, call: Call) -> tuple[str | None, str | None]:
        value = call.headers.get("authorization", "")
        if value.startswith("OAuth "):
            found = re.search(r'oauth_token="([^"]*)"', value)
            return "oauth1", found.group(1) if found else None
        return super().authenticate(call)

    def failure_response(self, failure: Failure, call: Call) -> Response:
        if failure.status == 429:
            response = _problem(429, "Too Many Requests", "Too Many Requests")
            limit = self._limits.get(f"{call.method} {call.route}", 15)
            response.headers.update({
                "x-rate-limit-limit": str(limit),
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(int(self.now()) + failure.retry_after),
            })
            return response
        titles = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
        title = titles.get(failure.status, "Error")
        return _problem(failure.status, title, title)

    def dispatch(self, call: Call) -> Response:
        matched = self._match(call.method, call.path)
        if matched is None:
            return Response(404, {"errors": [{"message": "Sorry, that page does not exist",
                                              "code": 34}]})
        name, path_params = matched
        if call.auth is None or not call.token:
            return _problem(401, "Unauthorized", "Unauthorized")
        if self._rejecting == 401:
            return _problem(401, "Unauthorized", "Unauthorized")
        if self._rejecting is not None:
            return _problem(self._rejecting, "Forbidden", "Your client app is not configured "
                            "with the appropriate oauth1 app permissions for this endpoint.",
                            reason="client-not-enrolled")
        key = f"{call.method} {name}"
        with self._state_lock:
            window = self._window(key)
            if window.remaining <= 0:
                response = _problem(429, "Too Many Requests", "Too Many Requests")
            else:
                window.remaining -= 1
                response = self._answer(name, path_params, call)
            response.headers.update({
                "x-rate-limit-limit": str(window.limit),
                "x-rate-limit-remaining": str(window.remaining),
                "x-rate-limit-reset": str(window.reset),
            })
        return response

    def _window(self, key: str) -> _Window:
        now = int(self.now())
        window = self._windows.get(key)
        if window is None or now >= window.reset:
            limit = self._limits.get(key, 300)
            window = _Window(limit, limit, now + WINDOW_SECONDS)
            self._windows[key] = window
        return window

    def _answer(self, name: str, path_params: dict[str, str], call: Call) -> Response:
        if name == "/2/users/me":
            return Response(200, {"data": self._render_user(self.me["id"], call.query)})
        if name == "/2/users/:id/mentions":
            return self._mentions(path_params["id"], call.query)
        if name == "/2/tweets/search/recent":
            return self._search(call.query)
        if name == "/2/usage/tweets":
            return Response(200, {"data": {"cap_reset_day": 1, "project_id": "1",
                                           "project_cap": str(self._usage["project_cap"]),
                                           "project_usage": str(self._usage["project_usage"])}})
        if name == "/2/tweets":
            return self._create_tweet(call.body if isinstance(call.body, dict) else {})
        return self._create_dm(path_params["id"], call.body if isinstance(call.body, dict) else {})

    # -- storage and rendering -------------------------------------------------------------
    def _store_tweet(self, tweet_id: str, text: str, author_id: str,
                     conversation_id: str | None, in_reply_to: str | None,
                     created_at: str, lang: str) -> dict[str, Any]:
        tweet: dict[str, Any] = {
            "id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id],
            "author_id": author_id, "created_at": created_at, "lang": lang,
        }
        if in_reply_to is not None:
            parent = self._tweets.get(str(in_reply_to))
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": str(in_reply_to)}]
            tweet["in_reply_to_user_id"] = parent["author_id"] if parent else self.me["id"]
            tweet["in_reply_to_tweet_id"] = str(in_reply_to)
            if conversation_id is None:
                conversation_id = parent["conversation_id"] if parent else str(in_reply_to)
        tweet["conversation_id"] = conversation_id or tweet_id
        self._tweets[tweet_id] = tweet
        return copy.deepcopy(tweet)

    def _render_user(self, user_id: str, query: dict[str, str]) -> dict[str, Any]:
        user = self._users.get(user_id, {"id": user_id, "name": "", "username": ""})
        asked = filter(None, query.get("user.fields", "").split(","))
        wanted = set(DEFAULT_USER_FIELDS) | set(asked)
        return {k: v for k, v in user.items() if k in wanted}

    def _render_page(self, tweets: list[dict[str, Any]], query: dict[str, str],
                     next_token: str | None) -> Response:
        if not tweets:
            return Response(200, {"meta": {"result_count": 0}})
        expansions = set(filter(None, query.get("expansions", "").split(",")))
        wanted = set(DEFAULT_TWEET_FIELDS) | set(
            filter(None, query.get("tweet.fields", "").split(",")))
        if "author_id" in expansions:
            wanted.add("author_id")
        if "in_reply_to_user_id" in expansions:
            wanted.add("in_reply_to_user_id")
        if "referenced_tweets.id" in expansions:
            wanted.add("referenced_tweets")
        data = [{k: copy.deepcopy(v) for k, v in t.items() if k in wanted} for t in tweets]
        body: dict[str, Any] = {"data": data}
        user_ids: list[str] = []
        for tweet in tweets:
            for field_name in ("author_id", "in_reply_to_user_id"):
                user_id = tweet.get(field_name)
                if field_name in expansions and user_id and user_id not in user_ids:
                    user_ids.append(user_id)
        includes: dict[str, Any] = {}
        if user_ids:
            includes["users"] = [self._render_user(uid, query) for uid in user_ids]
        if "referenced_tweets.id" in expansions:
            referenced = [
                {k: v for k, v in self._tweets[ref["id"]].items() if k in wanted}
                for t in tweets for ref in t.get("referenced_tweets", [])
                if ref["id"] in self._tweets
            ]
            if referenced:
                includes["tweets"] = referenced
        if includes:
            body["includes"] = includes
        meta: dict[str, Any] = {"newest_id": tweets[0]["id"], "oldest_id": tweets[-1]["id"],
                                "result_count": len(tweets)}
        if next_token:
            meta["next_token"] = next_token
        body["meta"] = meta
        return Response(200, body)

    def _page(self, candidates: list[dict[str, Any]], query: dict[str, str], token_param: str,
              low: int, high: int, default: int) -> Response:
        raw_max = query.get("max_results", str(default))
        if not raw_max.isdigit() or not low <= int(raw_max) <= high:
            return _invalid("max_results", raw_max, f"The `max_results` query parameter value "
                            f"[{raw_max}] is not between {low} and {high}")
        since = int(query.get("since_id") or 0)
        until = int(query["until_id"]) if query.get("until_id") else None
        selected = [t for t in candidates if int(t["id"]) > since
                    and (until is None or int(t["id"]) < until)]
        offset = 0
        token = query.get(token_param) or query.get("pagination_token")
        if token:
            if token not in self._page_tokens:
                return _invalid(token_param, token, f"The `{token_param}` query parameter "
                                f"value [{token}] is not valid")
            offset = self._page_tokens[token]
        size = int(raw_max)
        page = selected[offset:offset + size]
        next_token = None
        if offset + size < len(selected):
            next_token = f"7140dibdnow9c7btw4{next(self._token_counter):06x}"
            self._page_tokens[next_token] = offset + size
        return self._render_page(page, query, next_token)

    def _newest_first(self, ids: set[str] | None = None) -> list[dict[str, Any]]:
        tweets = [t for t in self._tweets.values() if ids is None or t["id"] in ids]
        return sorted(tweets, key=lambda t: int(t["id"]), reverse=True)

    def _mentions(self, user_id: str, query: dict[str, str]) -> Response:
        if user_id != self.me["id"]:
            candidates: list[dict[str, Any]] = []
        else:
            candidates = self._newest_first(self._mention_ids)[:MENTIONS_REACH]
        return self._page(candidates, query, "pagination_token", 5, 100, 10)

    def _search(self, query: dict[str, str]) -> Response:
        text_query = query.get("query", "")
        if not text_query:
            return _invalid("query", "", "The `query` query parameter can not be empty")
        oldest = datetime.fromtimestamp(self.now() - SEARCH_REACH_SECONDS, UTC)
        candidates = [
            t for t in self._newest_first()
            if datetime.fromisoformat(t["created_at"].replace("Z", "+00:00")) >= oldest
            and self._matches(t, text_query)
        ]
        return self._page(candidates, query, "next_token", 10, 100, 10)

    def _matches(self, tweet: dict[str, Any], text_query: str) -> bool:
        """A small subset of X's query language: terms, "phrases", -term, lang:, from:, is:."""
        text = tweet["text"].lower()
        author = self._users.get(tweet["author_id"], {}).get("username", "").lower()
        for negated, term in re.findall(r'(-?)("[^"]+"|\S+)', text_query):
            term = term.strip('"').lower()
            if term.startswith("lang:"):
                hit = tweet.get("lang") == term[5:]
            elif term.startswith("from:"):
                hit = author == term[5:].lstrip("@")
            elif term.startswith("is:"):
                hit = term == "is:reply" and "in_reply_to_tweet_id" in tweet
            else:
                hit = term in text
            if hit == bool(negated):
                return False
        return True

    def _create_tweet(self, body: dict[str, Any]) -> Response:
        text = str(body.get("text", ""))
        if not text and "media" not in body:
            return _invalid("text", "", "Your Tweet text is empty")
        if weighted_length(text) > 280:
            return _problem(403, "Forbidden", "Your Tweet text is too long.")
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if reply_to is not None:
            parent = self._tweets.get(str(reply_to))
            if parent is None:
                return _problem(403, "Forbidden", "You attempted to reply to a Tweet that is "
                                "deleted or not visible to you.")
            if parent["id"] not in self._mention_ids and parent["author_id"] != self.me["id"]:
                return _problem(403, "Forbidden", NOT_MENTIONED)
        if any(t["text"] == text for t in self._posted):
            return _problem(403, "Forbidden",
                            "You are not allowed to create a Tweet with duplicate content.")
        new_id = str(max([int(i) for i in self._tweets] + [1990000000000000000]) + 1)
        tweet = self._store_tweet(new_id, text, self.me["id"], None,
                                  str(reply_to) if reply_to is not None else None,
                                  _iso(None, self.now()), "de")
        self._posted.append(tweet)
        return Response(201, {"data": {"id": new_id, "text": text,
                                       "edit_history_tweet_ids": [new_id]}})

    def _create_dm(self, participant_id: str, body: dict[str, Any]) -> Response:
        if participant_id in self._dm_blocked:
            return _problem(403, "Forbidden", "You cannot send messages to this user.")
        if not body.get("text") and not body.get("attachments"):
            return _invalid("text", "", "Either text or attachments is required")
        event_id = f"18{next(self._dm_counter):017d}"
        conversation_id = "-".join(sorted([self.me["id"], participant_id], key=int)) \
            if participant_id.isdigit() else f"{self.me['id']}-{participant_id}"
        self._dms.append({"participant_id": participant_id, "text": body.get("text", ""),
                          "dm_event_id": event_id, "dm_conversation_id": conversation_id})
        return Response(201, {"data": {"dm_conversation_id": conversation_id,
                                       "dm_event_id": event_id}})
