"""A desk under test: the real runtime, served over real HTTP, against the emulators.

`DeskHarness` builds settings pointing at the loopback emulators and a real redis-server,
serves `create_web_app` with uvicorn on a free port in a thread, and sends requests signed
exactly as Slack signs them. No project code is replaced.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import yaml

from bot.config import DeskConfig, config_from_dict
from bot.entry.runtime import Runtime, build_runtime
from bot.entry.web import create_web_app
from bot.entry.worker import Worker
from bot.models import Item
from bot.settings import Settings
from bot.store import keys
from tests.support.slack_signing import interactivity_body, signed_headers, slash_body

ROOT = Path(__file__).resolve().parents[1]
INGEST_TOKEN = "ingest-secret-token"
AGENT_A, AGENT_B, LEAD, STRANGER = "U0AGENT1", "U0AGENT2", "U0LEAD1", "U0NOBODY"


def desk_config(**overrides: Any) -> DeskConfig:
    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw["business_hours"] = "always"
    raw["closed"] = []
    raw.update(overrides)
    return config_from_dict(raw)


def wait_for(cond: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
    """Poll `cond` until truthy (for work Bolt does after the ack)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def mention(mid: str = "1850000000000000001", text: str = "Seit drei Tagen kein Internet, "
            "das ist eine Katastrophe!", network: str = "twitter", author: str = "501",
            **extra: Any) -> dict[str, Any]:
    return {"network": network, "id": mid, "text": text,
            "author": {"id": author, "handle": f"kunde_{author}", "name": f"Kunde {author}"},
            "created_at": datetime.now(UTC).isoformat(), "url": f"https://x.com/k/status/{mid}",
            **extra}


