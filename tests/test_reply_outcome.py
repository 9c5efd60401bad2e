"""A reply whose outcome a failover (or a crash) lost is never sent a second time unasked.

The reply's attempt is recorded on a replica before the reply goes out; the transition after
the send is not. A failover between the two leaves the item claimed with the attempt recorded:
the next reply is held, and the agent, having looked at the network, says whether the first
arrived. Real web app with signed Slack requests, real redis-server, the X emulator. The
failover is played by putting back what the promoted replica would hold (the attempt, not the
transition).
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from bot.store import keys
from tests.harness import AGENT_A, AGENT_B, DeskHarness, mention, wait_for

MID = "1850000000000000077"


@pytest.fixture
def replied(desk: DeskHarness) -> DeskHarness:
    """#1 claimed by AGENT_A and replied to once, then the transition after the send lost."""
    desk.ingest(mention(mid=MID, text="Eure Hotline ist eine Frechheit, seit Stunden!"))
    desk.process()
    assert "Du bearbeitest jetzt #1" in desk.run_command("/claim", "1", AGENT_A)
    assert "gesendet" in desk.run_command("/reply", "1 Das tut uns leid, wir schauen nach!",
                                          AGENT_A)
    assert len(desk.x.replies_to(MID)) == 1
    r = desk.rt.redis
    assert r.hget(keys.item(1), "reply_attempt") is None  # ended by the reply's transition
    r.hdel(keys.item(1), "answered_at", "answered_by", "reply_id", "reply_text")
    r.hset(keys.item(1), mapping={"state": "claimed",
                                  "reply_attempt": f"{AGENT_A} {time.time() - 30:.3f} reply"})
    r.zadd(keys.OPEN_ITEMS, {"1": time.time() + 3600})
    return desk


def _held(desk: DeskHarness, text: str, user: str = AGENT_A) -> dict:
    resp, rid = desk.command("/reply", f"1 {text}", user)
    assert resp.status_code == 200
    answer = wait_for(lambda: desk.slack.responses(rid), what="the private answer")[-1]
    return answer


