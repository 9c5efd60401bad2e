"""End to end through the production doors: mention in, Slack card out, claim, signed reply."""

from __future__ import annotations

import json
import threading
import time

import pytest

from bot.store import keys
from tests.harness import AGENT_A, AGENT_B, STRANGER, DeskHarness, mention, wait_for


def card_text(card: dict) -> str:
    return json.dumps(card["blocks"], ensure_ascii=False)


def test_negative_mention_becomes_one_card_with_escaped_text(desk: DeskHarness) -> None:
    m = mention(text="Seit drei Tagen kein Internet!!! <!channel> Danke für nichts")
    assert desk.ingest(m, m).status_code == 200
    desk.process()
    cards = desk.cards("C0FESTNETZ")  # routed by the keyword "internet"
    assert len(cards) == 1
    blocks = card_text(cards[0])
    assert "#1" in blocks and "kunde_501" in blocks
    assert "<!channel>" not in blocks and "&lt;!channel&gt;" in blocks
    assert cards[0]["metadata"]["event_payload"]["item"] == 1
    actions = next(b for b in cards[0]["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["claim", "reply", "dm", "noreply",
                                                             "label"]  # issue 14: label menu
    assert "fällig" in blocks


def test_positive_mention_is_counted_not_posted(desk: DeskHarness) -> None:
    desk.ingest(mention(text="Danke, der Techniker war super freundlich und schnell!"))
    desk.process()
    assert desk.slack.calls_to("chat.postMessage") == []
    day = desk.rt.desk.now().astimezone(desk.rt.desk.tz).date().isoformat()
    assert desk.rt.items.counts(day)["ingested"] == 1


def test_unmatched_mention_goes_to_default_channel(desk: DeskHarness) -> None:
    desk.ingest(mention(text="Eure Hotline ist eine Frechheit, seit Stunden in der Warteschleife!"))
    desk.process()
    assert len(desk.cards("C0ALERTS")) == 1


def test_claim_then_signed_reply_on_x(desk: DeskHarness) -> None:
    desk.ingest(mention(mid="1850000000000000042", text="Eure Hotline ist eine Frechheit, "
                                                       "seit Stunden in der Warteschleife!"))
    desk.process()
    card = desk.cards()[0]
    assert "Du bearbeitest jetzt #1" in desk.run_command("/claim", "1", AGENT_A)
    wait_for(lambda: "U0AGENT1" in card_text(desk.slack.message("C0ALERTS", card["ts"])),
             what="card shows holder")
    answer = desk.run_command("/reply", "#1 Das tut uns leid, wir schauen sofort nach!", AGENT_A)
    assert "gesendet" in answer
    posted = desk.x.replies_to("1850000000000000042")
    assert len(posted) == 1
    assert posted[0]["text"] == "Das tut uns leid, wir schauen sofort nach! ^AB"
    call = desk.x.calls_to("POST /2/tweets")[-1]
    assert call.body["reply"]["in_reply_to_tweet_id"] == "1850000000000000042"
    updated = wait_for(lambda: (m := desk.slack.message("C0ALERTS", card["ts"]))
                       and "Beantwortet" in card_text(m) and m, what="card shows answered")
    assert "U0AGENT1" in card_text(updated)
    # no work buttons left, only the label menu (issue 14: every card can be labelled)
    assert [e["action_id"] for b in updated["blocks"] if b["type"] == "actions"
            for e in b["elements"]] == ["label"]


def test_reply_on_facebook_is_a_comment_reply(desk: DeskHarness) -> None:
    desk.ingest(mention(mid="1234567890_1_777", network="facebook", text="Seit drei Tagen kein "
                        "Netz, echt eine Katastrophe!", author="9001"))
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    assert "gesendet" in desk.run_command("/reply", "1 Sehr ärgerlich, wir helfen gern.", AGENT_A)
    replies = desk.graph.replies_to("1234567890_1_777")
    assert [r["message"] for r in replies] == ["Sehr ärgerlich, wir helfen gern. ^AB"]


def test_second_claimer_is_told_who_holds_it(desk: DeskHarness) -> None:
    desk.ingest(mention(text="Kein Internet seit gestern, unmöglich!"))
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    assert "<@U0AGENT1>" in desk.run_command("/claim", "1", AGENT_B)
    assert desk.rt.items.get(1).holder == AGENT_A


def test_only_the_holder_may_reply(desk: DeskHarness) -> None:
    desk.ingest(mention(text="Kein Internet seit gestern, unmöglich!"))
    desk.process()
    assert "/claim 1" in desk.run_command("/reply", "1 Hallo", AGENT_A)
    desk.run_command("/claim", "1", AGENT_A)
    assert "<@U0AGENT1>" in desk.run_command("/reply", "1 Hallo", AGENT_B)
    assert desk.x.calls_to("POST /2/tweets") == []


def test_stranger_is_refused_and_nothing_changes(desk: DeskHarness) -> None:
    desk.ingest(mention(text="Kein Internet seit gestern, unmöglich!"))
    desk.process()
    assert "nicht als Agent" in desk.run_command("/claim", "1", STRANGER)
    assert desk.rt.items.get(1).state == "new"


@pytest.mark.parametrize("text,kind", [
    ("Ruf mich an: 0171 2345678", "Telefonnummer"),
    ("Bitte an kunde@example.de schreiben", "E-Mail"),
    ("Erstattung auf DE89 3704 0044 0532 0130 00", "IBAN"),
])
def test_reply_with_personal_data_is_refused_and_nothing_sent(desk: DeskHarness, text: str,
                                                              kind: str) -> None:
    desk.ingest(mention(text="Kein Internet seit gestern, unmöglich!"))
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    answer = desk.run_command("/reply", f"1 {text}", AGENT_A)
    assert "Nicht gesendet" in answer and kind in answer
    assert desk.x.calls_to("POST /2/tweets") == []
    assert desk.rt.items.get(1).state == "claimed"


def test_forged_signature_and_old_timestamp_get_401_and_change_nothing(desk: DeskHarness) -> None:
    from tests.support.slack_signing import signed_headers, slash_body

    desk.ingest(mention(text="Kein Internet seit gestern, unmöglich!"))
    desk.process()
    body = slash_body("/claim", "1", AGENT_A, "C0ALERTS",
                      response_url=desk.slack.response_url("x"))
    forged = signed_headers(body, "not-the-secret")
    assert desk.http.post("/slack/events", content=body, headers=forged).status_code == 401
    old = desk.signed_post(body, timestamp=int(time.time()) - 600)
    assert old.status_code == 401
    time.sleep(0.2)
    assert desk.rt.items.get(1).state == "new"
    assert desk.slack.responses("x") == []


def test_twenty_threads_claiming_at_once_exactly_one_wins(desk: DeskHarness) -> None:
    desk.ingest(mention(text="Kein Internet seit gestern, unmöglich!"))
    desk.process()
    agents = {f"U0AG{i:03d}": f"A{chr(65 + i)}" for i in range(20)}
    h = DeskHarness(desk.settings.redis_url, desk.slack, desk.x, desk.graph, desk.secret,
                    config=desk.config.model_copy(update={"agents": agents}))
    try:
        barrier = threading.Barrier(20)
        rids: dict[str, str] = {}

        def claim(user: str) -> None:
            barrier.wait()
            rids[user] = h.command("/claim", "1", user)[1]

        threads = [threading.Thread(target=claim, args=(u,)) for u in agents]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        answers = {u: h.answer(r) for u, r in rids.items()}
        winners = [u for u, a in answers.items() if "Du bearbeitest jetzt" in a]
        assert len(winners) == 1
        assert h.rt.items.get(1).holder == winners[0]
        assert all(f"<@{winners[0]}>" in a for u, a in answers.items() if u != winners[0])
    finally:
        h.close()


def test_ingest_rejects_bad_lines_keeps_good_ones_and_dedupes(desk: DeskHarness) -> None:
    good = mention(mid="7")
    body = "\n".join([json.dumps(good), "{kaputt", json.dumps({**good, "id": "8",
                      "created_at": "2026-11-24T09:15:00"}), json.dumps(good)])
    resp = desk.http.post("/ingest", content=body,
                          headers={"Authorization": "Bearer ingest-secret-token"})
    report = resp.json()
    assert report["accepted"] == 1 and report["duplicate"] == 1
    assert [r["line"] for r in report["rejected"]] == [2, 3]
    assert "UTC offset" in report["rejected"][1]["reason"]
    assert desk.rt.redis.xlen(keys.MENTION_STREAM) == 1


def test_ingest_without_token_is_401(desk: DeskHarness) -> None:
    assert desk.http.post("/ingest", content=json.dumps(mention())).status_code == 401
    assert desk.http.post("/ingest", content=json.dumps(mention()),
                          headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert desk.rt.redis.xlen(keys.MENTION_STREAM) == 0


def test_healthz(desk: DeskHarness) -> None:
    assert desk.http.get("/healthz").status_code == 503  # no worker has reported yet
    desk.process()
    body = desk.http.get("/healthz").json()
    assert body.pop("triage_model")["version"] == "sentiment-v2"  # issue 14
    assert body == {"ok": True, "redis": "ok", "workers": 1, "worker_names": ["test-worker"]}


def test_no_customer_text_or_personal_data_in_logs(desk: DeskHarness, caplog) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    secret_text = "Geheimtext kein Internet seit Tagen, ruft mich an 0171 9876543!"
    desk.slack.fail_next("chat.postMessage", 503, commit=True)  # exercise the warning paths
    desk.ingest(mention(text=secret_text))
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    desk.run_command("/reply", "1 Ruf uns an: 0171 1234567", AGENT_A)
    ours = [r for r in caplog.records if r.name.startswith(("bot", "handlers"))]
    assert ours, "the flow should log something of its own"
    for record in ours:
        line = record.getMessage()
        assert "Geheimtext" not in line and "9876543" not in line and "1234567" not in line


def test_ingest_accepts_one_pretty_printed_mention_and_a_bom(desk: DeskHarness) -> None:
    pretty = json.dumps(mention(mid="71"), indent=2)
    report = desk.http.post("/ingest", content=pretty.encode(),
                            headers={"Authorization": "Bearer ingest-secret-token"}).json()
    assert report["accepted"] == 1 and report["rejected"] == []
    bom = "\ufeff" + json.dumps(mention(mid="72"))
    report = desk.http.post("/ingest", content=bom.encode(),
                            headers={"Authorization": "Bearer ingest-secret-token"}).json()
    assert report["accepted"] == 1


def test_facebook_mention_without_handle_uses_the_name(desk: DeskHarness) -> None:
    m = mention(mid="1234_9", network="facebook", text="Kein Netz seit Tagen, Frechheit!")
    del m["author"]["handle"]
    report = desk.ingest(m, publish=False).json()
    assert report["accepted"] == 1


def test_a_button_with_a_malformed_value_gets_the_usage_answer(desk: DeskHarness) -> None:
    payload_rid = desk.click("claim", 0, AGENT_A)[1]
    assert "#0 gibt es nicht" in desk.answer(payload_rid)


def test_a_forged_request_body_is_not_logged(desk: DeskHarness, caplog) -> None:
    """Bolt logs the whole body of a badly signed request at info; ours must not."""
    import logging

    from slack_bolt import BoltRequest

    from bot.entry.web import create_bolt_app
    from tests.support.slack_signing import signed_headers, slash_body

    caplog.set_level(logging.INFO)  # as `python -m bot web` runs, before the app is built
    app = create_bolt_app(desk.rt)
    body = slash_body("/reply", "1 IBAN DE89370400440532013000", AGENT_A, "C0ALERTS")
    resp = app.dispatch(BoltRequest(body=body.decode(), headers=signed_headers(body, "wrong")))
    assert resp.status == 401
    assert not [r.name for r in caplog.records if "DE89370400440532013000" in r.getMessage()]
