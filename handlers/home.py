"""App Home: the agent's own items and the team's unclaimed ones, nearest due first."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.desk import Desk
from bot.home import home_view


def register(app: App, desk: Desk) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        client.views_publish(user_id=user, view=home_view(desk, user))