def test_a_second_reply_after_a_lost_outcome_is_held_with_the_question(replied) -> None:
    desk = replied
    answer = _held(desk, "Noch einmal: Das tut uns leid!")
    assert "Nicht gesendet" in answer["text"] and "vielleicht schon" in answer["text"]
    assert "Noch einmal: Das tut uns leid!" in answer["text"]  # the draft is not lost
    buttons = [e["action_id"] for b in answer["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert buttons == ["reply_arrived", "reply_not_arrived"]
    assert len(desk.x.replies_to(MID)) == 1  # nothing sent twice
    assert desk.rt.items.lock(1)  # the action lock was given back
    desk.rt.items.unlock(1)


def test_it_arrived_answers_the_item_as_of_the_first_reply(replied) -> None:
    desk = replied
    _held(desk, "Noch einmal")
    resp, rid = desk.click("reply_arrived", 1, AGENT_A)
    assert resp.status_code == 200
    assert "ist angekommen" in desk.answer(rid)
    item = desk.rt.items.get(1)
    assert item.state.value == "answered" and item.answered_by == AGENT_A
    assert desk.rt.redis.hget(keys.item(1), "reply_attempt") is None
    assert len(desk.x.replies_to(MID)) == 1
    actions = [e["action"] for e in desk.rt.audit.entries() if e.get("item") == "1"]
    assert "reply_arrived" in actions


def test_it_did_not_arrive_lets_the_agent_send_again_once(replied) -> None:
    desk = replied
    _held(desk, "Noch einmal")
    resp, rid = desk.click("reply_not_arrived", 1, AGENT_A)
    assert resp.status_code == 200
    assert "nicht angekommen" in desk.answer(rid)
    assert "gesendet" in desk.run_command("/reply", "1 Zweiter Versuch, sorry!", AGENT_A)
    assert [p["text"] for p in desk.x.replies_to(MID)][-1] == "Zweiter Versuch, sorry! ^AB"
    assert len(desk.x.replies_to(MID)) == 2


def test_only_the_holder_or_a_lead_settles_it(replied) -> None:
    desk = replied
    resp, rid = desk.click("reply_not_arrived", 1, AGENT_B)
    assert resp.status_code == 200
    assert AGENT_A in desk.answer(rid)  # refused: who holds it
    assert desk.rt.redis.hget(keys.item(1), "reply_attempt")  # unchanged


def test_a_reply_the_network_refused_is_no_unknown(desk: DeskHarness) -> None:
    desk.ingest(mention(mid=MID, text="Eure Hotline ist eine Frechheit, seit Stunden!"))
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    desk.x.fail_next("POST /2/tweets", 403)
    refused = desk.run_command("/reply", "1 Das tut uns leid!", AGENT_A)
    assert "gesendet" not in refused.replace("nicht gesendet", "")
    assert desk.rt.redis.hget(keys.item(1), "reply_attempt") is None
    assert "gesendet" in desk.run_command("/reply", "1 Das tut uns leid!", AGENT_A)
    assert len(desk.x.replies_to(MID)) == 1


def test_nothing_to_settle_is_said_so(desk: DeskHarness) -> None:
    desk.ingest(mention(mid=MID, text="Eure Hotline ist eine Frechheit, seit Stunden!"))
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    resp, rid = desk.click("reply_arrived", 1, AGENT_A)
    assert resp.status_code == 200
    assert "keine Antwort offen" in desk.answer(rid)
    assert desk.rt.items.get(1).state.value == "claimed"


def _card_text(desk: DeskHarness) -> tuple[str, list[str]]:
    """(the text of #1's card, its buttons) as Slack shows it now."""
    card = desk.cards()[0]
    text = " ".join(str(b.get("text", {}).get("text", "")) for b in card["blocks"])
    buttons = [e.get("action_id", "") for b in card["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    return text, buttons


def test_a_lost_outcome_goes_on_the_card_without_anyone_replying_again(
        desk: DeskHarness) -> None:
    """The sender died after recording its attempt (no transition, its action lock expired):
    the `unsettled_replies` job shows it on the card once, with the two answers; settling it
    takes it off. An attempt still being sent (lock held) or too young is left alone."""
    from bot.models import ReplyAttempt
    from bot.scheduler import unsettled_job

    desk.ingest(mention(mid=MID, text="Eure Hotline ist eine Frechheit, seit Stunden!"))
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    now, items, again = desk.rt.desk.now(), desk.rt.items, desk.rt.leases.release
    young = items.start_reply(1, ReplyAttempt(AGENT_A, now.timestamp() - 30, "reply"))
    assert young.outcome == "mine"
    assert unsettled_job(desk.rt) == []  # 30 s: it may still be on its way
    items.end_reply(1)
    again("unsettled-replies")
    start = items.start_reply(1, ReplyAttempt(AGENT_A, now.timestamp() - 120, "reply"))
    assert start.outcome == "mine"  # ... and the sender died here
    assert items.lock(1)  # someone is sending it right now: not shown
    assert unsettled_job(desk.rt) == []
    items.unlock(1)
    again("unsettled-replies")
    assert unsettled_job(desk.rt) == [1]
    again("unsettled-replies")
    assert unsettled_job(desk.rt) == []  # once
    desk.rt.desk.watch.flush_cards(now + timedelta(minutes=1))
    text, buttons = _card_text(desk)
    assert "weiß niemand" in text and f"<@{AGENT_A}>" in text and "X" in text
    assert buttons[:2] == ["reply_arrived", "reply_not_arrived"]
    assert [e["action"] for e in desk.rt.audit.entries()
            if e.get("item") == "1"].count("reply_unknown") == 1
    assert len(desk.x.replies_to(MID)) == 0  # nothing was sent by any of this

    resp, rid = desk.click("reply_not_arrived", 1, AGENT_A)
    assert resp.status_code == 200 and "nicht angekommen" in desk.answer(rid)
    desk.rt.desk.watch.flush_cards(now + timedelta(minutes=2))
    text, buttons = _card_text(desk)
    assert "weiß niemand" not in text and "reply_arrived" not in buttons
    assert desk.rt.redis.zscore(keys.REPLY_ATTEMPTS, "1") is None
    assert "gesendet" in desk.run_command("/reply", "1 Das tut uns leid!", AGENT_A)
    assert len(desk.x.replies_to(MID)) == 1
