"""Sentinel failover under load (issue 15): real processes, real redis-servers, a SIGKILL.

One primary, one replica and three sentinels (`redis-server --sentinel`, down after 1 s) on
loopback; `python -m bot web` and two `python -m bot worker` processes configured only by
`REDIS_MODE=sentinel`, `REDIS_SENTINELS` and `REDIS_SENTINEL_MASTER`. 400 mentions go through
`/ingest` from four clients; when half are accepted the primary is SIGKILLed (and started again
once the replica took over, as a supervisor would: the sentinels make it the new replica).
Every mention `/ingest` accepted (2xx) must end as exactly one card in the Slack emulator, and
the same web and worker processes (no restart) carry on. A refused mention (503: no replica
confirmed it) is sent again, as a real caller does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import redis
import yaml

from tests.emulators import SlackAPI
from tests.harness import ROOT, mention, wait_for
from tests.support.processes import free_port, stop_processes
from tests.support.redis_server import SentinelGroup

MENTIONS = 400
CHANNELS = ("C0ALERTS", "C0FESTNETZ", "C0MOBIL")


@pytest.fixture
def sentinels() -> Iterator[SentinelGroup]:
    # Sentinel promotes no replica that lost its primary more than 10 × down-after before the
    # sentinel itself saw the primary down. A stalled machine puts a sentinel in TILT mode for
    # 30 s (a timer more than 2 s late): with 1 s, the replica was then too stale to promote,
    # for good (CI, 2026-12-01: "-failover-abort-no-good-slave" every 10 s); with 5 s the
    # window (50 s) outlasts a TILT, and the failover takes about 5 s longer.
    with SentinelGroup(down_after_ms=5000) as group:
        yield group


def _env(tmp_path: Path, group: SentinelGroup, slack_api: SlackAPI) -> dict[str, str]:
    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw["business_hours"] = "always"
    raw["closed"] = []
    raw["storm"] = {"min_mentions": 100_000, "window": "1m"}  # one card per mention here
    cfg = tmp_path / "desk.yaml"
    cfg.write_text(yaml.safe_dump(raw))
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DESK_CONFIG": str(cfg),
            "REDIS_MODE": "sentinel", "REDIS_SENTINELS": group.addresses,
            "REDIS_SENTINEL_MASTER": group.MASTER, "SLACK_API_URL": slack_api.base_url,
            "SLACK_BOT_TOKEN": "xoxb-proc", "SLACK_SIGNING_SECRET": "process-secret",
            "SLACK_CHANNEL_INTERVAL_MS": "0", "INGEST_TOKEN": "tok",
            "WORKER_RECLAIM_MS": "3000", "HEARTBEAT_INTERVAL": "1", "PORT": str(free_port())}


def cards_by_marker(slack_api: SlackAPI) -> Counter[str]:
    """Cards per mention marker `Fall <n>` across the routed channels."""
    found: Counter[str] = Counter()
    for channel in CHANNELS:
        for message in slack_api.messages(channel):
            text = json.dumps(message.get("blocks") or message.get("text"), ensure_ascii=False)
            for word in text.replace('"', " ").split():
                if word.startswith("FALL-"):
                    found[word.rstrip(".,!\\")] += 1
    return found


def _what_redis_knows(group: SentinelGroup, markers: list[str],
                      logs: dict[str, Path]) -> str:
    """For a failure message: what the current primary holds of each missing mention."""
    from bot.store import keys

    lines = []
    try:
        host, port = group.primary_address()
        r = redis.Redis(host=host, port=port, decode_responses=True)
        dead = r.xrange(keys.DEAD_LETTERS)
        audit = r.xrange(keys.AUDIT_STREAM)
        stream = r.xrange(keys.MENTION_STREAM)
        # was the entry delivered here (last-delivered-id past it) and acknowledged, or never
        # delivered? (seen once in CI: neither pending nor processed, cause not found)
        lines.append(f"groups: {r.xinfo_groups(keys.MENTION_STREAM)}")
        lines.append(f"consumers: {r.xinfo_consumers(keys.MENTION_STREAM, keys.MENTION_GROUP)}")
        for marker in markers:
            mid = str(1860000000000000000 + int(marker.split("-")[1]))
            number = r.get(keys.item_for_mention("twitter", mid))
            item = r.hgetall(keys.item(int(number))) if number else {}
            item.pop("mention", None)
            queued = [e for e, f in stream if mid in f.get("mention", "")]
            pending = [r.xpending_range(keys.MENTION_STREAM, keys.MENTION_GROUP, e, e, 1)
                       for e in queued]
            lines.append(f"{marker}: seen={r.exists(keys.seen('twitter', mid))} "
                         f"queued={queued} pending={pending} item={number} {item} "
                         f"dead={[e for e, f in dead if mid in f.get('mention', '')]} "
                         f"audit={[f for _, f in audit if f.get('item') == number]}")
    except Exception as exc:  # a diagnosis must not hide the failure
        lines.append(f"(Redis not readable: {exc!r})")
    for name, path in logs.items():
        lines.append(f"--- {name}: {path.read_text()[-1500:]}")
    lines.append(group.logs())
    return "\n".join(lines)


@pytest.mark.timeout(420)
def test_every_accepted_mention_is_one_card_across_a_primary_kill(
        tmp_path: Path, sentinels: SentinelGroup, slack_api: SlackAPI) -> None:
    env = _env(tmp_path, sentinels, slack_api)
    base = f"http://127.0.0.1:{env['PORT']}"
    logs = {name: tmp_path / f"{name}.log" for name in ("web", "worker1", "worker2")}
    procs = []
    for name, path in logs.items():
        with path.open("wb") as log_file:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "bot", "web" if name == "web" else "worker"], cwd=ROOT,
                env=env, stdout=subprocess.DEVNULL, stderr=log_file))
    accepted: set[str] = set()
    refused = Counter[int]()
    lock = threading.Lock()
    killed = threading.Event()

    def send(i: int) -> None:
        marker = f"FALL-{i}"
        body = json.dumps(mention(mid=str(1860000000000000000 + i),
                                  text=f"Seit Tagen kein Internet, eine Frechheit! {marker}",
                                  author=str(1000 + i)))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # a refused mention is sent again
            try:
                r = httpx.post(f"{base}/ingest", content=body, timeout=15,
                               headers={"Authorization": "Bearer tok"})
            except httpx.HTTPError:
                r = None
            if r is not None and r.status_code < 300:
                with lock:
                    accepted.add(marker)
                    if len(accepted) >= MENTIONS // 2 and not killed.is_set():
                        killed.set()
                        threading.Thread(target=failover, daemon=True).start()
                return
            with lock:
                refused[r.status_code if r is not None else 0] += 1
            time.sleep(0.25)

    revived = threading.Event()

    def failover() -> None:
        before = sentinels.primary_address()
        dead = sentinels.kill_primary()  # SIGKILL, half way
        wait_for(lambda: sentinels.primary_address() != before, 120, "the failover")
        dead.start()
        revived.set()

    def listening() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(listening, 60, "web and workers up")
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(send, range(MENTIONS)))
        assert killed.is_set() and revived.wait(60)

        def all_cards() -> bool:
            return set(cards_by_marker(slack_api)) >= accepted

        try:
            wait_for(all_cards, 120, "a card for every accepted mention")
        except AssertionError:
            missing = sorted(accepted - set(cards_by_marker(slack_api)))
            raise AssertionError(f"{len(missing)} accepted without card: {missing[:20]}; "
                                 f"refused {dict(refused)}\n"
                                 + _what_redis_knows(sentinels, missing[:5], logs)) from None
        time.sleep(2)  # a late duplicate would show up now
        cards = cards_by_marker(slack_api)
        twice = {m: n for m, n in cards.items() if n > 1}
        assert all(p.poll() is None for p in procs), "a process died"
        # the same processes carry on: one more mention, one more card
        after = json.dumps(mention(mid="1869999999999999999", author="99",
                                   text="Immer noch kein Internet, Frechheit! FALL-after"))
        r = httpx.post(f"{base}/ingest", content=after, timeout=15,
                       headers={"Authorization": "Bearer tok"})
        assert r.status_code == 200, r.text
        wait_for(lambda: cards_by_marker(slack_api)["FALL-after"] == 1, 30, "the card after failover")
    finally:
        stop_processes(procs)
    for name, path in logs.items():
        text = path.read_text()
        assert "Traceback" not in text, (name, text[-3000:])
    assert not twice, f"posted twice across the failover: {twice}"
