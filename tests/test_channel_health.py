"""Channel health (issue 13): the watchdog tells the leads, once, when a channel fails quietly,
and once when it is fine again; a Slack that refuses our token makes `/healthz` say so.

The first two tests run `python -m bot web` and `worker` as processes against the emulators
(three workers in the first); the rest check the rules and the once-only bookkeeping in process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis
import yaml

from bot.config import config_from_dict
from bot.health import Watchdog, poll_verdict, problems, record_poll
from bot.metrics import Call
from bot.store.health import HealthStore, PollState
from tests.harness import ROOT, DeskHarness, mention, wait_for
from tests.support.processes import desk_env, stop_processes
from tests.support.scrape import parse, value

POLL_S = 3.0  # sources.x.poll_every of the process tests
LEADS = "C0LEADS"  # summary.channel in config/desk.yaml


@pytest.fixture
def env(tmp_path: Path, redis_url: str, slack_api, x_api) -> dict[str, str]:
    return desk_env(tmp_path, redis_url, slack_api, x_api, WORKER_RECLAIM_MS="1000",
                    desk={"sources": {"x": {"poll_every": f"{POLL_S:g}s"}},
                          "summary": {"channel": LEADS}})


@contextmanager
def running(env: dict[str, str], workers: int) -> Iterator[str]:
    """`python -m bot web` and `workers` workers, until all beat; yields the web's URL."""
    procs = [subprocess.Popen([sys.executable, "-m", "bot", cmd], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for cmd in ["web"] + ["worker"] * workers]
    base = f"http://127.0.0.1:{env['PORT']}"
    seen: list[object] = []

    def all_beating() -> bool:
        try:
            seen[:] = [httpx.get(f"{base}/healthz", timeout=1).json()]
        except (httpx.HTTPError, ValueError) as exc:
            seen[:] = [exc]
            return False
        return isinstance(seen[0], dict) and seen[0].get("workers") == workers

    try:
        try:
            wait_for(all_beating, 120, f"web and {workers} workers up")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; /healthz said {seen}") from None
        yield base
    finally:
        stop_processes(procs)


def leads_posts(slack_api) -> list[str]:
    return [m["text"] for m in slack_api.messages(LEADS)]


def test_x_refusing_our_token_is_told_to_the_leads_once_and_its_recovery_once(
        env, slack_api, x_api) -> None:
    with running(env, workers=3) as base:
        wait_for(lambda: len(x_api.calls_to("GET /2/users/:id/mentions")) >= 2, 20,
                 "X polled")
        assert leads_posts(slack_api) == []
        x_api.reject_tokens(401)
        refused_at = time.time()
        alert = wait_for(lambda: slack_api.accepted_posts(LEADS), 20, "alert")[0]
        assert alert.at - refused_at <= 2 * POLL_S, "alert within two poll intervals"
        time.sleep(3 * POLL_S)  # polls keep failing on all three workers: nothing more
        texts = leads_posts(slack_api)
        assert len(texts) == 1, texts
        assert "*X*" in texts[0] and "Zugangstoken" in texts[0] and "401" in texts[0]
        assert "X_*" in texts[0]  # what to renew
        problem = httpx.get(f"{base}/healthz", timeout=5).json()["channels"]
        assert problem == [{"network": "X", "condition": "token", "detail": "401"}]
        scraped = parse(httpx.get(f"{base}/metrics", timeout=5).text)
        assert value(scraped, "alert_team_channel_problem", network="twitter",
                     condition="token") == 1
        assert value(scraped, "alert_team_health_alerts_total", condition="token") == 1

        x_api.reject_tokens(None)
        wait_for(lambda: len(leads_posts(slack_api)) >= 2, 20, "recovery")
        time.sleep(3 * POLL_S)
        texts = leads_posts(slack_api)
        assert len(texts) == 2, texts
        assert "*X*" in texts[1] and "wieder in Ordnung" in texts[1]
        assert "channels" not in httpx.get(f"{base}/healthz", timeout=5).json()


def test_slack_refusing_our_token_makes_healthz_fail_naming_slack(env, slack_api) -> None:
    with running(env, workers=1) as base:
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
        slack_api.refuse_token("token_revoked")
        line = json.dumps(mention("9501", "Seit drei Tagen kein Internet, Katastrophe!"))
        httpx.post(f"{base}/ingest", content=line, timeout=5,
                   headers={"Authorization": "Bearer tok"})

        def failing() -> httpx.Response | None:
            r = httpx.get(f"{base}/healthz", timeout=5)
            return r if r.status_code == 503 else None

        r = wait_for(failing, 20, "/healthz 503")
        body = r.json()
        assert body["ok"] is False and body["workers"] == 1 and body["slack"] == "refused"
        assert "Slack" in body["reason"] and "token_revoked" in body["reason"]
        assert "SLACK_BOT_TOKEN" in body["reason"]
        wait_for(lambda: httpx.get(f"{base}/healthz", timeout=5).json().get("channels"), 10,
                 "the watchdog has seen it")
        assert httpx.get(f"{base}/healthz", timeout=5).json()["channels"] == [
            {"network": "Slack", "condition": "slack", "detail": "token_revoked"}]
        assert leads_posts(slack_api) == []  # Slack cannot be told

        slack_api.refuse_token(None)  # reinstalled: the card goes out on the next attempt
        wait_for(lambda: httpx.get(f"{base}/healthz", timeout=5).status_code == 200, 30,
                 "/healthz 200 again")
        recovered = wait_for(lambda: leads_posts(slack_api), 20, "Slack's recovery post")
        assert len(recovered) == 1 and "*Slack*" in recovered[0]
        assert "wieder in Ordnung" in recovered[0]


# ----- the rules -------------------------------------------------------------------------------
def config(**health: str):
    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw["health"] = health
    return config_from_dict(raw)


MONDAY_NOON = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 12:00 in Berlin: business hours
SUNDAY = datetime(2026, 11, 29, 11, 0, tzinfo=UTC)


def test_health_thresholds_come_from_desk_yaml_and_a_bad_one_names_its_field() -> None:
    from bot.errors import ConfigError

    cfg = config(poll_failing="5m", webhook_silence="1h")
    assert (cfg.health.poll_failing, cfg.health.webhook_silence) == (
        timedelta(minutes=5), timedelta(hours=1))
    assert config().health.poll_failing == timedelta(minutes=10)
    assert config().health.webhook_silence == timedelta(hours=2)
    with pytest.raises(ConfigError, match=r"health\.poll_failing"):
        config(poll_failing="bald")
    with pytest.raises(ConfigError, match="health"):
        config(poll_failng="5m")


def test_a_poll_is_judged_by_its_last_answered_call() -> None:
    ok, refused = Call("x", "GET m", "ok", 200), Call("x", "GET m", "unauthorized", 401)
    graph = Call("graph", "GET :id/feed", "unauthorized", 400, "190")
    assert poll_verdict([]) is None
    assert poll_verdict([Call("x", "GET m", "rate_limited", 429)]) is None
    assert poll_verdict([ok]) == ("ok", "")
    assert poll_verdict([ok, refused]) == ("token", "401")
    assert poll_verdict([graph]) == ("token", "190")
    assert poll_verdict([Call("x", "GET m", "server_error", 503)]) == ("failed", "503")
    assert poll_verdict([Call("x", "GET m", "unreachable")]) == ("failed", "unreachable")


def judge(cfg, now, polls=None, webhooks=None, budgets=None, slack=None):
    found, unknown = problems(now, cfg, cfg.business_clock(), polls or {}, webhooks or {},
                              budgets or {}, slack)
    return sorted(p.key for p in found), unknown


def test_polling_failing_counts_only_after_poll_failing() -> None:
    cfg = config(poll_failing="10m")
    t = MONDAY_NOON.timestamp()
    failing = PollState(ok_at=t - 3600, failing_since=t - 9 * 60, status="503")
    assert judge(cfg, MONDAY_NOON, {"facebook": failing}) == ([], set())
    failing = PollState(ok_at=t - 3600, failing_since=t - 11 * 60, status="503")
    assert judge(cfg, MONDAY_NOON, {"facebook": failing}) == (["polling:facebook"], set())
    refused = PollState(failing_since=t - 11 * 60, status="401", token="401")
    assert judge(cfg, MONDAY_NOON, {"twitter": refused}) == (["token:twitter"], set())


def test_webhook_silence_counts_in_business_hours_only_while_polling_finds_comments() -> None:
    cfg = config(webhook_silence="2h")
    t = MONDAY_NOON.timestamp()
    found = PollState(ok_at=t, found_at=t, found_since=t - 60)
    quiet = PollState(ok_at=t)
    # delivered 3 h ago, polling finds new comments: the webhook is broken
    assert judge(cfg, MONDAY_NOON, {"facebook": found}, {"facebook": t - 3 * 3600}) == (
        ["webhook:facebook"], set())
    # polling finds nothing new: silence is just a quiet page
    assert judge(cfg, MONDAY_NOON, {"facebook": quiet}, {"facebook": t - 3 * 3600}) == ([], set())
    # only one business hour since the last delivery at Saturday's close (Sunday is closed)
    saturday_close = datetime(2026, 11, 21, 17, 0, tzinfo=UTC).timestamp()  # 18:00 Berlin
    monday_nine = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert judge(cfg, monday_nine, {"facebook": found}, {"facebook": saturday_close}) == (
        [], set())
    # a desk that never received a webhook only polls: no alert
    assert judge(cfg, MONDAY_NOON, {"facebook": found}, {"facebook": None}) == ([], set())
    # outside business hours the condition is left as it is
    s = SUNDAY.timestamp()
    assert judge(cfg, SUNDAY, {"facebook": PollState(found_since=s)},
                 {"facebook": s - 9 * 3600}) == ([], {"webhook:facebook"})


def test_budgets_above_80_percent_and_slack_refusing_are_problems() -> None:
    cfg = config()
    assert judge(cfg, MONDAY_NOON, budgets={("twitter", "read"): 0.8}) == ([], set())
    assert judge(cfg, MONDAY_NOON, budgets={("twitter", "read"): 0.81}) == (
        ["budget:twitter:read"], set())
    assert judge(cfg, MONDAY_NOON, slack=("invalid_auth", 1.0)) == (["slack"], set())


def test_two_watchdogs_on_one_redis_alert_and_recover_once(redis_url: str) -> None:
    posted: list[tuple[str, str]] = []
    cfg = config()
    dogs = []
    for _ in range(2):
        store = HealthStore(redis.Redis.from_url(redis_url, decode_responses=True))
        dogs.append(Watchdog(cfg, store, cfg.business_clock(), polled=["twitter"], webhooks=[],
                             post=lambda ch, text: posted.append((ch, text)),
                             take=lambda name, ms: True, now=lambda: MONDAY_NOON))
    store = dogs[0].store
    t = MONDAY_NOON.timestamp()
    record_poll(store, "twitter", [Call("x", "GET m", "unauthorized", 401)], 0, t)
    for _ in range(3):
        for dog in dogs:
            dog.check()
    assert len(posted) == 1 and posted[0][0] == "C0LEADS" and "*X*" in posted[0][1]
    record_poll(store, "twitter", [Call("x", "GET m", "ok", 200)], 0, t + 5)
    for _ in range(3):
        for dog in dogs:
            dog.check()
    assert len(posted) == 2 and "wieder in Ordnung" in posted[1][1]


def test_a_failed_alert_post_is_tried_again_on_the_next_check(redis_url: str) -> None:
    cfg = config()
    store = HealthStore(redis.Redis.from_url(redis_url, decode_responses=True))
    attempts: list[str] = []

    def post(channel: str, text: str) -> None:
        attempts.append(text)
        if len(attempts) == 1:
            raise ConnectionError("Slack down")

    dog = Watchdog(cfg, store, cfg.business_clock(), polled=["facebook"], webhooks=[],
                   post=post, take=lambda name, ms: True, now=lambda: MONDAY_NOON)
    store.poll_failed("facebook", MONDAY_NOON.timestamp() - 3600, "503", token=False)
    assert dog.check() == []
    assert dog.check() == ["+polling:facebook"]
    assert dog.check() == []
    assert len(attempts) == 2 and "*Facebook*" in attempts[1] and "503" in attempts[1]


def test_x_read_budget_comes_from_the_usage_endpoint(desk: DeskHarness) -> None:
    from bot.scheduler import watchdog

    desk.x.set_usage(used=8500, cap=10000)
    dog = watchdog(desk.rt)
    assert dog.check() == ["+budget:twitter:read"]
    assert desk.x.calls_to("GET /2/usage/tweets")
    text = desk.slack.messages("C0LEADS")[-1]["text"]
    assert "*X*" in text and "80 %" in text and "gelesene Beiträge" in text
    assert dog.check() == []  # asked again only after 15 minutes (a lease): still raised


@pytest.fixture
def quiet_webhooks(redis_url: str, slack_api, x_api, graph_api, signing_secret
                   ) -> Iterator[DeskHarness]:
    from tests.harness import desk_config

    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                    config=desk_config(health={"webhook_silence": "2s"}))
    yield h
    h.close()


