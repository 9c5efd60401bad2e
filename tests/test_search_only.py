"""X posts found only by search: X allows no reply, so the card offers "open on X" instead."""

from __future__ import annotations

import json

from tests.harness import AGENT_A, DeskHarness, mention
from tests.test_sources_x import Recorder, clock, new_poller, r  # noqa: F401  (fixtures)

QUERY = "telekom -is:retweet lang:de"


def test_search_only_posts_are_marked_and_mentions_are_not(x_api, r, clock) -> None:  # noqa: F811
    x_api.add_mention("1850000000000000011", "@brand Kein Internet seit Tagen!", "501", "a", "A")
    x_api.add_tweet("1850000000000000012", "Die Telekom hat schon wieder Störung", "502", "b", "B")
    got = Recorder(r)
    new_poller(x_api, r, clock, query=QUERY).poll(got)
    by_id = {m.id: m for m in got.handed}
    assert by_id["1850000000000000012"].found_by == "search"
    assert not by_id["1850000000000000012"].replyable
    assert by_id["1850000000000000011"].found_by == "mention"
    assert by_id["1850000000000000011"].replyable


def test_card_for_a_search_only_post_opens_x_and_reply_is_refused(desk: DeskHarness) -> None:
    desk.ingest(mention(text="Die Telekom hat schon wieder eine Störung, Frechheit!",
                        found_by="search"))
    desk.process()
    card = desk.cards()[0]
    actions = next(b for b in card["blocks"] if b["type"] == "actions")["elements"]
    ids = [e["action_id"] for e in actions]
    assert ids == ["claim", "open_post", "noreply", "label"]  # label: the menu (issue 14)
    assert actions[1]["url"].startswith("https://x.com/")
    desk.run_command("/claim", "1", AGENT_A)
    answer = desk.run_command("/reply", "1 Das tut uns leid!", AGENT_A)
    assert "per Suche gefunden" in answer and "https://x.com/" in answer
    assert desk.x.calls_to("POST /2/tweets") == []
    assert "erledigt" in desk.run_command("/resolve", "1", AGENT_A)
    assert json.loads(json.dumps(desk.rt.items.get(1).state)) == "resolved"
