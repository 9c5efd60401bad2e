"""Erasure (Art. 17) and export (Art. 15) of one customer through the CLI, as processes against a
real redis-server; after an erasure every key is scanned for what is left of the customer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.reports import gather
from bot.store import keys
from bot.summary import as_dict
from tests.harness import AGENT_A, AGENT_B, ROOT, DeskHarness, mention
from tests.support.redis_dump import leftovers

ERASED = "kx-zebra-erase"  # author id; the harness makes handle `kunde_<id>`, name `Kunde <id>`
OTHER = "kx-otter-stays"

def cli(desk: DeskHarness, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw.update(business_hours="always", closed=[])
    cfg = tmp_path / "desk.yaml"
    cfg.write_text(yaml.safe_dump(raw))
    env = {"PATH": os.environ.get("PATH", ""), "REDIS_URL": desk.settings.redis_url,
           "DESK_CONFIG": str(cfg)}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def number(desk: DeskHarness, m: dict[str, Any]) -> int:
    n = desk.rt.items.number_for_mention(m["network"], m["id"])
    assert n is not None, f"{m['id']} became no item"
    return n


def audit_rows(desk: DeskHarness) -> list[dict[str, str]]:
    return list(desk.rt.audit.entries())


# ----- erasure ----------------------------------------------------------------------------------
def test_erase_leaves_no_trace_of_the_customer_and_the_day_still_adds_up(
        desk: DeskHarness, tmp_path: Path) -> None:
    a = mention("1850000000000000101", "Seit drei Tagen kein Internet in Zebrahausen, das ist "
                "eine Katastrophe!", author=ERASED)
    d = mention("1850000000000000102", "Schon wieder kein Internet, Zebrafink-Chaos, eine "
                "Frechheit!", author=ERASED)
    o = mention("1850000000000000201", "Seit drei Tagen kein Internet in Ottendorf, das ist eine "
                "Katastrophe!", author=OTHER)
    desk.ingest(a, d, o)
    desk.process()
    na, nd, no = number(desk, a), number(desk, d), number(desk, o)
    desk.run_command("/claim", str(na), AGENT_A)
    follow = mention("1850000000000000103", "Immer noch kein Internet in Zebrahausen, unfassbar "
                     "schlecht!", author=ERASED, in_reply_to=a["id"])
    thanks = mention("1850000000000000104", "Danke, das Internet in Zebrahausen läuft wieder!",
                     author=ERASED)
    desk.ingest(follow, thanks)
    desk.process()
    assert desk.rt.items.number_for_mention("twitter", follow["id"]) == na  # threaded
    assert "gesendet" in desk.run_command(
        "/reply", f"{na} Das tut uns leid, @kunde_{ERASED}, wir prüfen das sofort!", AGENT_A)
    desk.run_command("/claim", str(nd), AGENT_A)
    desk.run_command("/noreply", f"{nd} spam", AGENT_A)
    desk.run_command("/claim", str(no), AGENT_B)
    desk.run_command("/reply", f"{no} Das tut uns leid, wir prüfen das!", AGENT_B)
    r = desk.rt.redis
    day = datetime.now(desk.rt.desk.tz).date()
    figures = as_dict(gather(desk.rt, day))
    other_item = r.hgetall(keys.item(no))
    other_audit = [e for e in audit_rows(desk) if e["item"] == str(no)]
    assert leftovers(r, ERASED) and leftovers(r, "Zebrahausen")  # it was all there

    out = cli(desk, tmp_path, "erase", "--network", "twitter", "--author", ERASED,
              "--by", "DSB-Vorgang-7")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["items"] == sorted([na, nd]) and report["closed_open"] == []
    assert report["stream_entries"] == 4  # the two items, the follow-up, the thanks
    assert report["audit_entries"] > 0 and len(report["slack_threads"]) == 2
    assert ERASED not in out.stdout + out.stderr

    traces = (ERASED, "Zebrahausen", "Zebrafink", a["id"], d["id"], follow["id"], thanks["id"])
    assert leftovers(r, *traces) == []
    assert as_dict(gather(desk.rt, day)) == figures  # the summary still adds up
    assert r.hgetall(keys.item(no)) == other_item  # the other customer is untouched
    assert [e for e in audit_rows(desk) if e["item"] == str(no)] == other_audit
    assert leftovers(r, OTHER) and leftovers(r, "Ottendorf")
    assert r.exists(keys.seen("twitter", o["id"]))
    item = desk.rt.items.get(na)
    assert item is not None and item.state == "answered" and item.answered_by == AGENT_A
    assert item.mention.text == "[gelöscht: Löschantrag]" and item.reply_text == item.mention.text

    last = audit_rows(desk)[-1]
    details = json.loads(last["details"])
    assert (last["actor"], last["action"]) == ("DSB-Vorgang-7", "erasure")
    assert details["subject"] == report["subject"] and details["items"] == 2

    desk.rt.desk.watch.tick()  # the worker shows the cards anonymised
    for thread in report["slack_threads"]:
        card = json.dumps(desk.slack.message(thread["channel"], thread["ts"])["blocks"],
                          ensure_ascii=False)
        assert "Zebra" not in card and ERASED not in card and "[gelöscht" in card

    again = desk.ingest(a, publish=False)  # the erased post is still a duplicate, id hashed
    assert again.json()["duplicate"] == 1
    bad = cli(desk, tmp_path, "erase", "--network", "myspace", "--author", ERASED)
    assert bad.returncode == 2 and "--network" in bad.stderr


def test_erase_closes_open_items_and_clears_held_drafts_pending_entries_and_dead_letters(
        desk: DeskHarness, tmp_path: Path) -> None:
    from bot.entry.worker import MAX_DELIVERIES, Worker

    sie = mention("1850000000000000301", "Können Sie mir helfen? Seit drei Tagen kein Internet "
                  "in Zebrahausen, eine Katastrophe!", author=ERASED)
    o = mention("1850000000000000401", "Seit drei Tagen kein Internet in Ottendorf, eine "
                "Katastrophe!", author=OTHER)
    desk.ingest(sie, o)
    desk.process()
    n1, no = number(desk, sie), number(desk, o)
    desk.run_command("/claim", str(n1), AGENT_A)
    held = desk.run_command("/reply", f"{n1} Schau bitte, ob dein Router leuchtet.", AGENT_A)
    r = desk.rt.redis
    assert r.exists(keys.held_reply(n1, AGENT_A)), held
    assert desk.rt.desk.watch.store.pending(n1)  # its response clock runs

    desk.slack.fail_next("chat.postMessage", 200, times=50,
                         body={"ok": False, "error": "channel_not_found"})
    parked = mention("1850000000000000302", "Eure Hotline in Zebrahausen ist eine Frechheit, "
                     "seit Stunden Warteschleife!", author=ERASED)
    desk.ingest(parked)
    worker = Worker(desk.rt, name="w", reclaim_idle_ms=0)
    for _ in range(MAX_DELIVERIES + 1):
        worker.step(block_ms=50)
    assert r.xlen(keys.DEAD_LETTERS) == 1
    stuck = mention("1850000000000000303", "Kein Internet in Zebrahausen!", author=ERASED)
    desk.ingest(stuck)
    assert desk.rt.queue.read("stalled", block_ms=100)  # read, never acknowledged: pending

    out = cli(desk, tmp_path, "erase", "--network", "twitter", "--author", ERASED)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    n3 = report["items"][-1]  # the parked mention's item: created, never posted
    assert report["closed_open"] == [n1, n3] and report["dead_letters"] == 1
    assert f"#{n1}" in out.stderr and "erased" in out.stderr
    item = desk.rt.items.get(n1)
    assert item is not None and (item.state, item.reason) == ("noreply", "erased")
    assert desk.rt.items.open_numbers() == [no]
    assert not desk.rt.desk.watch.store.pending(n1)
    assert not any(m.startswith(f"{n1}:") for m in r.zrange(keys.TIMERS, 0, -1))
    assert not r.exists(keys.held_reply(n1, AGENT_A))
    assert r.xlen(keys.DEAD_LETTERS) == 0
    assert r.xpending(keys.MENTION_STREAM, keys.MENTION_GROUP)["pending"] == 0
    assert r.xlen(keys.MENTION_STREAM) == 1  # the other customer's mention
    assert leftovers(r, ERASED, "Zebrahausen", sie["id"], parked["id"], stuck["id"]) == []
    assert desk.rt.items.get(no).state == "new" and leftovers(r, "Ottendorf")


# ----- export -----------------------------------------------------------------------------------
def test_export_customer_writes_their_items_entries_and_history(desk: DeskHarness,
                                                                tmp_path: Path) -> None:
    a = mention("1850000000000000501", "Seit drei Tagen kein Internet in Zebrahausen, das ist "
                "eine Katastrophe!", author=ERASED)
    o = mention("1850000000000000601", "Seit drei Tagen kein Internet in Ottendorf, das ist eine "
                "Katastrophe!", author=OTHER)
    desk.ingest(a, o)
    desk.process()
    na = number(desk, a)
    desk.run_command("/claim", str(na), AGENT_A)
    desk.run_command("/reply", f"{na} Das tut uns leid, wir prüfen das!", AGENT_A)

    out = cli(desk, tmp_path, "export-customer", "--network", "twitter", "--author", ERASED)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["author_id"] == ERASED and [i["number"] for i in data["items"]] == [na]
    item = data["items"][0]
    assert item["mention"]["text"] == a["text"] and item["state"] == "answered"
    assert item["reply_text"].startswith("Das tut uns leid")
    assert [h["action"] for h in item["history"]] == ["post", "claim", "reply"]
    assert [e["mention"]["id"] for e in data["stream_entries"]] == [a["id"]]
    assert OTHER not in out.stdout and "Ottendorf" not in out.stdout
    last = audit_rows(desk)[-1]
    assert last["action"] == "export" and ERASED not in json.dumps(last)


def test_erase_finds_items_created_before_the_author_index(desk: DeskHarness,
                                                           tmp_path: Path) -> None:
    old = mention("1850000000000000701", "Seit drei Tagen kein Internet in Zebrahausen, das ist "
                  "eine Katastrophe!", author=ERASED)
    desk.ingest(old)
    desk.process()
    n_old = number(desk, old)
    follow = mention("1850000000000000702", "Immer noch kein Internet in Zebrahausen, unfassbar "
                     "schlecht!", author=ERASED, in_reply_to=old["id"])
    desk.ingest(follow)
    desk.process()
    r = desk.rt.redis
    # as a desk upgraded now has them: no index, no links, the index starting after them
    r.delete(keys.author_items("twitter", ERASED), keys.item_links(n_old), keys.AUTHOR_INDEX_SINCE)
    r.xtrim(keys.MENTION_STREAM, maxlen=0)  # and its old mentions already trimmed away
    new = mention("1850000000000000703", "Wieder kein Internet in Zebrahausen, eine Frechheit!",
                  author=ERASED)
    desk.ingest(new)
    desk.process()
    n_new = number(desk, new)
    assert r.get(keys.AUTHOR_INDEX_SINCE) == str(n_new)

    out = cli(desk, tmp_path, "erase", "--network", "twitter", "--author", ERASED)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["items"] == [n_old, n_new]
    assert leftovers(r, ERASED, "Zebrahausen", old["id"], follow["id"], new["id"]) == []


def test_erase_takes_the_customers_post_off_an_incident_card_and_leaves_the_incident(
        desk: DeskHarness, tmp_path: Path) -> None:
    from tests.test_incidents import storm

    posts = list(storm(6))
    first = posts[0]  # the earliest: the incident card shows it
    first["author"] = {"id": ERASED, "handle": f"kunde_{ERASED}", "name": f"Kunde {ERASED}"}
    desk.ingest(*posts)
    desk.process()
    n_first = number(desk, first)
    incident = desk.rt.items.get(n_first).incident
    assert incident is not None
    shown = desk.rt.items.get(incident)
    assert shown.is_incident and shown.mention.text == first["text"]

    out = cli(desk, tmp_path, "erase", "--network", "twitter", "--author", ERASED)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["incidents"] == [incident] and report["items"] == [n_first]
    assert desk.rt.items.get(n_first).reason == "erased"  # it was open: closed, no reply
    after = desk.rt.items.get(incident)
    assert after is not None and after.is_open and after.mention.text == "[gelöscht: Löschantrag]"
    assert leftovers(desk.rt.redis, ERASED, first["text"], first["id"]) == []
    others = [desk.rt.items.get(number(desk, m)) for m in posts[1:]]
    assert all(o.incident == incident and o.mention.text == m["text"]
               for o, m in zip(others, posts[1:], strict=True))
