"""The project's error tree.

    AlertTeamError
    ├── ConfigError          desk.yaml or environment is wrong (exit 2, names the field)
    ├── MentionError         one ingested mention is malformed (rejected with its reason)
    ├── DeskRefusal          an agent's action is not allowed now (told privately, nothing changes)
    └── NetworkError         X / Facebook refused or failed a call (told to the agent, item unchanged)

Refusals carry a message key from `bot.messages` plus its parameters, never finished text,
so the same refusal can be told in German or English.
"""

from __future__ import annotations

from typing import Any


class AlertTeamError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(AlertTeamError):
    """The configuration is wrong; `field` names the offending field (dotted path)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class MentionError(AlertTeamError):
    """One mention could not be accepted; the message says why."""


class DeskRefusal(AlertTeamError):
    """An action was refused. `key` is a message-catalogue key, `params` fill it in."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class NetworkError(AlertTeamError):
    """A social network refused or failed a call."""

    def __init__(self, network: str, reason: str, *, retryable: bool = False) -> None:
        super().__init__(f"{network}: {reason}")
        self.network = network
        self.reason = reason
        self.retryable = retryable
