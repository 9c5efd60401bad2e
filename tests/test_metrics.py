"""`GET /metrics` (issue 13): prometheus-client's exposition, read back with its own parser; the
counters move by exactly what a scripted run did, in one process and across two workers."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.metrics import METRICS, PREFIX
from bot.store.metrics import MetricsStore
from tests.harness import AGENT_A, ROOT, DeskHarness, mention, wait_for
from tests.support.processes import desk_env, stop_processes
from tests.support.scrape import delta, parse, total, value

NEGATIVE_FESTNETZ = "Seit drei Tagen kein Internet, das ist eine Katastrophe!"
NEGATIVE_MOBIL = "Mein Handy hat seit gestern kein Netz, Frechheit!"
POSITIVE = "Danke euch, super schneller Service, alles funktioniert wieder!"
NEUTRAL = "Wann kommt eigentlich das neue Tarifangebot?"


def scrape(http: httpx.Client | str) -> dict:
    r = httpx.get(f"{http}/metrics", timeout=5) if isinstance(http, str) else http.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=")
    return parse(r.text)


def slack_calls(slack_api) -> int:
    return len([c for c in slack_api.calls if c.route != "response_url"])


def test_every_declared_metric_is_exposed_with_help_and_type(desk: DeskHarness) -> None:
    text = desk.http.get("/metrics").text
    for d in METRICS.values():
        name = PREFIX + d.name + ("_total" if d.kind == "counter" else "")
        assert f"# HELP {name} " in text
        assert f"# TYPE {name} {d.kind}" in text
    assert f"{PREFIX}timer_breaches_total 0.0" in text


def test_a_scripted_run_moves_the_counters_by_exactly_what_it_did(desk: DeskHarness) -> None:
    desk.slack.fail_next("chat.postMessage", 429, retry_after=0)  # Slack says slow down once
    before = scrape(desk.http)
    calls_before = slack_calls(desk.slack)
    r = desk.ingest(mention("9001", NEGATIVE_FESTNETZ, author="601"),
                    mention("9002", NEGATIVE_MOBIL, author="602"),
                    mention("9003", POSITIVE, author="603"),
                    mention("9004", NEUTRAL, author="604"),
                    mention("9001", NEGATIVE_FESTNETZ, author="601"))  # a duplicate
    assert r.json() == {"accepted": 4, "duplicate": 1, "rejected": []}
    desk.process()
    assert "#1" in desk.run_command("/claim", "1", AGENT_A, "C0FESTNETZ")
    wait_for(lambda: delta(scrape(desk.http), before, f"{PREFIX}ack_seconds_count") == 1, 5,
             "ack counted")
    after = scrape(desk.http)

    def moved(name: str, **labels: str) -> float:
        return delta(after, before, PREFIX + name, **labels)

    assert moved("mentions_ingested_total", network="twitter") == 4
    assert moved("mentions_triaged_total", sentiment="negative") == 2
    assert moved("mentions_triaged_total", sentiment="positive") == 1
    assert moved("mentions_triaged_total", sentiment="neutral") == 1
    assert moved("cards_posted_total", network="twitter") == 2
    assert moved("ingest_to_card_seconds_count", network="twitter") == 2
    assert moved("ack_seconds_count", kind="command") == 1
    assert value(after, f"{PREFIX}open_items", state="claimed") == 1
    assert value(after, f"{PREFIX}open_items", state="new") == 1
    assert value(after, f"{PREFIX}oldest_open_item_age_seconds") > 0
    assert value(after, f"{PREFIX}queue_backlog") == 0
    # every Slack call the emulator saw is counted once, the 429 as rate_limited
    posts = desk.slack.calls_to("chat.postMessage")
    assert moved("api_calls_total", api="slack", method="chat.postMessage") == len(posts)
    assert moved("api_calls_total", api="slack", method="chat.postMessage",
                 outcome="rate_limited") == 1
    assert moved("api_calls_total", api="slack") == slack_calls(desk.slack) - calls_before
    # a histogram's buckets are cumulative and end in its count
    assert value(after, f"{PREFIX}ingest_to_card_seconds_bucket", network="twitter",
                 le="+Inf") == value(after, f"{PREFIX}ingest_to_card_seconds_count",
                                     network="twitter")


def test_network_calls_are_counted_by_method_and_outcome(desk: DeskHarness) -> None:
    from bot.scheduler import worker_jobs

    desk.x.add_mention("1850000000000009101", f"@brand {NEGATIVE_FESTNETZ}", "701", "k701", "K")
    desk.x.fail_next("GET /2/users/:id/mentions", 503)
    jobs = worker_jobs(desk.rt)
    jobs["poll:x"].run()
    desk.rt.redis.delete("at:lease:poll:twitter")
    jobs["poll:x"].run()
    desk.graph.valid_tokens = {"something-else"}  # our page token is refused: Graph code 190
    jobs["poll:facebook"].run()
    got = scrape(desk.http)
    mentions = "GET /2/users/:id/mentions"
    x_calls = desk.x.calls_to(mentions)
    assert value(got, f"{PREFIX}api_calls_total", api="x", method=mentions,
                 outcome="server_error") == 1
    assert value(got, f"{PREFIX}api_calls_total", api="x", method=mentions,
                 outcome="ok") == len(x_calls) - 1
    assert total(got, f"{PREFIX}api_calls_total", api="x") == len(desk.x.calls)
    assert value(got, f"{PREFIX}api_calls_total", api="graph", method="GET :id/feed",
                 outcome="unauthorized") == 1
    assert value(got, f"{PREFIX}mentions_ingested_total", network="twitter") == 1


def test_counters_live_in_redis_so_every_process_adds_to_one_figure(redis_url: str) -> None:
    import redis

    a, b = (MetricsStore(redis.Redis.from_url(redis_url, decode_responses=True)) for _ in "ab")
    a.count("cards_posted", network="twitter")
    b.count("cards_posted", network="twitter", by=2)
    b.observe("timer_tick_seconds", 0.02)
    a.observe("timer_tick_seconds", 99)
    snap = a.read()
    assert snap.counters["cards_posted"][(("network", "twitter"),)] == 3
    h = snap.histograms["timer_tick_seconds"][()]
    assert (h.count, h.buckets[0.025], h.buckets[float("inf")]) == (2, 1, 1)
    with pytest.raises(ValueError):
        a.count("cards_posted")  # its label is missing: a bug, not a new series


def test_a_tally_sends_one_increment_per_field_and_adds_up_as_single_counts(
        redis_url: str) -> None:
    import redis

    r = redis.Redis.from_url(redis_url, decode_responses=True)
    r.flushall()
    one, tally = MetricsStore(r), MetricsStore.tally()
    for seconds in (0.3, 0.4, 1.5, 42.0):
        one.count("cards_posted", network="twitter")
        one.observe("ingest_to_card_seconds", seconds, network="twitter")
        tally.count("cards_posted", network="twitter")
        tally.observe("ingest_to_card_seconds", seconds, network="twitter")
    expected = one.read()
    r.flushall()
    pipe = r.pipeline(transaction=False)
    sent = tally.send(pipe)
    pipe.execute()
    # four observations in three buckets, their sum, their count, the counter: 6, not 20
    assert sent == 6
    got = one.read()
    assert got.counters == expected.counters
    assert got.histograms == expected.histograms
    with pytest.raises(ValueError):
        tally.count("cards_posted")  # a missing label is a bug here too
    with pytest.raises(ValueError):
        tally.observe("cards_posted", 1.0)  # a counter is not a histogram


# ----- across processes --------------------------------------------------------------------
@pytest.fixture
def env(tmp_path: Path, redis_url: str, slack_api, x_api, graph_api) -> dict[str, str]:
    return desk_env(tmp_path, redis_url, slack_api, x_api,
                    desk={"sources": {"x": {"poll_every": "1s"}}})


def start(env: dict[str, str], command: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bot", command], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def web(env: dict[str, str]) -> Iterator[str]:
    proc = start(env, "web")
    base = f"http://127.0.0.1:{env['PORT']}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/metrics", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, 120, "web process up")  # imports alone take 10-20 s on a busy machine
        yield base
    finally:
        stop_processes([proc])


def test_metrics_over_a_scripted_run_across_two_worker_processes(
        env, web: str, slack_api, x_api) -> None:
    """Worker 1 alone takes the first batch; worker 2 joins; worker 1 stops; worker 2 takes the
    second. Both ingest by polling X too. The web process's `/metrics` shows the sum, exactly."""
    before = scrape(web)

    def ingest(*lines: dict) -> None:
        import json
        body = "\n".join(json.dumps(m) for m in lines)
        r = httpx.post(f"{web}/ingest", content=body, timeout=5,
                       headers={"Authorization": "Bearer tok"})
        assert r.status_code == 200, r.text

    def cards() -> int:
        return sum(len([m for m in slack_api.messages(c) if m.get("metadata")])
                   for c in ("C0FESTNETZ", "C0MOBIL", "C0ALERTS"))

    first = start(env, "worker")
    second = None
    try:
        x_api.add_mention("1850000000000009201", f"@brand {NEGATIVE_MOBIL}", "801", "k801", "K")
        ingest(mention("9301", NEGATIVE_FESTNETZ, author="901"),
               mention("9302", POSITIVE, author="902"))
        wait_for(lambda: cards() == 2, 120, "first batch: 2 cards (one polled from X)")
        second = start(env, "worker")
        wait_for(lambda: value(scrape(web), f"{PREFIX}workers_alive") == 2, 120, "2 workers")
        stop_processes([first])
        x_api.add_mention("1850000000000009202", f"@brand {NEGATIVE_FESTNETZ} Immer noch!",
                          "803", "k803", "K")
        ingest(mention("9303", NEGATIVE_MOBIL, author="904"),
               mention("9304", NEUTRAL, author="905"))
        wait_for(lambda: cards() == 4, 30, "second batch: 2 more cards")
    finally:
        stop_processes([p for p in (first, second) if p is not None])
    after = scrape(web)

    def moved(name: str, **labels: str) -> float:
        return delta(after, before, PREFIX + name, **labels)

    assert moved("mentions_ingested_total", network="twitter") == 6
    assert moved("mentions_triaged_total", network="twitter") == 6
    assert moved("mentions_triaged_total", sentiment="negative") == 4
    assert moved("cards_posted_total", network="twitter") == 4
    assert moved("ingest_to_card_seconds_count", network="twitter") == 4
    assert moved("api_calls_total", api="slack") == slack_calls(slack_api)
    assert moved("api_calls_total", api="slack", method="chat.postMessage",
                 outcome="ok") == len(slack_api.accepted_posts())
    assert moved("api_calls_total", api="x") == len(x_api.calls)
    assert moved("timer_tick_seconds_count") > 0
    assert value(after, f"{PREFIX}open_items", state="new") == 4
    assert value(after, f"{PREFIX}queue_backlog") == 0
