"""Every agent action and refusal, through signed Slack requests, on a real redis-server."""

from __future__ import annotations

import json
import time

from bot.store import AuditLog
from tests.harness import AGENT_A, AGENT_B, LEAD, STRANGER, DeskHarness, mention, wait_for
from tests.support.slack_signing import interactivity_body


def new_item(desk: DeskHarness, text: str = "Eure Hotline ist eine Frechheit, seit Stunden "
             "Warteschleife!", mid: str = "1850000000000000100", **kw) -> int:
    desk.ingest(mention(mid=mid, text=text, **kw))
    desk.process()
    return desk.rt.items.number_for_mention(kw.get("network", "twitter"), mid)


def thread_texts(desk: DeskHarness, n: int) -> list[str]:
    item = desk.rt.items.get(n)
    return [m["text"] for m in desk.slack.thread(item.channel, item.card_ts)]


def audit_actions(desk: DeskHarness) -> list[tuple[str, str, str]]:
    return [(e["actor"], e["action"], e["outcome"]) for e in AuditLog(desk.rt.redis).entries()]


def test_release_returns_item_to_the_team_and_tells_the_thread(desk: DeskHarness) -> None:
    n = new_item(desk)
    desk.run_command("/claim", str(n), AGENT_A)
    assert "wieder frei" in desk.run_command("/release", str(n), AGENT_A)
    item = desk.rt.items.get(n)
    assert item.state == "new" and item.holder == ""
    wait_for(lambda: any("freigegeben" in t for t in thread_texts(desk, n)), what="thread line")
    assert "bearbeitest jetzt" in desk.run_command("/claim", str(n), AGENT_B)
    assert desk.rt.items.get(n).holder == AGENT_B


def test_release_by_someone_else_is_refused(desk: DeskHarness) -> None:
    n = new_item(desk)
    desk.run_command("/claim", str(n), AGENT_A)
    assert "<@U0AGENT1>" in desk.run_command("/release", str(n), AGENT_B)
    assert desk.rt.items.get(n).holder == AGENT_A


def test_lead_may_act_on_someone_elses_item(desk: DeskHarness) -> None:
    n = new_item(desk)
    desk.run_command("/claim", str(n), AGENT_A)
    assert "wieder frei" in desk.run_command("/release", str(n), LEAD)


def test_noreply_needs_a_reason_then_closes(desk: DeskHarness) -> None:
    n = new_item(desk)
    desk.run_command("/claim", str(n), AGENT_A)
    answer = desk.run_command("/noreply", str(n), AGENT_A)
    assert "Grund" in answer and "spam" in answer
    assert desk.rt.items.get(n).state == "claimed"
    assert "ohne Antwort geschlossen" in desk.run_command("/noreply", f"{n} spam", AGENT_A)
    item = desk.rt.items.get(n)
    assert item.state == "noreply" and item.reason == "spam"
    assert n not in desk.rt.items.open_numbers()


def test_resolve_after_answer_and_illegal_transitions(desk: DeskHarness) -> None:
    n = new_item(desk)
    assert "übernehmen" in desk.run_command("/resolve", str(n), AGENT_A)
    desk.run_command("/claim", str(n), AGENT_A)
    desk.run_command("/reply", f"{n} Das tut uns leid, wir kümmern uns!", AGENT_A)
    assert "beantwortet" in desk.run_command("/claim", str(n), AGENT_B)
    assert "erledigt" in desk.run_command("/resolve", str(n), AGENT_A)
    assert desk.rt.items.get(n).state == "resolved"
    assert "erledigt: das geht" in desk.run_command("/reply", f"{n} Noch was", AGENT_A)
    assert len(desk.x.calls_to("POST /2/tweets")) == 1


def test_assign_is_for_leads_only(desk: DeskHarness) -> None:
    n = new_item(desk)
    assert "Teamleitung" in desk.run_command("/assign", f"{n} <@{AGENT_B}|b>", AGENT_A)
    assert desk.rt.items.get(n).state == "new"
    assert "<@U0AGENT2>" in desk.run_command("/assign", f"{n} <@{AGENT_B}|b>", LEAD)
    item = desk.rt.items.get(n)
    assert item.state == "claimed" and item.holder == AGENT_B
    assert "@-Erwähnung" in desk.run_command("/assign", f"{n} bob", LEAD)
    assert "kein eingetragener Agent" in desk.run_command("/assign", f"{n} <@{STRANGER}>", LEAD)


