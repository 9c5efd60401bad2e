"""Loopback emulators of the Slack Web API, X API v2, the Facebook Graph API and Bluesky XRPC."""

from .base import Call, Emulator, Response
from .bluesky_api import BlueskyAPI
from .graph_api import GraphAPI
from .slack_api import SlackAPI
from .x_api import XAPI

__all__ = ["XAPI", "BlueskyAPI", "Call", "Emulator", "GraphAPI", "Response", "SlackAPI"]