def test_facebook_webhooks_silent_while_polling_finds_comments_alert_once(
        quiet_webhooks: DeskHarness) -> None:
    from bot.scheduler import watchdog, worker_jobs
    from tests.support.facebook_signing import comment_webhook_body, signed_webhook_headers

    desk = quiet_webhooks
    post = "100000000000001_777"

    def deliver(comment_id: str) -> None:
        body = comment_webhook_body(desk.graph.page_id, post, comment_id,
                                    "Seit drei Tagen kein Netz, eine Katastrophe!", "9001", "C")
        r = desk.http.post("/webhooks/facebook", content=body,
                           headers=signed_webhook_headers(body, "fb-app-secret"))
        assert r.status_code == 200

    deliver("777_1")
    dog = watchdog(desk.rt)
    poll = worker_jobs(desk.rt)["poll:facebook"]
    desk.graph.add_post(post, "Beitrag der Seite")
    desk.graph.add_comment(post, "777_2", "Immer noch kein Netz!", "9002", "D")
    poll.run()  # finds a comment no webhook brought
    assert dog.check() == []  # not silent for 2 s yet
    time.sleep(2.1)
    assert dog.check() == ["+webhook:facebook"]
    text = desk.slack.messages("C0LEADS")[-1]["text"]
    assert "*Facebook*" in text and "Webhook" in text
    desk.rt.redis.delete("at:lease:poll:facebook")
    poll.run()
    assert dog.check() == []  # still silent: told once
    deliver("777_3")  # Meta delivers again
    assert dog.check() == ["-webhook:facebook"]
    assert "wieder in Ordnung" in desk.slack.messages("C0LEADS")[-1]["text"]
    assert len(desk.slack.messages("C0LEADS")) == 2