def test_kuerzel_is_validated_unique_and_used_in_signature(desk: DeskHarness) -> None:
    assert "2–4 Buchstaben" in desk.run_command("/kuerzel", "X", AGENT_A)
    assert "<@U0AGENT2>" in desk.run_command("/kuerzel", "cd", AGENT_A)
    assert "ist jetzt XY" in desk.run_command("/kuerzel", "xy", AGENT_A)
    assert "<@U0AGENT1>" in desk.run_command("/kuerzel", "XY", AGENT_B)
    n = new_item(desk)
    desk.run_command("/claim", str(n), AGENT_A)
    desk.run_command("/reply", f"{n} Wir kümmern uns sofort darum!", AGENT_A)
    assert desk.x.posted[-1]["text"].endswith(" ^XY")


def test_move_to_private_on_x_invites_publicly_and_sends_a_dm(desk: DeskHarness) -> None:
    n = new_item(desk, text="Du, eure Hotline ist eine Frechheit, ich warte seit Stunden!")
    desk.run_command("/claim", str(n), AGENT_A)
    assert "private Nachrichten" in desk.run_command("/dm", f"{n}", AGENT_A)
    item = desk.rt.items.get(n)
    assert item.state == "private"
    invite = desk.x.replies_to("1850000000000000100")[0]["text"]
    assert invite.startswith("Schreib uns") and invite.endswith(" ^AB")


def test_unknown_number_and_missing_number_say_what_to_do(desk: DeskHarness) -> None:
    assert "#999 gibt es nicht" in desk.run_command("/claim", "999", AGENT_A)
    assert "`/claim 17`" in desk.run_command("/claim", "", AGENT_A)
    assert "`/reply 17 Antworttext`" in desk.run_command("/reply", "hallo", AGENT_A)


def test_every_refusal_is_audited_and_changes_nothing(desk: DeskHarness) -> None:
    n = new_item(desk)
    desk.run_command("/claim", str(n), STRANGER)
    desk.run_command("/claim", str(n), AGENT_A)
    desk.run_command("/claim", str(n), AGENT_B)
    actions = audit_actions(desk)
    assert (STRANGER, "claim", "refused:refuse.not_agent") in actions
    assert (AGENT_A, "claim", "ok") in actions
    assert (AGENT_B, "claim", "refused:refuse.held_by_other") in actions


def test_address_mismatch_is_held_and_overridden_once(desk: DeskHarness) -> None:
    n = new_item(desk, text="Sehr geehrte Damen und Herren, können Sie mir erklären, warum "
                            "ich seit drei Tagen kein Internet habe? Eine Frechheit!")
    assert desk.rt.items.get(n).address == "sie"
    desk.run_command("/claim", str(n), AGENT_A)
    _, rid = desk.command("/reply", f"{n} Sorry, kannst du uns kurz sagen, wo du wohnst?",
                             AGENT_A)
    held = desk.slack.responses(rid) or wait_for(lambda: desk.slack.responses(rid))
    assert "Angehalten" in held[-1]["text"]
    assert desk.x.calls_to("POST /2/tweets") == []
    button = held[-1]["blocks"][1]["elements"][0]
    assert button["action_id"] == "reply_override"
    _, rid = desk.click("reply_override", n, AGENT_A)
    assert "gesendet" in desk.answer(rid)
    assert len(desk.x.calls_to("POST /2/tweets")) == 1
    _, rid = desk.click("reply_override", n, AGENT_A)  # a second click sends nothing more
    assert "kein angehaltener Entwurf" in desk.answer(rid)
    assert len(desk.x.calls_to("POST /2/tweets")) == 1


def test_claim_button_double_click_claims_once(desk: DeskHarness) -> None:
    n = new_item(desk)
    _, r1 = desk.click("claim", n, AGENT_A)
    _, r2 = desk.click("claim", n, AGENT_A)
    answers = sorted([desk.answer(r1), desk.answer(r2)])
    assert any("bearbeitest jetzt" in a for a in answers)
    assert any("bereits" in a for a in answers)
    claims = [a for a in audit_actions(desk) if a[1] == "claim" and a[2] == "ok"]
    assert len(claims) == 1


def _open_reply_modal(desk: DeskHarness, n: int) -> dict:
    desk.click("reply", n, AGENT_A)
    call = wait_for(lambda: desk.slack.calls_to("views.open"), what="views.open")[-1]
    return call.body["view"] if isinstance(call.body["view"], dict) else json.loads(call.body["view"])


