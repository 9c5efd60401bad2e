"""App Home: the agent's own items and the team's unclaimed ones, nearest due first."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.desk import Desk


def register(app: App, desk: Desk) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home":
            desk.publisher.refresh_home(event["user"])
