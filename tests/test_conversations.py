"""Follow-ups from the same customer land in the existing card's Slack thread, not a new card.

Everything goes through the production doors: X posts arrive by the poller job, Facebook
comments by the signed webhook, agents act by slash command; Slack is the emulator.
"""

from __future__ import annotations

from bot.scheduler import worker_jobs
from bot.store import keys
from tests.harness import AGENT_A, DeskHarness
from tests.support.facebook_signing import comment_webhook_body, signed_webhook_headers

ROOT = "1850000000000000001"
POST = "100000000000001_555"


def poll_x(desk: DeskHarness) -> None:
    """One poll, as the next interval's (the lease of the previous poll has run out)."""
    desk.rt.redis.delete(keys.lease("poll:twitter"))
    worker_jobs(desk.rt)["poll:x"].run()
    desk.process()


def fb_comment(desk: DeskHarness, comment_id: str, text: str, author: str = "9001",
               parent_id: str | None = None) -> None:
    body = comment_webhook_body(desk.graph.page_id, POST, comment_id, text, author,
                                f"Kunde {author}", parent_id=parent_id)
    resp = desk.http.post("/webhooks/facebook", content=body,
                          headers=signed_webhook_headers(body, "fb-app-secret"))
    assert resp.status_code == 200
    desk.process()


def thread_texts(desk: DeskHarness, channel: str, card: dict) -> list[str]:
    return [m.get("text", "") for m in desk.slack.thread(channel, card["ts"])]


def test_x_follow_up_reply_to_own_post_lands_in_the_cards_thread(desk: DeskHarness) -> None:
    desk.x.add_mention(ROOT, "@brand Seit drei Tagen kein Internet!", "501", "kunde_a", "Kunde A")
    poll_x(desk)
    [card] = desk.cards("C0FESTNETZ")

    desk.x.add_mention("1850000000000000002", "@brand Immer noch nichts passiert!", "501",
                       "kunde_a", "Kunde A", in_reply_to=ROOT)
    poll_x(desk)

    assert len(desk.cards("C0FESTNETZ")) == 1
    replies = desk.slack.thread("C0FESTNETZ", card["ts"])
    assert any("Immer noch nichts passiert" in m.get("text", "") for m in replies)
    assert all(m["thread_ts"] == card["ts"] for m in replies)
    post = desk.slack.calls_to("chat.postMessage")[-1]
    assert post.params["thread_ts"] == card["ts"]
    assert desk.rt.items.number_for_mention("twitter", "1850000000000000002") == 1


def test_x_answer_to_our_reply_reopens_the_item_in_its_thread(desk: DeskHarness) -> None:
    desk.x.add_mention(ROOT, "@brand Eure Hotline ist eine Frechheit!", "501", "kunde_a",
                       "Kunde A")
    poll_x(desk)
    [card] = desk.cards()
    desk.run_command("/claim", "1", AGENT_A)
    assert "gesendet" in desk.run_command("/reply", "1 Das tut uns leid, wir melden uns.", AGENT_A)
    assert desk.rt.items.get(1).state == "answered"
    [our_reply] = desk.x.replies_to(ROOT)

    # The customer answers our reply: in_reply_to is our post, the conversation is theirs.
    desk.x.add_mention("1850000000000000005", "@brand Das hilft mir nicht, immer noch kaputt!",
                       "501", "kunde_a", "Kunde A", in_reply_to=our_reply["id"])
    poll_x(desk)

    assert len(desk.cards()) == 1
    assert any("hilft mir nicht" in t for t in thread_texts(desk, "C0ALERTS", card))
    item = desk.rt.items.get(1)
    assert item.state in ("new", "claimed")  # the clock runs again for the answer it needs
    assert item.mention.id == ROOT


def test_another_customer_in_the_same_conversation_gets_their_own_card(desk: DeskHarness) -> None:
    desk.x.add_mention(ROOT, "@brand Seit drei Tagen kein Internet!", "501", "kunde_a", "Kunde A")
    poll_x(desk)
    desk.x.add_mention("1850000000000000003", "@brand Bei mir auch kein Internet, Frechheit!",
                       "502", "kunde_b", "Kunde B", in_reply_to=ROOT)
    poll_x(desk)
    assert len(desk.cards("C0FESTNETZ")) == 2


def test_brands_own_replies_seen_by_the_poller_are_not_mentions(desk: DeskHarness) -> None:
    desk.x.add_mention(ROOT, "@brand Seit drei Tagen kein Internet!", "501", "kunde_a", "Kunde A")
    desk.x.add_tweet("1850000000000000004", "@kunde_a Telekom hilft: kein Internet ist übel",
                     "1000", "brand", "Brand Service", in_reply_to=ROOT)
    worker_jobs(desk.rt)["poll:x"].run()
    assert desk.rt.redis.xlen(keys.MENTION_STREAM) == 1
    assert desk.x.last_call("GET /2/tweets/search/recent").status == 200
    assert desk.rt.redis.get(keys.checkpoint("x", "search")) == "1850000000000000004"


def test_facebook_reply_under_own_comment_lands_in_the_cards_thread(desk: DeskHarness) -> None:
    fb_comment(desk, "555_1", "Seit drei Tagen kein Netz, eine Katastrophe!")
    [card] = desk.cards("C0MOBIL")
    fb_comment(desk, "555_7", "Hallo? Immer noch kein Netz!", parent_id="555_1")
    assert len(desk.cards("C0MOBIL")) == 1
    assert any("Immer noch kein Netz" in t for t in thread_texts(desk, "C0MOBIL", card))
    assert desk.slack.calls_to("chat.postMessage")[-1].params["thread_ts"] == card["ts"]


def test_facebook_second_comment_on_the_same_post_is_threaded(desk: DeskHarness) -> None:
    fb_comment(desk, "555_1", "Seit drei Tagen kein Netz, eine Katastrophe!")
    [card] = desk.cards("C0MOBIL")
    fb_comment(desk, "555_8", "Und die Hotline geht auch nicht ran, kein Netz!")
    assert len(desk.cards("C0MOBIL")) == 1
    assert any("Hotline geht auch nicht" in t for t in thread_texts(desk, "C0MOBIL", card))