def _submit(desk: DeskHarness, view: dict, draft: str, override: bool = False):
    values = {"draft": {"draft_input": {"type": "plain_text_input", "value": draft}},
              "override": {"override_box": {"type": "checkboxes", "selected_options":
                                            [{"value": "override"}] if override else []}}}
    payload = {"type": "view_submission", "user": {"id": AGENT_A}, "team": {"id": "T0TEAM"},
               "api_app_id": "A0APP", "token": "x", "trigger_id": "1.2.3",
               "view": {**view, "id": "V1", "state": {"values": values}}}
    return desk.signed_post(interactivity_body(payload))


def test_reply_modal_shows_hint_and_field_errors(desk: DeskHarness) -> None:
    n = new_item(desk, text="Du, eure Hotline ist eine Frechheit, ich warte seit Stunden!")
    desk.run_command("/claim", str(n), AGENT_A)
    view = _open_reply_modal(desk, n)
    hint = json.dumps(view["blocks"], ensure_ascii=False)
    assert "Kunde duzt" in hint and "280" in hint and "^AB" in hint
    resp = _submit(desk, view, "Ruf uns an: 0171 2345678")
    assert resp.json()["response_action"] == "errors"
    assert "Telefonnummer" in resp.json()["errors"]["draft"]
    resp = _submit(desk, view, "Können Sie uns Ihre Nummer per DM senden?")
    assert "Angehalten" in resp.json()["errors"]["draft"]
    resp = _submit(desk, view, "x" * 300)
    assert "zu viel" in resp.json()["errors"]["draft"]
    assert desk.x.calls_to("POST /2/tweets") == []
    resp = _submit(desk, view, "Das tut uns leid, schreib uns bitte, wir helfen dir!")
    assert resp.status_code == 200 and resp.text == ""
    wait_for(lambda: desk.x.calls_to("POST /2/tweets"), what="reply sent")
    # the state is written after X answered (the modal's send runs after the ack): wait for it
    wait_for(lambda: desk.rt.items.get(n).state == "answered", what="item answered")


def test_reply_modal_override_checkbox_sends_other_address_form(desk: DeskHarness) -> None:
    n = new_item(desk, text="Du, eure Hotline ist eine Frechheit, ich warte seit Stunden!")
    desk.run_command("/claim", str(n), AGENT_A)
    view = _open_reply_modal(desk, n)
    _submit(desk, view, "Können Sie uns bitte eine DM senden?", override=True)
    wait_for(lambda: desk.x.calls_to("POST /2/tweets"), what="reply sent")


def test_noreply_modal_requires_a_reason(desk: DeskHarness) -> None:
    n = new_item(desk)
    desk.run_command("/claim", str(n), AGENT_A)
    desk.click("noreply", n, AGENT_A)
    call = wait_for(lambda: desk.slack.calls_to("views.open"), what="views.open")[-1]
    view = call.body["view"]
    payload = {"type": "view_submission", "user": {"id": AGENT_A}, "team": {"id": "T0TEAM"},
               "api_app_id": "A0APP", "token": "x", "trigger_id": "1.2.3",
               "view": {**view, "id": "V2", "state": {"values": {
                   "reason": {"reason_select": {"type": "static_select", "selected_option": None}},
                   "note": {"note_input": {"type": "plain_text_input", "value": ""}}}}}}
    resp = desk.signed_post(interactivity_body(payload))
    assert "Grund" in resp.json()["errors"]["reason"]
    payload["view"]["state"]["values"]["reason"]["reason_select"]["selected_option"] = {
        "value": "troll"}
    assert desk.signed_post(interactivity_body(payload)).status_code == 200
    assert desk.rt.items.get(n).reason == "troll"


def test_retried_event_is_handled_once(desk: DeskHarness) -> None:
    body = json.dumps({"token": "x", "team_id": "T0TEAM", "api_app_id": "A0APP",
                       "type": "event_callback", "event_id": "Ev0001", "event_time": 1,
                       "event": {"type": "app_home_opened", "user": AGENT_A, "tab": "home"}}
                      ).encode()
    hdrs = {"Content-Type": "application/json"}
    assert desk.signed_post(body, headers=hdrs).status_code == 200
    wait_for(lambda: desk.slack.calls_to("views.publish"), what="home published")
    assert desk.signed_post(body, headers={**hdrs, "X-Slack-Retry-Num": "1",
                                           "X-Slack-Retry-Reason": "http_timeout"}
                            ).status_code == 200
    time.sleep(0.3)
    assert len(desk.slack.calls_to("views.publish")) == 1


