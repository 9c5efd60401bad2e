"""Issue 14, item 3: nothing triage drops is lost. App Home lists the mentions it did not post
with "doch ein Fall → Karte" (a card, and the label `negativ`); positive ones go into the daily
"Lob" digest; erasure removes them like all customer data."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from bot.privacy import Customer
from bot.reports import praise_job
from bot.store.labels import LabelStore
from tests.harness import AGENT_A, DeskHarness, desk_config, mention, wait_for
from tests.support.slack_signing import interactivity_body

PRAISE = "Danke, der Techniker war super freundlich und schnell!"
NEUTRAL = "Wann kommt das neue iPhone in den Shop?"


def open_home(desk: DeskHarness, user: str) -> dict:
    body = json.dumps({"token": "x", "team_id": "T0TEAM", "api_app_id": "A0APP",
                       "type": "event_callback", "event_id": f"Ev{time.time_ns()}",
                       "event_time": 1, "event": {"type": "app_home_opened", "user": user,
                                                  "tab": "home"}}).encode()
    before = len(desk.slack.calls_to("views.publish"))
    assert desk.signed_post(body, headers={"Content-Type": "application/json"}).status_code == 200
    wait_for(lambda: len(desk.slack.calls_to("views.publish")) > before, what="home published")
    return desk.slack.home_view(user)


def test_app_home_lists_what_triage_did_not_post_and_one_click_makes_it_a_card(
        desk: DeskHarness) -> None:
    desk.ingest(mention("1880000000000000001", PRAISE, author="p1"),
                mention("1880000000000000002", NEUTRAL, author="p2"))
    desk.process()
    assert desk.slack.calls_to("chat.postMessage") == []
    home = json.dumps(open_home(desk, AGENT_A), ensure_ascii=False)
    assert "Nicht gepostet" in home and "iPhone" in home and "freundlich" in home
    assert "doch ein Fall" in home
    payload = {"type": "block_actions", "user": {"id": AGENT_A, "username": "a"},
               "api_app_id": "A0APP", "token": "x", "team": {"id": "T0TEAM"},
               "container": {"type": "view", "view_id": "V1"}, "trigger_id": "1.2.3",
               "view": {"id": "V1", "type": "home"},
               "actions": [{"action_id": "dropped_card", "block_id": "b",
                            "value": "twitter:1880000000000000002", "type": "button",
                            "action_ts": str(time.time())}]}
    assert desk.signed_post(interactivity_body(payload)).status_code == 200
    n = wait_for(lambda: desk.rt.items.number_for_mention("twitter", "1880000000000000002"),
                 what="a card for the neutral mention")
    wait_for(lambda: desk.cards(), what="card posted")
    (example,) = wait_for(lambda: LabelStore(desk.rt.redis).for_item(n), what="label stored")
    assert (example.label, example.by, example.sentiment) == ("negativ", AGENT_A, "negative")
    home = json.dumps(open_home(desk, AGENT_A), ensure_ascii=False)
    assert "iPhone" not in home.split("Nicht gepostet")[1]  # it is a card now, not listed
    assert any(e["action"] == "promote" for e in desk.rt.audit.entries())


def test_positive_mentions_reach_the_daily_praise_digest_once(
        redis_url, slack_api, x_api, graph_api, signing_secret) -> None:
    at_six = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 17:30 in Berlin
    desk = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                       config=desk_config(praise={"channel": "C0LOB", "at": "17:00"}),
                       now=lambda: at_six)
    try:
        desk.ingest(mention("1880000000000000011", PRAISE, author="p11"),
                    mention("1880000000000000012", NEUTRAL, author="p12"))
        desk.process()
        assert praise_job(desk.rt) == 1
        assert praise_job(desk.rt) is None  # once a day, across workers (lease)
        (post,) = desk.slack.messages("C0LOB")
        assert "Lob von heute (1)" in post["text"] and "freundlich" in post["text"]
        assert "iPhone" not in post["text"]
    finally:
        desk.close()


def test_erasure_removes_the_customers_not_posted_mentions(desk: DeskHarness) -> None:
    desk.ingest(mention("1880000000000000021", PRAISE, author="gone-p"),
                mention("1880000000000000022", NEUTRAL, author="stays-p"))
    desk.process()
    exported = desk.rt.desk.privacy.export(Customer("twitter", "gone-p"), "test")
    assert [e["mention"]["id"] for e in exported["not_posted"]] == ["1880000000000000021"]
    report = desk.rt.desk.privacy.erase(Customer("twitter", "gone-p"), "test")
    assert report.not_posted == 1
    left = [d.mention.author.id for d in desk.rt.desk.dropped.latest(10)]
    assert left == ["stays-p"]
