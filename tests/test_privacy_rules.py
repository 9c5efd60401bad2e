"""The data-protection rules (`bot.privacy`), pure: what expires, what an anonymised item keeps,
how a customer's traces are recognised."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.models import Author, Mention, mention_from_json
from bot.privacy import Customer, Markers, Traces, anonymise, expired, last_activity, subject_hash

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
MARKERS = Markers("[gelöscht: Aufbewahrungsfrist]", "[gelöscht]")


def stored_item(**fields: str) -> dict[str, str]:
    m = Mention("twitter", "1850000000000000042", "Kein Netz in Zebrahausen, Frechheit!",
                Author("u-42", "kunde_zebra", "Zora Zebra"), T0,
                url="https://x.com/kunde_zebra/status/1850000000000000042", conversation_id="c-9")
    return {"mention": m.to_json(), "sentiment": "negative", "score": "0.9100", "address": "du",
            "channel": "C0ALERTS", "state": "answered", "holder": "U0AGENT1", "card_ts": "1.1",
            "seen_at": T0.isoformat(), "due_at": (T0 + timedelta(minutes=20)).isoformat(),
            "answered_at": (T0 + timedelta(minutes=5)).isoformat(), "answered_by": "U0AGENT1",
            "reply_id": "1850000000000000099", "reply_text": "@kunde_zebra Das prüfen wir! ^AB",
            "reason": "", "timer_state": "", **fields}


def test_only_closed_items_expire_after_their_last_activity() -> None:
    closed = stored_item(resolved_at=(T0 + timedelta(days=3)).isoformat())
    assert last_activity(closed) == T0 + timedelta(days=3)
    assert not expired(closed, T0 + timedelta(days=3))
    assert expired(closed, T0 + timedelta(days=3, seconds=1))
    for state in ("new", "claimed"):
        assert not expired(stored_item(state=state), T0 + timedelta(days=999))
    done = stored_item(anonymised_at=T0.isoformat())
    assert not expired(done, T0 + timedelta(days=999))


def test_anonymised_item_keeps_the_figures_and_loses_who_wrote_what() -> None:
    item = stored_item(state="noreply", reason="Max Mustermann rief an", private_id="m-1",
                       some_future_field="Kunde Zora", pending_since=T0.isoformat())
    change = anonymise(item, MARKERS, at=T0 + timedelta(days=200), why="retention",
                       reasons=("spam",))
    after = {k: v for k, v in {**item, **change.set}.items() if k not in change.drop}
    text = json.dumps(after, ensure_ascii=False)
    for trace in ("Zebrahausen", "kunde_zebra", "Zora", "u-42", "1850000000000000042",
                  "1850000000000000099", "c-9", "Max Mustermann", "Kunde Zora"):
        assert trace not in text, trace
    for kept in ("state", "holder", "answered_at", "answered_by", "seen_at", "due_at", "channel",
                 "sentiment", "score", "pending_since"):
        assert after[kept] == item[kept]
    assert after["reply_id"] == "-" and after["private_id"] == "-"  # the fact, not the id
    assert after["reply_text"] == MARKERS.text and after["reason"] == MARKERS.text
    assert after["anonymised_for"] == "retention" and "some_future_field" in change.drop
    m = mention_from_json(after["mention"])  # still a mention the desk can read
    assert m.network == "twitter" and m.created_at == T0 and m.text == MARKERS.text
    assert anonymise(stored_item(reason="spam"), MARKERS, at=T0, why="x").set["reason"] == "spam"


def test_traces_match_whole_values_and_handles_or_texts_inside_texts() -> None:
    customer = Customer("twitter", "501")
    m = json.loads(stored_item()["mention"]) | {"author": {"id": "501", "handle": "kunde_a",
                                                           "name": "Kunde A"}}
    traces = Traces.of(customer, [m])
    assert traces.found_in({"mention": "1850000000000000042"})
    assert traces.found_in({"mention": "twitter:1850000000000000042"})
    assert traces.found_in({"text": "@Kunde_A Das prüfen wir!"})
    assert traces.found_in(["x", {"deep": "Wir lesen: kein netz in zebrahausen, frechheit!"}])
    assert not traces.found_in({"text": "Vertrag 501 läuft"})  # an id only as a whole value
    assert not traces.found_in({"text": "@kunde_ab hallo"})  # another handle
    assert not traces.found_in({"length": 501})
    assert customer.wrote(m) and not Customer("facebook", "501").wrote(m)


def test_subject_hash_needs_the_salt() -> None:
    a = subject_hash("salt-1", Customer("twitter", "501"))
    assert a == subject_hash("salt-1", Customer("twitter", "501")) and "501" not in a
    assert a != subject_hash("salt-2", Customer("twitter", "501"))


def test_incident_links_survive_anonymisation_the_words_do_not() -> None:
    member = stored_item(incident="7", answer_failed="403 Forbidden")
    incident = stored_item(kind="incident", answering_by="U0AGENT1", answering_template="",
                           answering_text="Hallo, in Zebrahausen ist eine Störung.")
    m = anonymise(member, MARKERS, at=T0, why="retention")
    i = anonymise(incident, MARKERS, at=T0, why="retention")
    assert "incident" not in m.set and "incident" not in m.drop  # kept as it is
    assert m.set["answer_failed"] == "-"  # that it failed, not the network's words
    assert "kind" not in i.set and "kind" not in i.drop and "answering_by" not in i.drop
    assert i.set["answering_text"] == MARKERS.text