def test_calls_that_work_clear_a_slack_refusal_without_a_write_per_call(redis_url: str) -> None:
    """A refusal this process saw is cleared by its next call that works; one another process
    recorded, within `SLACK_OK_EVERY_S`; in between, calls that work write no clear (a card
    each: issue 15). Every call is counted all the same."""
    from bot.entry.runtime import SLACK_OK_EVERY_S, api_sink
    from bot.store import keys
    from bot.store.metrics import MetricsStore

    r = redis.Redis.from_url(redis_url, decode_responses=True)
    health, now = HealthStore(r), [100.0]
    sink = api_sink(MetricsStore(r), health, clock=lambda: now[0])
    ok, refused = Call("slack", "chat.postMessage", "ok", 200), Call(
        "slack", "chat.postMessage", "unauthorized", 200, "token_revoked")

    sink(refused)
    assert health.slack_state() is not None
    sink(ok)  # this process saw the refusal: cleared at once
    assert health.slack_state() is None

    health.slack_refused("invalid_auth", 1.0)  # another process (the web app) saw one
    now[0] += SLACK_OK_EVERY_S / 2
    sink(ok)
    assert health.slack_state() == ("invalid_auth", 1.0)  # not yet: no write per call
    now[0] += SLACK_OK_EVERY_S / 2
    sink(ok)
    assert health.slack_state() is None
    counted = r.hgetall(keys.METRICS)
    assert sum(int(v) for k, v in counted.items() if "chat.postMessage" in k) == 4
