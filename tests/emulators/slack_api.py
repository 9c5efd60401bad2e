"""A loopback emulator of the Slack Web API (the methods Alert-Team calls).

Point ``slack_sdk.WebClient(base_url=slack.base_url)`` at it. Answers follow Slack's shapes:
HTTP 200 with ``{"ok": false, "error": ...}`` for API errors, HTTP 429 with ``Retry-After``
for rate limits. ``response_url`` posts are accepted on ``/response_url/<id>``.

Strict channel rate (``SlackAPI(strict_rate=1.0)`` or ``enforce_channel_rate(1.0)``): a
``chat.postMessage`` into a channel (top level or in a thread) less than ``1 / rate`` seconds
after the previous accepted one in that channel is answered 429 with ``Retry-After`` (whole
seconds, as Slack sends it) and stores nothing. Slack documents "1 message per second per
channel, short bursts allowed"; this limiter allows no burst at all, so it is at least as strict
as Slack. Accepted posts are recorded with their time (``accepted_posts``), refusals counted
(``rate_limited``).

External file uploads (what ``WebClient.files_upload_v2`` does): ``files.getUploadURLExternal``
hands out an upload URL on this emulator (``/upload/v1/<file id>``, no token needed, as
Slack's is pre-signed); a POST of the raw bytes to it answers ``OK - <length>``;
``files.completeUploadExternal`` (``files`` JSON, ``channel_id``, ``thread_ts``) shares the
files, as a message carrying ``files`` in the thread. ``uploaded_files()`` gives each file with
its bytes. Completing a file whose bytes never came answers ``file_not_found``, bytes of
another length than announced ``file_upload_size_mismatch`` (this emulator's names: checks at
least as strict as Slack's).
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import Call, Emulator, Failure, Response

__all__ = ["AcceptedPost", "SlackAPI", "UploadedFile"]

RESPONSE_URL_PREFIX = "/response_url/"
UPLOAD_URL_PREFIX = "/upload/v1/"
RESPONSE_URL_MAX_USES = 5  # Slack: a response_url works up to 5 times within 30 minutes


@dataclass(frozen=True)
class AcceptedPost:
    """One ``chat.postMessage`` the emulator stored: when (epoch s, real time), where, what."""

    at: float
    channel: str
    ts: str
    thread_ts: str | None
    metadata: dict[str, Any] | None


@dataclass
class UploadedFile:
    """One file of the external upload flow: announced, then its bytes, then shared."""

    id: str
    filename: str
    length: int  # as announced to files.getUploadURLExternal
    alt_txt: str = ""
    data: bytes | None = None  # None until the bytes were posted to the upload URL
    title: str = ""
    channel: str | None = None  # set by files.completeUploadExternal
    thread_ts: str | None = None
    initial_comment: str = ""

    @property
    def mimetype(self) -> str:
        return "image/png" if (self.data or b"").startswith(b"\x89PNG\r\n\x1a\n") else \
            "application/octet-stream"


def _ok(**fields: Any) -> Response:
    return Response(200, {"ok": True, **fields})


def _error(error: str, **fields: Any) -> Response:
    return Response(200, {"ok": False, "error": error, **fields})


class SlackAPI(Emulator):
    """Slack Web API emulator with channels, threads, ephemerals, views and users in memory.

    Tokens must start with one of ``token_prefixes`` (``not_authed`` if missing,
    ``invalid_auth`` otherwise). Message ``ts`` values are unique and increasing.
    """

    name = "slack"

    def __init__(
        self,
        *,
        team_id: str = "T0TEAM",
        team: str = "alert-team",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        app_id: str = "A0APP",
        token_prefixes: tuple[str, ...] = ("xoxb-", "xoxp-"),
        ts_base: int = 1764000000,
        clock: Callable[[], float] = time.time,
        strict_rate: float | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self.team_id, self.team = team_id, team
        self.bot_user_id, self.bot_id, self.app_id = bot_user_id, bot_id, app_id
        self.token_prefixes = token_prefixes
        self._ts_base = ts_base
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)
        self._state_lock = threading.RLock()
        self._channels: dict[str, dict[str, dict[str, Any]]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, dict[str, Any]] = {}
        self._expired_triggers: set[str] = set()
        self._users: dict[str, dict[str, Any]] = {}
        self._usergroups: dict[str, list[str]] = {}
        self._responses: dict[str, list[dict[str, Any]]] = {}
        self._min_gap: float | None = None  # seconds between posts into one channel
        self._last_post: dict[str, float] = {}  # channel -> monotonic time of the last accepted
        self._accepted: list[AcceptedPost] = []
        self._rate_limited = 0
        self._token_refused: str | None = None  # every Web API call answers this error
        self._files: dict[str, UploadedFile] = {}
        self.enforce_channel_rate(strict_rate)

    # -- URLs ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The value for ``SLACK_API_URL`` / ``WebClient(base_url=...)``, ending in ``/api/``."""
        return f"{self.url}/api/"

    def response_url(self, response_id: str = "1") -> str:
        """A ``response_url`` on this emulator; posts to it are recorded under that id."""
        return f"{self.url}{RESPONSE_URL_PREFIX}{response_id}"

    # -- seeding ---------------------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        email: str | None = None,
        tz: str = "Europe/Berlin",
        is_bot: bool = False,
    ) -> dict[str, Any]:
        """Register a user for ``users.info`` / ``users.lookupByEmail``."""
        real = real_name or name
        user = {
            "id": user_id, "team_id": self.team_id, "name": name, "deleted": False,
            "real_name": real, "tz": tz, "is_bot": is_bot, "is_admin": False,
            "profile": {"real_name": real, "display_name": name, "email": email or ""},
        }
        with self._state_lock:
            self._users[user_id] = user
        return user

    def add_usergroup(self, usergroup_id: str, user_ids: list[str]) -> None:
        """Register a user group (``S...``) for ``usergroups.users.list``."""
        with self._state_lock:
            self._usergroups[usergroup_id] = list(user_ids)

    def enforce_channel_rate(self, per_second: float | None = 1.0) -> None:
        """Answer 429 to a post into a channel within ``1 / per_second`` s of the previous one.

        Top-level posts and thread replies count alike; the gap is measured on the real
        (monotonic) clock when the request is handled, whatever ``set_now`` froze. None turns
        the limit off.
        """
        with self._state_lock:
            self._min_gap = None if not per_second else 1.0 / per_second

    def refuse_token(self, error: str | None = "token_revoked") -> None:
        """Answer every Web API call with ``error`` (``invalid_auth``, ``token_revoked``, …),
        as Slack does once the app is uninstalled or its token revoked; None accepts again."""
        self._token_refused = error

    def expire_trigger(self, trigger_id: str) -> None:
        """Make ``views.open``/``views.push`` with this trigger answer ``expired_trigger_id``."""
        with self._state_lock:
            self._expired_triggers.add(trigger_id)

    # -- inspection ------------------------------------------------------------------------
    def messages(self, channel: str, *, include_replies: bool = False) -> list[dict[str, Any]]:
        """Messages in ``channel`` in posting order; top-level ones only unless asked."""
        with self._state_lock:
            stored = list(self._channels.get(channel, {}).values())
        return [
            copy.deepcopy(m) for m in stored
            if include_replies or m.get("thread_ts") in (None, m["ts"])
        ]

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """One stored message; KeyError if it does not exist."""
        with self._state_lock:
            return copy.deepcopy(self._channels[channel][ts])

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies in the thread under ``ts`` (without the parent), oldest first."""
        return [
            m for m in self.messages(channel, include_replies=True)
            if m.get("thread_ts") == ts and m["ts"] != ts
        ]

    def ephemerals(self, channel: str | None = None, user: str | None = None
                   ) -> list[dict[str, Any]]:
        """Ephemeral messages sent, optionally filtered by channel and/or user."""
        with self._state_lock:
            return [
                copy.deepcopy(e) for e in self._ephemerals
                if (channel is None or e["channel"] == channel)
                and (user is None or e["user"] == user)
            ]

    def views(self) -> list[dict[str, Any]]:
        """Every modal opened/pushed (latest version of each), in opening order."""
        with self._state_lock:
            return [copy.deepcopy(v) for v in self._views.values()]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for ``user_id``."""
        with self._state_lock:
            view = self._home_views.get(user_id)
            return copy.deepcopy(view) if view else None

    def accepted_posts(self, channel: str | None = None) -> list[AcceptedPost]:
        """Every stored ``chat.postMessage`` (optionally in one channel), oldest first."""
        with self._state_lock:
            return [copy.deepcopy(p) for p in self._accepted
                    if channel is None or p.channel == channel]

    def accepted_count(self) -> int:
        """How many ``chat.postMessage`` the emulator stored (cheap: no copies)."""
        with self._state_lock:
            return len(self._accepted)

    def accepted_since(self, start: int) -> list[AcceptedPost]:
        """The stored posts from position `start` on (a poller reads each post once)."""
        with self._state_lock:
            return [copy.deepcopy(p) for p in self._accepted[start:]]

    @property
    def rate_limited(self) -> int:
        """How many posts the strict channel rate answered with 429."""
        with self._state_lock:
            return self._rate_limited

    def uploaded_files(self, channel: str | None = None) -> list[UploadedFile]:
        """Files announced with files.getUploadURLExternal (optionally only those shared into
        ``channel``), oldest first, with the bytes posted to their upload URL."""
        with self._state_lock:
            return [copy.deepcopy(f) for f in self._files.values()
                    if channel is None or f.channel == channel]

    def responses(self, response_id: str = "1") -> list[dict[str, Any]]:
        """Bodies posted to ``response_url(response_id)``, oldest first."""
        with self._state_lock:
            return copy.deepcopy(self._responses.get(response_id, []))

    # -- emulator hooks --------------------------------------------------------------------
    def route(self, method: str, path: str) -> str:
        if path.startswith("/api/"):
            return path[len("/api/"):]
        if path.startswith(RESPONSE_URL_PREFIX):
            return "response_url"
        if path.startswith(UPLOAD_URL_PREFIX):
            return "upload_url"
        return path

    def parse_body(self, raw: bytes, content_type: str) -> Any:
        """As the base class; a body that is not text (a file's bytes) is left in ``raw``."""
        try:
            return super().parse_body(raw, content_type)
        except UnicodeDecodeError:
            return None

    def authenticate(self, call: Call) -> tuple[str | None, str | None]:
        scheme, token = super().authenticate(call)
        if token is None and isinstance(call.body, dict) and call.body.get("token"):
            return "form", str(call.body["token"])
        if token is None and call.query.get("token"):
            return "query", call.query["token"]
        return scheme, token

    def failure_response(self, failure: Failure, call: Call) -> Response:
        if failure.status == 429:
            return Response(429, {"ok": False, "error": "ratelimited"},
                            {"Retry-After": str(failure.retry_after)})
        return Response(failure.status, {"ok": False, "error": "internal_error"})

    def dispatch(self, call: Call) -> Response:
        if call.route == "response_url":
            return self._response_url(call)
        if call.route == "upload_url":
            return self._upload_bytes(call)
        if not call.path.startswith("/api/"):
            return Response(404, "not found")
        if call.token is None:
            return _error("not_authed")
        if not call.token.startswith(self.token_prefixes):
            return _error("invalid_auth")
        if self._token_refused:
            return _error(self._token_refused)
        handler = self._methods().get(call.route)
        if handler is None:
            return _error("unknown_method", req_method=call.route)
        with self._state_lock:
            return handler(call.params)

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], Response]]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.getPermalink": self._permalink,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "conversations.open": self._open_conversation,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "users.lookupByEmail": self._lookup_by_email,
            "usergroups.users.list": self._usergroup_users,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    # -- helpers ---------------------------------------------------------------------------
    def _next_ts(self) -> str:
        micros = next(self._ts_counter) * 100
        return f"{self._ts_base + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_counter):08d}"

    def _conversation(self, channel: str) -> str:
        """Posting to a user id (U…/W…) goes to that user's DM channel (D…)."""
        if channel[:1] in ("U", "W"):
            return "D" + channel[1:]
        return channel

    @staticmethod
    def _has_content(params: dict[str, Any]) -> bool:
        return any(params.get(k) for k in ("text", "blocks", "attachments"))

    # -- methods ---------------------------------------------------------------------------
    def _auth_test(self, params: dict[str, Any]) -> Response:
        return _ok(url=f"https://{self.team}.slack.com/", team=self.team, user="alert-team",
                   team_id=self.team_id, user_id=self.bot_user_id, bot_id=self.bot_id,
                   is_enterprise_install=False)

    def _post_message(self, params: dict[str, Any]) -> Response:
        channel = params.get("channel")
        if not channel:
            return _error("channel_not_found")
        if not self._has_content(params):
            return _error("no_text")
        channel = self._conversation(str(channel))
        stored = self._channels.setdefault(channel, {})
        thread_ts = params.get("thread_ts") or None
        if thread_ts is not None and thread_ts not in stored:
            return _error("thread_not_found")  # stricter than Slack, to catch wrong thread ids
        limited = self._over_rate(channel)
        if limited is not None:
            return limited
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message", "user": self.bot_user_id, "bot_id": self.bot_id,
            "app_id": self.app_id, "team": self.team_id, "ts": ts,
            "text": params.get("text", ""),
        }
        for name in ("blocks", "attachments", "metadata"):
            if params.get(name):
                message[name] = params[name]
        if thread_ts is not None:
            self._reply_to(stored, thread_ts, message)
        stored[ts] = message
        self._accepted.append(AcceptedPost(time.time(), channel, ts, thread_ts,
                                           copy.deepcopy(message.get("metadata"))))
        return _ok(channel=channel, ts=ts, message=copy.deepcopy(message))

    def _reply_to(self, stored: dict[str, dict[str, Any]], thread_ts: str,
                  message: dict[str, Any]) -> None:
        """Make `message` a reply in the thread under `thread_ts` (the parent counts it)."""
        message["thread_ts"] = thread_ts
        parent = stored[thread_ts]
        parent["thread_ts"] = thread_ts
        parent["reply_count"] = parent.get("reply_count", 0) + 1
        parent["latest_reply"] = message["ts"]
        parent.setdefault("reply_users", [])
        if self.bot_user_id not in parent["reply_users"]:
            parent["reply_users"].append(self.bot_user_id)

    def _over_rate(self, channel: str) -> Response | None:
        """The 429 for a post that comes too soon after the channel's previous one, else None."""
        now = time.monotonic()
        if self._min_gap is not None:
            last = self._last_post.get(channel)
            if last is not None and now - last < self._min_gap:
                self._rate_limited += 1
                wait = max(1, math.ceil(self._min_gap - (now - last)))
                return Response(429, {"ok": False, "error": "ratelimited"},
                                {"Retry-After": str(wait)})
        self._last_post[channel] = now
        return None

    def _find(self, params: dict[str, Any], ts_field: str = "ts") -> dict[str, Any] | None:
        channel = self._conversation(str(params.get("channel", "")))
        return self._channels.get(channel, {}).get(str(params.get(ts_field, "")))

    def _update(self, params: dict[str, Any]) -> Response:
        message = self._find(params)
        if message is None:
            return _error("message_not_found")
        if not self._has_content(params) and "metadata" not in params:
            return _error("no_text")
        for name in ("text", "blocks", "attachments", "metadata"):
            if name in params:
                message[name] = params[name]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return _ok(channel=self._conversation(str(params["channel"])), ts=message["ts"],
                   text=message.get("text", ""), message=copy.deepcopy(message))

    def _delete(self, params: dict[str, Any]) -> Response:
        message = self._find(params)
        if message is None:
            return _error("message_not_found")
        channel = self._conversation(str(params["channel"]))
        del self._channels[channel][message["ts"]]
        return _ok(channel=channel, ts=message["ts"])

    def _post_ephemeral(self, params: dict[str, Any]) -> Response:
        if not params.get("channel"):
            return _error("channel_not_found")
        if not params.get("user"):
            return _error("user_not_in_channel")
        if not self._has_content(params):
            return _error("no_text")
        message_ts = self._next_ts()
        self._ephemerals.append({
            "channel": params["channel"], "user": params["user"],
            "text": params.get("text", ""), "blocks": params.get("blocks"),
            "thread_ts": params.get("thread_ts"), "message_ts": message_ts,
        })
        return _ok(message_ts=message_ts)

    def _permalink(self, params: dict[str, Any]) -> Response:
        message = self._find(params, "message_ts")
        if message is None:
            return _error("message_not_found")
        channel = self._conversation(str(params["channel"]))
        link = (f"https://{self.team}.slack.com/archives/{channel}/"
                f"p{message['ts'].replace('.', '')}")
        if message.get("thread_ts") not in (None, message["ts"]):
            link += f"?thread_ts={message['thread_ts']}&cid={channel}"
        return _ok(channel=channel, permalink=link)

    def _visible(self, message: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        shown = copy.deepcopy(message)
        if str(params.get("include_all_metadata", "")).lower() not in ("1", "true"):
            shown.pop("metadata", None)
        return shown

    def _history(self, params: dict[str, Any]) -> Response:
        channel = self._conversation(str(params.get("channel", "")))
        if channel not in self._channels:
            return _error("channel_not_found")
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        limit = int(params.get("limit") or 100)
        top = [
            m for m in self._channels[channel].values()
            if m.get("thread_ts") in (None, m["ts"]) and oldest <= float(m["ts"]) <= latest
        ]
        top.reverse()  # newest first, as Slack answers
        start = _cursor_offset(params.get("cursor"))
        if start is None:
            return _error("invalid_cursor")
        page = top[start:start + limit]
        more = len(top) > start + limit
        return _ok(messages=[self._visible(m, params) for m in page], has_more=more,
                   pin_count=0,
                   response_metadata={"next_cursor": _cursor(start + limit) if more else ""})

    def _replies(self, params: dict[str, Any]) -> Response:
        channel = self._conversation(str(params.get("channel", "")))
        if channel not in self._channels:
            return _error("channel_not_found")
        parent = self._channels[channel].get(str(params.get("ts", "")))
        if parent is None:
            return _error("thread_not_found")
        ts = parent["ts"]
        thread = [parent] + [
            m for m in self._channels[channel].values()
            if m.get("thread_ts") == ts and m["ts"] != ts
        ]
        return _ok(messages=[self._visible(m, params) for m in thread], has_more=False,
                   response_metadata={"next_cursor": ""})

    def _open_conversation(self, params: dict[str, Any]) -> Response:
        users = str(params.get("users", "")).split(",")
        if not users or not users[0]:
            return _error("users_list_not_supplied")
        channel = self._conversation(users[0])
        self._channels.setdefault(channel, {})
        return _ok(channel={"id": channel})

    def _new_view(self, view: Any, **extra: Any) -> dict[str, Any] | None:
        if not isinstance(view, dict) or "type" not in view:
            return None
        view_id = self._next_id("V")
        stored = {
            "id": view_id, "team_id": self.team_id, "app_id": self.app_id,
            "bot_id": self.bot_id, "state": {"values": {}}, "hash": self._next_id("h"),
            "private_metadata": "", "callback_id": "", "external_id": "",
            "root_view_id": view_id, "previous_view_id": None, **view, **extra,
        }
        return stored

    def _trigger_error(self, params: dict[str, Any]) -> Response | None:
        trigger = params.get("trigger_id")
        if not trigger:
            missing = "[ERROR] missing required field: trigger_id"
            return _error("invalid_arguments", response_metadata={"messages": [missing]})
        if trigger in self._expired_triggers:
            return _error("expired_trigger_id")
        return None

    def _views_open(self, params: dict[str, Any]) -> Response:
        problem = self._trigger_error(params)
        if problem is not None:
            return problem
        view = self._new_view(params.get("view"), trigger_id=params["trigger_id"])
        if view is None:
            return _error("invalid_arguments")
        self._views[view["id"]] = view
        return _ok(view=copy.deepcopy(view))

    def _views_push(self, params: dict[str, Any]) -> Response:
        problem = self._trigger_error(params)
        if problem is not None:
            return problem
        view = self._new_view(params.get("view"), trigger_id=params["trigger_id"])
        if view is None:
            return _error("invalid_arguments")
        self._views[view["id"]] = view
        return _ok(view=copy.deepcopy(view))

    def _views_update(self, params: dict[str, Any]) -> Response:
        current = self._views.get(str(params.get("view_id", "")))
        if current is None and params.get("external_id"):
            current = next((v for v in self._views.values()
                            if v.get("external_id") == params["external_id"]), None)
        if current is None:
            return _error("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            return _error("hash_conflict")
        if not isinstance(params.get("view"), dict):
            return _error("invalid_arguments")
        current.update(params["view"])
        current["hash"] = self._next_id("h")
        return _ok(view=copy.deepcopy(current))

    def _views_publish(self, params: dict[str, Any]) -> Response:
        user_id = params.get("user_id")
        if not user_id:
            return _error("invalid_arguments")
        view = self._new_view(params.get("view"))
        if view is None:
            return _error("invalid_arguments")
        self._home_views[str(user_id)] = view
        return _ok(view=copy.deepcopy(view))

    def _users_info(self, params: dict[str, Any]) -> Response:
        user = self._users.get(str(params.get("user", "")))
        return _ok(user=copy.deepcopy(user)) if user else _error("user_not_found")

    def _lookup_by_email(self, params: dict[str, Any]) -> Response:
        email = str(params.get("email", "")).lower()
        for user in self._users.values():
            if user["profile"]["email"].lower() == email and email:
                return _ok(user=copy.deepcopy(user))
        return _error("users_not_found")

    def _usergroup_users(self, params: dict[str, Any]) -> Response:
        users = self._usergroups.get(str(params.get("usergroup", "")))
        return _ok(users=list(users)) if users is not None else _error("no_such_subteam")

    def _response_url(self, call: Call) -> Response:
        if call.method != "POST":
            return Response(405, "method not allowed")
        response_id = call.path[len(RESPONSE_URL_PREFIX):]
        with self._state_lock:
            posted = self._responses.setdefault(response_id, [])
            if len(posted) >= RESPONSE_URL_MAX_USES:
                return Response(404, {"ok": False, "error": "used_url"})
            posted.append(call.body if isinstance(call.body, dict) else {"raw": call.body})
        return Response(200, {"ok": True})

    # -- external file upload (files_upload_v2) --------------------------------------------
    def _get_upload_url(self, params: dict[str, Any]) -> Response:
        filename = str(params.get("filename") or "")
        try:
            length = int(params.get("length") or 0)
        except ValueError:
            length = 0
        if not filename or length <= 0:
            return _error("invalid_arguments")
        file_id = self._next_id("F")
        self._files[file_id] = UploadedFile(file_id, filename, length,
                                            str(params.get("alt_txt") or ""))
        return _ok(upload_url=f"{self.url}{UPLOAD_URL_PREFIX}{file_id}", file_id=file_id)

    def _upload_bytes(self, call: Call) -> Response:
        if call.method != "POST":
            return Response(405, "method not allowed")
        file_id = call.path[len(UPLOAD_URL_PREFIX):]
        with self._state_lock:
            upload = self._files.get(file_id)
            if upload is None:
                return Response(404, "not found")
            upload.data = call.raw
        return Response(200, f"OK - {len(call.raw)}")

    def _complete_upload(self, params: dict[str, Any]) -> Response:
        try:
            wanted = json.loads(str(params.get("files") or "[]"))
        except ValueError:
            return _error("invalid_arguments")
        if not isinstance(wanted, list) or not wanted:
            return _error("invalid_arguments")
        uploads = []
        for entry in wanted:
            upload = self._files.get(str(entry.get("id", ""))) if isinstance(entry, dict) else None
            if upload is None or upload.data is None:
                return _error("file_not_found")
            if len(upload.data) != upload.length:
                return _error("file_upload_size_mismatch")
            uploads.append((upload, str(entry.get("title") or upload.filename)))
        channel = params.get("channel_id") or None
        thread_ts = params.get("thread_ts") or None
        if thread_ts is not None and channel is None:
            return _error("invalid_arguments")
        if channel is not None:
            channel = self._conversation(str(channel))
            if thread_ts is not None and thread_ts not in self._channels.get(channel, {}):
                return _error("thread_not_found")  # stricter than Slack, as for posts
        shown = []
        for upload, title in uploads:
            upload.title, upload.channel, upload.thread_ts = title, channel, thread_ts
            upload.initial_comment = str(params.get("initial_comment") or "")
            shown.append({"id": upload.id, "name": upload.filename, "title": title,
                          "mimetype": upload.mimetype, "size": len(upload.data or b""),
                          "alt_txt": upload.alt_txt})
        if channel is not None:
            message = {"text": str(params.get("initial_comment") or ""), "files": shown}
            if thread_ts is not None:
                message["thread_ts"] = thread_ts
            self._share(channel, message)
        return _ok(files=copy.deepcopy(shown))

    def _share(self, channel: str, params: dict[str, Any]) -> None:
        """Store the message that shares files (it has files, maybe no text)."""
        stored = self._channels.setdefault(channel, {})
        ts = self._next_ts()
        message: dict[str, Any] = {"type": "message", "subtype": "file_share",
                                   "user": self.bot_user_id, "bot_id": self.bot_id, "ts": ts,
                                   "text": params["text"], "files": params["files"]}
        thread_ts = params.get("thread_ts")
        if thread_ts is not None:
            self._reply_to(stored, thread_ts, message)
        stored[ts] = message


def _cursor(offset: int) -> str:
    """An opaque pagination cursor (Slack's are base64 too)."""
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _cursor_offset(cursor: object) -> int | None:
    """The offset a cursor stands for: 0 without one, None for one we never gave out."""
    if not cursor:
        return 0
    try:
        kind, _, offset = base64.b64decode(str(cursor)).decode().partition(":")
        return int(offset) if kind == "offset" and int(offset) >= 0 else None
    except ValueError:
        return None