class DeskHarness:
    def __init__(self, redis_url: str, slack_api: Any, x_api: Any, graph_api: Any,
                 secret: str, config: DeskConfig | None = None,
                 now: Callable[[], datetime] | None = None, **settings: Any) -> None:
        """`now`: the desk's clock (default: the real one); `settings`: more settings, e.g.
        another network's (`bluesky_handle=…`) or a short `heartbeat_interval=0.2`."""
        self.slack, self.x, self.graph, self.secret = slack_api, x_api, graph_api, secret
        self.settings = Settings(
            slack_bot_token="xoxb-test-token", slack_signing_secret=secret,
            slack_api_url=slack_api.base_url, redis_url=redis_url, ingest_token=INGEST_TOKEN,
            x_api_url=x_api.base_url, x_bearer_token="x-bearer",
            x_consumer_key="ck", x_consumer_secret="cs", x_access_token="at",
            x_access_token_secret="ats",
            facebook_graph_url=graph_api.base_url(), facebook_page_id=graph_api.page_id,
            facebook_page_token="EAAPAGE", facebook_app_secret="fb-app-secret",
            facebook_verify_token="fb-verify", **settings,
        )
        self.config = config or desk_config()
        self.rt: Runtime = build_runtime(self.settings, self.config,
                                         now=now or (lambda: datetime.now(UTC)))
        self.worker = Worker(self.rt, name="test-worker")
        self._responses = 0
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(create_web_app(self.rt), log_level="warning",
                                                    access_log=False, lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]},
                                       daemon=True)
        self.thread.start()
        wait_for(lambda: self.server.started, what="uvicorn start")
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=10)

    def close(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(5)

    # -- Slack doors ---------------------------------------------------------------------
    def signed_post(self, body: bytes, timestamp: int | None = None,
                    headers: dict[str, str] | None = None) -> httpx.Response:
        h = signed_headers(body, self.secret, timestamp)
        h.update(headers or {})
        return self.http.post("/slack/events", content=body, headers=h)

    def command(self, command: str, text: str, user: str, channel: str = "C0ALERTS"
                ) -> tuple[httpx.Response, str]:
        """Send a slash command; returns the HTTP answer and the response_url id."""
        self._responses += 1
        rid = f"r{self._responses}"
        body = slash_body(command, text, user, channel, response_url=self.slack.response_url(rid))
        return self.signed_post(body), rid

    def answer(self, rid: str, timeout: float = 5.0) -> str:
        """The private answer posted to response_url `rid` (waits for it)."""
        got = wait_for(lambda: self.slack.responses(rid), timeout, f"response {rid}")
        return str(got[-1]["text"])

    def run_command(self, command: str, text: str, user: str, channel: str = "C0ALERTS") -> str:
        resp, rid = self.command(command, text, user, channel)
        assert resp.status_code == 200, resp.text
        return self.answer(rid)

    def click(self, action_id: str, number: int, user: str, channel: str = "C0ALERTS",
              ts: str = "1.1", value: str | None = None) -> tuple[httpx.Response, str]:
        self._responses += 1
        rid = f"r{self._responses}"
        payload = {
            "type": "block_actions", "user": {"id": user, "username": user.lower()},
            "api_app_id": "A0APP", "token": "x", "team": {"id": "T0TEAM"},
            "container": {"type": "message", "message_ts": ts, "channel_id": channel},
            "trigger_id": "1337.42.trigger", "channel": {"id": channel},
            "response_url": self.slack.response_url(rid),
            "actions": [{"action_id": action_id, "block_id": f"item-{number}",
                         "value": str(number) if value is None else value, "type": "button",
                         "action_ts": str(time.time())}],
        }
        return self.signed_post(interactivity_body(payload)), rid

    # -- mentions in -----------------------------------------------------------------------
    def publish(self, m: dict[str, Any]) -> None:
        """Make the mention exist on its network's emulator, as it would in reality."""
        a = m["author"]
        if m["network"] == "twitter":
            self.x.add_mention(m["id"], m["text"], a["id"], a["handle"], a.get("name", ""),
                               conversation_id=m.get("conversation_id"),
                               in_reply_to=m.get("in_reply_to"), created_at=m["created_at"])
        elif m["network"] == "facebook":
            post_id = m.get("conversation_id") or f"{self.graph.page_id}_1"
            with contextlib.suppress(Exception):  # the post may exist already
                self.graph.add_post(post_id, "Beitrag der Seite")
            self.graph.add_comment(post_id, m["id"], m["text"], a["id"], a.get("name", ""),
                                   parent_id=m.get("in_reply_to"), created_time=m["created_at"])

    def ingest(self, *mentions: dict[str, Any], publish: bool = True) -> httpx.Response:
        if publish:
            for m in mentions:
                with contextlib.suppress(Exception):  # already there (duplicate on purpose)
                    self.publish(m)
        body = "\n".join(json.dumps(m, ensure_ascii=False) for m in mentions)
        return self.http.post("/ingest", content=body.encode(),
                              headers={"Authorization": f"Bearer {INGEST_TOKEN}"})

    def process(self) -> int:
        return self.worker.drain()

    def cards(self, channel: str = "C0ALERTS") -> list[dict[str, Any]]:
        return [m for m in self.slack.messages(channel) if m.get("metadata")]


@contextlib.contextmanager
def creations_lost(desk: DeskHarness) -> Iterator[None]:
    """Inside, every item the intake creates is gone right after its creation, as when Redis
    fails over before its replica got the creation and the intake goes on on the promoted
    replica (played by removing what `ItemStore.create` wrote, in the intake's `index` step)."""
    intake = desk.rt.desk.intake
    index = intake.index

    def lost(item: Item) -> None:
        if index is not None:
            index(item)
        r, m = desk.rt.redis, item.mention
        r.delete(keys.item(item.number), keys.item_for_mention(m.network, m.id))
        r.zrem(keys.OPEN_ITEMS, item.number)
        r.zrem(keys.ITEMS_BY_SEEN, item.number)
        r.srem(keys.author_items(m.network, m.author.id), item.number)
        r.decr(keys.ITEM_SEQ)

    intake.index = lost
    try:
        yield
    finally:
        intake.index = index
