"""Loopback emulators of the Slack Web API, X API v2 and the Facebook Graph API."""

from .base import Call, Emulator, Response
from .graph_api import GraphAPI
from .slack_api import SlackAPI
from .x_api import XAPI

__all__ = ["XAPI", "Call", "Emulator", "GraphAPI", "Response", "SlackAPI"]
