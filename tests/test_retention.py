"""Retention (`retention:` in desk.yaml) on a real redis-server with a manual clock: what is
anonymised when, the audit trimmed, the daily job once across workers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis

from bot.entry.runtime import build_runtime
from bot.reports import gather
from bot.scheduler import retention_job, worker_jobs
from bot.settings import Settings
from bot.store import keys
from bot.summary import as_dict
from tests.harness import AGENT_A, AGENT_B, DeskHarness, desk_config, mention
from tests.support.redis_dump import leftovers

RETENTION = {"items": "180d", "audit": "365d"}


class Clock:
    """The desk's manual clock."""

    def __init__(self, t: datetime) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t


def number(desk: DeskHarness, m: dict[str, Any]) -> int:
    n = desk.rt.items.number_for_mention(m["network"], m["id"])
    assert n is not None, f"{m['id']} became no item"
    return n


def audit_rows(desk: DeskHarness) -> list[dict[str, str]]:
    return list(desk.rt.audit.entries())


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def kept_desk(redis_url: str, slack_api: Any, x_api: Any, graph_api: Any, signing_secret: str,
              clock: Clock) -> Iterator[DeskHarness]:
    """The desk with `retention: {items: 180d, audit: 365d}` on a manual clock."""
    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                    config=desk_config(retention=RETENTION), now=clock)
    yield h
    h.close()


def test_retention_anonymises_items_closed_181_days_ago_not_179_never_open_ones(
        kept_desk: DeskHarness, clock: Clock) -> None:
    desk, t0 = kept_desk, clock.t
    old, late, still, spam = (
        mention(f"18500000000000007{i}", f"Seit drei Tagen kein Internet in {town}, das ist eine "
                "Katastrophe!", author=f"kx-ret-{i}")
        for i, town in enumerate(("Altdorf", "Spätdorf", "Offenbach", "Spamdorf")))
    desk.ingest(old, late, still, spam)
    desk.process()
    n_old, n_late, n_still, n_spam = (number(desk, m) for m in (old, late, still, spam))
    follow = mention("1850000000000000799", "Immer noch kein Internet in Altdorf, unfassbar!",
                     author="kx-ret-0", in_reply_to=old["id"])
    desk.run_command("/claim", str(n_old), AGENT_A)
    desk.ingest(follow)
    desk.process()
    desk.run_command("/reply", f"{n_old} Das tut uns leid, wir prüfen das!", AGENT_A)
    desk.run_command("/claim", str(n_spam), AGENT_B)
    desk.run_command("/noreply", f"{n_spam} spam", AGENT_B)
    desk.run_command("/claim", str(n_late), AGENT_B)
    clock.t = t0 + timedelta(days=2)
    desk.run_command("/reply", f"{n_late} Das tut uns leid, wir prüfen das!", AGENT_B)
    r = desk.rt.redis
    day = t0.astimezone(desk.rt.desk.tz).date()
    figures = as_dict(gather(desk.rt, day))

    clock.t = t0 + timedelta(days=181)
    report = retention_job(desk.rt)
    assert report is not None and report.items == 2
    assert report.stream_entries == 5  # ingested before the limit: every stream entry
    for n in (n_old, n_spam):
        item = desk.rt.items.get(n)
        assert item is not None and item.mention.text == "[gelöscht: Aufbewahrungsfrist]"
        assert item.extra["anonymised_for"] == "retention"
    assert desk.rt.items.get(n_old).reply_text == "[gelöscht: Aufbewahrungsfrist]"
    assert desk.rt.items.get(n_spam).reason == "spam"
    assert desk.rt.items.get(n_late).mention.text == late["text"]  # closed 179 days ago
    assert desk.rt.items.get(n_still).mention.text == still["text"]  # open: never
    assert as_dict(gather(desk.rt, day)) == figures
    assert leftovers(r, "kx-ret-0", "kx-ret-3", "Altdorf", "Spamdorf") == []
    # the post ids stay only in the audit trail (until `retention.audit`), not in any key
    assert {k for k, _ in leftovers(r, old["id"], follow["id"], spam["id"])} == {keys.AUDIT_STREAM}
    assert r.pttl(keys.seen_forgotten("twitter", old["id"])) > 0  # still a duplicate, hashed
    assert leftovers(r, "Spätdorf") and leftovers(r, "Offenbach")

    refusal = desk.run_command("/dm", str(n_old), AGENT_A)
    assert "anonymisiert" in refusal
    line = [e for e in audit_rows(desk) if e["action"] == "retention"][-1]
    assert json.loads(line["details"]) == {"items": 2, "stream_entries": 5, "dead_letters": 0,
                                           "audit_entries": 0}
    clock.t = t0 + timedelta(days=190)  # 188 days after its answer
    assert retention_job(desk.rt) is not None and desk.rt.items.get(n_late).extra.get(
        "anonymised_at")
    assert desk.rt.items.get(n_still).mention.text == still["text"]