def test_app_home_lists_mine_and_unclaimed(desk: DeskHarness) -> None:
    n1 = new_item(desk, mid="1850000000000000201")
    n2 = new_item(desk, mid="1850000000000000202", text="Schon wieder Funkloch, danke für nichts!")
    desk.run_command("/claim", str(n1), AGENT_A)
    home = wait_for(lambda: desk.slack.home_view(AGENT_A), what="home view")
    text = json.dumps(home, ensure_ascii=False)
    assert f"#{n1}" in text and f"#{n2}" in text
    assert text.index("Meine Karten") < text.index(f"#{n1}") < text.index("Offen im Team") \
        < text.index(f"#{n2}")


def test_desk_help_lists_every_command(desk: DeskHarness) -> None:
    text = desk.run_command("/desk", "help", AGENT_A)
    for cmd in ("/claim", "/reply", "/dm", "/noreply", "/release", "/resolve", "/escalate",
                "/assign", "/queue", "/kuerzel", "/note", "/wait", "/find"):
        assert cmd in text


def test_slack_escaping_in_a_reply_is_undone_before_sending(desk: DeskHarness) -> None:
    n = new_item(desk)
    desk.run_command("/claim", str(n), AGENT_A)
    answer = desk.run_command(
        "/reply", f"{n} Tarif S &amp; M: <https://www.telekom.de/hilfe> &lt;3", AGENT_A)
    assert "gesendet" in answer
    assert desk.x.posted[-1]["text"] == "Tarif S & M: https://www.telekom.de/hilfe <3 ^AB"


def test_the_audit_keeps_the_reply_as_sent_not_as_slack_shows_it(desk: DeskHarness) -> None:
    n = new_item(desk)
    desk.run_command("/claim", str(n), AGENT_A)
    desk.run_command("/reply", f"{n} Tarif S &amp; M &lt;3", AGENT_A)
    sent = desk.x.posted[-1]["text"]
    replies = [e for e in AuditLog(desk.rt.redis).entries() if e["action"] == "reply"
               and e["outcome"] == "ok"]
    assert sent == "Tarif S & M <3 ^AB"
    assert json.loads(replies[-1]["details"])["text"] == sent
    # the thread shows it escaped, so Slack renders "&" and "<" literally
    assert any("Tarif S &amp; M &lt;3 ^AB" in line for line in thread_texts(desk, n))


def test_claiming_a_closed_item_says_it_is_closed_even_to_its_last_holder(
        desk: DeskHarness) -> None:
    n = new_item(desk)
    desk.run_command("/claim", str(n), AGENT_A)
    desk.run_command("/reply", f"{n} Das tut uns leid, wir kümmern uns.", AGENT_A)
    desk.run_command("/resolve", str(n), AGENT_A)
    answer = desk.run_command("/claim", str(n), AGENT_A)
    assert "erledigt" in answer and "bereits" not in answer
    assert desk.rt.items.get(n).state == "resolved"


