"""Channel health in Redis: what the pollers, the webhooks and Slack last told us, and which
conditions the watchdog has already alerted about.

Keys (all owned here):

    at:health:poll:<net>     HASH  ok_at, failing_since, status, token, found_at, found_since
    at:health:webhook:<net>  STRING epoch s of the latest verified webhook delivery
    at:health:slack          HASH  error, since: Slack refused our bot token
    at:health:budget         HASH  "<net>:<kind>" -> share of the monthly budget used (0..1)
    at:health:raised         HASH  condition -> JSON {network, kind, detail, since}

A condition is raised with HSETNX and cleared with HDEL, and only the caller whose HSETNX or
HDEL changed the hash posts the alert or the recovery: with several workers (and a lease that
may run out under a slow post) each goes out once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import redis

from bot.store import keys


@dataclass(frozen=True)
class PollState:
    """A network's latest poll outcomes (epoch seconds; None: never)."""

    ok_at: float | None = None
    failing_since: float | None = None  # first failed poll since the last good one
    status: str = ""  # what the latest failed poll got (e.g. `401`, `unreachable`)
    token: str = ""  # set while polls are refused for our credentials (`401`, `190`)
    found_at: float | None = None  # latest poll that found new mentions
    found_since: float | None = None  # first such poll since the latest webhook delivery


def _num(v: str | None) -> float | None:
    return float(v) if v else None


class HealthStore:
    """Owns `at:health:*` (see the module docstring)."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r

    # ----- what the pollers, webhooks and Slack report -----------------------------------------
    def poll_ok(self, network: str, now: float, found: int = 0) -> None:
        """A poll read its network without trouble (`found` new mentions)."""
        key = keys.health_poll(network)
        pipe = self.r.pipeline()
        pipe.hset(key, "ok_at", str(now))
        pipe.hdel(key, "failing_since", "status", "token")
        if found:
            pipe.hset(key, "found_at", str(now))
            pipe.hsetnx(key, "found_since", str(now))
        pipe.execute()

    def poll_failed(self, network: str, now: float, status: str, *, token: bool) -> None:
        """A poll failed with `status`; `token`: the network refused our credentials."""
        key = keys.health_poll(network)
        pipe = self.r.pipeline()
        pipe.hsetnx(key, "failing_since", str(now))
        pipe.hset(key, "status", status)
        if token:
            pipe.hset(key, "token", status)
        else:
            pipe.hdel(key, "token")
        pipe.execute()

    def poll_state(self, network: str) -> PollState:
        h = cast("dict[str, str]", self.r.hgetall(keys.health_poll(network)))
        return PollState(_num(h.get("ok_at")), _num(h.get("failing_since")), h.get("status", ""),
                         h.get("token", ""), _num(h.get("found_at")), _num(h.get("found_since")))

    def webhook_heard(self, network: str, now: float) -> None:
        """A verified webhook delivery arrived (polling finds nothing the webhook missed)."""
        pipe = self.r.pipeline()
        pipe.set(keys.health_webhook(network), now)
        pipe.hdel(keys.health_poll(network), "found_since")
        pipe.execute()

    def webhook_last(self, network: str) -> float | None:
        return _num(cast("str | None", self.r.get(keys.health_webhook(network))))

    def slack_refused(self, error: str, now: float) -> None:
        """Slack refused our bot token (`invalid_auth`, `token_revoked`, …)."""
        pipe = self.r.pipeline()
        pipe.hsetnx(keys.HEALTH_SLACK, "since", str(now))
        pipe.hset(keys.HEALTH_SLACK, "error", error)
        pipe.execute()

    def slack_ok(self, client: Any = None) -> None:
        """Slack accepted our token (`client`: a pipeline to send it with, else now)."""
        (client if client is not None else self.r).delete(keys.HEALTH_SLACK)

    def slack_state(self) -> tuple[str, float] | None:
        """(error, since) while Slack refuses our token, else None."""
        h = cast("dict[str, str]", self.r.hgetall(keys.HEALTH_SLACK))
        return (h["error"], float(h.get("since") or 0)) if h.get("error") else None

    def set_budget(self, network: str, kind: str, share: float | None) -> None:
        """The share (0..1) of `network`'s monthly `kind` budget used; None: unknown."""
        if share is None:
            self.r.hdel(keys.HEALTH_BUDGET, f"{network}:{kind}")
        else:
            self.r.hset(keys.HEALTH_BUDGET, f"{network}:{kind}", str(share))

    def budgets(self) -> dict[tuple[str, str], float]:
        h = cast("dict[str, str]", self.r.hgetall(keys.HEALTH_BUDGET))
        out: dict[tuple[str, str], float] = {}
        for field, value in h.items():
            network, _, kind = field.partition(":")
            out[(network, kind)] = float(value)
        return out

    # ----- what the watchdog has alerted about ------------------------------------------------
    def raise_condition(self, key: str, info: dict[str, Any]) -> bool:
        """Mark condition `key` raised; True only for the caller that raised it."""
        return bool(self.r.hsetnx(keys.HEALTH_RAISED, key, json.dumps(info)))

    def clear_condition(self, key: str) -> bool:
        """Mark condition `key` cleared; True only for the caller that cleared it."""
        return bool(self.r.hdel(keys.HEALTH_RAISED, key))

    def raised(self) -> dict[str, dict[str, Any]]:
        """Every raised condition with what was stored when it was raised."""
        h = cast("dict[str, str]", self.r.hgetall(keys.HEALTH_RAISED))
        return {k: json.loads(v) for k, v in h.items()}