def test_retention_runs_once_a_day_across_two_workers(kept_desk: DeskHarness,
                                                     clock: Clock) -> None:
    other = build_runtime(kept_desk.settings, kept_desk.config, now=clock)
    assert "retention" in worker_jobs(other)
    assert retention_job(kept_desk.rt) is not None
    assert retention_job(other) is None and retention_job(kept_desk.rt) is None
    clock.t += timedelta(days=1)
    assert retention_job(other) is not None
    assert len([e for e in audit_rows(kept_desk) if e["action"] == "retention"]) == 2
    plain = build_runtime(kept_desk.settings, desk_config(), now=clock)
    assert "retention" not in worker_jobs(plain)  # without `retention:` nothing is removed


def test_retention_trims_the_audit_trail_to_its_limit(redis_url: str) -> None:
    now = datetime.now(UTC)
    r = redis.Redis.from_url(redis_url, decode_responses=True)
    for days in (400, 366, 364):  # older entries, as a long-running desk has them
        ms = int((now - timedelta(days=days)).timestamp() * 1000)
        r.xadd(keys.AUDIT_STREAM, {"action": f"{days} days ago"}, id=f"{ms}-0")
    rt = build_runtime(Settings(redis_url=redis_url), desk_config(retention={"audit": "365d"}),
                       now=lambda: now)
    rt.audit.record("U0AGENT1", "claim", 1, "ok")
    report = rt.desk.privacy.expire()
    assert report.audit_entries == 2 and report.items == 0
    assert [e["action"] for e in rt.audit.entries()] == ["364 days ago", "claim", "retention"]


def test_retention_anonymises_a_closed_incident_and_its_members(kept_desk: DeskHarness,
                                                                clock: Clock) -> None:
    from tests.test_incidents import storm

    desk, t0 = kept_desk, clock.t
    posts = list(storm(6))
    desk.ingest(*posts)
    desk.process()
    incident = desk.rt.items.get(number(desk, posts[0])).incident
    assert incident is not None and desk.rt.items.get(incident).mention.text == posts[0]["text"]
    desk.run_command("/claim", str(incident), AGENT_A)
    desk.run_command("/noreply", f"{incident} solved", AGENT_A)
    members = [number(desk, m) for m in posts]

    clock.t = t0 + timedelta(days=179)
    assert retention_job(desk.rt) is not None
    assert desk.rt.items.get(incident).mention.text == posts[0]["text"]  # not yet
    clock.t = t0 + timedelta(days=181)
    report = retention_job(desk.rt)
    assert report is not None and report.items == len(members) + 1
    after = desk.rt.items.get(incident)
    assert after is not None and after.is_incident and after.state == "noreply"
    assert after.mention.text == "[gelöscht: Aufbewahrungsfrist]"
    assert all(desk.rt.items.get(m).incident == incident for m in members)
    authors = [m["author"]["id"] for m in posts]
    assert leftovers(desk.rt.redis, *(m["text"] for m in posts), *(f"kunde_{a}" for a in authors)) \
        == []