def test_a_burst_of_commands_in_one_channel_is_acked_within_3_s(desk: DeskHarness) -> None:
    """Pacing thread lines (1/s per channel) happens after the ack, never before it."""
    import threading

    count = 12  # more than Bolt's default pool of 10 listener threads
    # twelve different complaints: twelve alike would be a storm (one incident card)
    texts = [
        "Eure Hotline ist eine Frechheit, seit Stunden in der Warteschleife!",
        "Meine Rechnung ist schon wieder falsch, doppelt abgebucht. Unmöglich!",
        "Der Router startet ständig neu, total nervig.",
        "Techniker kam nicht zum Termin, drei Tage Urlaub umsonst genommen. Ärgerlich!",
        "Vertragsverlängerung ohne mein Wissen, das ist Abzocke.",
        "Tarifwechsel seit einem Monat nicht umgesetzt, furchtbarer Service.",
        "Die App stürzt beim Login dauernd ab, schlecht programmiert.",
        "Mailbox lässt sich nicht abschalten, was soll der Mist?",
        "Kündigungsbestätigung kommt einfach nicht, langsam reicht es mir.",
        "Im Shop wurde ich unfreundlich abgewimmelt, enttäuschend.",
        "Glasfaserausbau verschoben, schon zum vierten Mal. Lächerlich.",
        "Rufnummernmitnahme gescheitert, ich bin seit Tagen nicht erreichbar. Katastrophe!"]
    numbers = [new_item(desk, mid=f"18500000000000005{i:02d}", text=text)
               for i, text in enumerate(texts)]
    for n in numbers:
        desk.run_command("/claim", str(n), AGENT_A)
    took: list[float] = []

    def reply(n: int) -> None:
        started = time.monotonic()
        resp, _ = desk.command("/reply", f"{n} Das tut uns leid, wir prüfen Fall {n}!", AGENT_A)
        took.append(time.monotonic() - started)
        assert resp.status_code == 200

    threads = [threading.Thread(target=reply, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(took) == count and max(took) < 3.0, took
    wait_for(lambda: len(desk.x.calls_to("POST /2/tweets")) == count, 30, "all replies sent")
    wait_for(lambda: sum("geantwortet" in t for n in numbers for t in thread_texts(desk, n))
             == count, 40, "every thread line posted (paced at 1/s per channel)")


def test_a_spent_response_url_falls_back_to_an_ephemeral_message(desk: DeskHarness) -> None:
    from tests.support.slack_signing import slash_body

    body = slash_body("/desk", "help", AGENT_A, "C0ALERTS",
                      response_url=desk.slack.response_url("spent"))
    for _ in range(6):  # Slack's response_url works 5 times; the 6th answer must still arrive
        assert desk.signed_post(body).status_code == 200
        time.sleep(0.05)
    wait_for(lambda: len(desk.slack.responses("spent")) == 5, 5, "five response_url answers")
    ephemeral = wait_for(lambda: desk.slack.ephemerals(user=AGENT_A), 5, "ephemeral fallback")
    assert len(ephemeral) == 1 and "Befehle" in ephemeral[0]["text"]


def test_app_home_of_a_non_agent_shows_no_customer_posts(desk: DeskHarness) -> None:
    new_item(desk)
    body = json.dumps({"token": "x", "team_id": "T0TEAM", "api_app_id": "A0APP",
                       "type": "event_callback", "event_id": "Ev0002", "event_time": 1,
                       "event": {"type": "app_home_opened", "user": STRANGER, "tab": "home"}}
                      ).encode()
    desk.signed_post(body, headers={"Content-Type": "application/json"})
    home = wait_for(lambda: desk.slack.home_view(STRANGER), what="home view")
    text = json.dumps(home, ensure_ascii=False)
    assert "nicht als Agent" in text and "Warteschleife" not in text


def test_an_answered_item_may_still_move_to_private_keeping_its_first_response(
        desk: DeskHarness) -> None:
    n = new_item(desk)
    desk.run_command("/claim", str(n), AGENT_A)
    desk.run_command("/reply", f"{n} Das tut uns leid, wir prüfen das!", AGENT_A)
    first = desk.rt.items.get(n)
    assert "private Nachrichten" in desk.run_command("/dm", str(n), AGENT_A)
    after = desk.rt.items.get(n)
    assert after.state == "private"
    assert after.answered_at == first.answered_at and after.reply_id == first.reply_id
    assert len(desk.x.calls_to("POST /2/tweets")) == 2  # the answer, then the public invite


def test_a_slash_command_is_acked_before_its_work_and_a_forged_one_is_refused(
        desk: DeskHarness) -> None:
    """The web process acks a slash command once its signature checks out; the listener runs
    afterwards and answers through response_url. A request signed with another secret gets
    Bolt's 401 and changes nothing."""
    from tests.support.slack_signing import signed_headers, slash_body

    n = new_item(desk)
    desk.slack.latency["chat.update"] = 1.5  # the claim redraws its card slowly
    started = time.monotonic()
    resp, rid = desk.command("/claim", str(n), AGENT_A)
    acked = time.monotonic() - started
    assert resp.status_code == 200 and resp.content == b""
    assert acked < 1.0, acked  # not behind the card update
    assert desk.slack.responses(rid) == []  # the answer comes after the ack
    assert "bearbeitest jetzt" in desk.answer(rid, timeout=10)
    desk.slack.latency.clear()

    forged = slash_body("/release", str(n), AGENT_A, "C0ALERTS",
                        response_url=desk.slack.response_url("forged"))
    r = desk.http.post("/slack/events", content=forged,
                       headers=signed_headers(forged, "not-the-signing-secret"))
    assert r.status_code == 401
    time.sleep(0.5)
    assert desk.rt.items.get(n).holder == AGENT_A and desk.slack.responses("forged") == []
