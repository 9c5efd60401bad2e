"""X's monthly read budget: `GET /2/usage/tweets` (app-only bearer token).

X answers `project_usage` (posts read this billing cycle) and `project_cap` (posts the plan
allows per cycle); the share used is what the channel-health watchdog compares with 80 %.
X publishes no such figure for posts *sent*, so only the read budget is watched.
"""

from __future__ import annotations

import requests

from bot.sources.x.settings import XSettings
from bot.sources.x.transport import TWEEPY_HOSTS, redirect_session

TIMEOUT_S = 10


def read_usage(settings: XSettings) -> dict[str, float]:
    """{"read": share used} of this billing cycle; {} without a bearer token or a cap."""
    if not settings.bearer_token:
        return {}
    session = requests.Session()
    redirect_session(session, settings.api_url)
    resp = session.get(f"{TWEEPY_HOSTS[1]}/2/usage/tweets", timeout=TIMEOUT_S,
                       headers={"Authorization": f"Bearer {settings.bearer_token}"})
    resp.raise_for_status()
    data = resp.json().get("data") or {}
    cap = float(data.get("project_cap") or 0)
    if cap <= 0:
        return {}
    return {"read": float(data.get("project_usage") or 0) / cap}
