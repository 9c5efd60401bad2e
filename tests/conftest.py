"""Shared fixtures: a real redis-server, the three API emulators, the Slack signing secret.

The logic lives in ``tests/support`` and ``tests/emulators``; this file only wires fixtures.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `pytest` (not `python -m pytest`) does not add the root
    sys.path.insert(0, str(ROOT))

from tests.emulators import XAPI, GraphAPI, SlackAPI  # noqa: E402
from tests.support.redis_server import RedisServer, RedisServerMissing  # noqa: E402

if TYPE_CHECKING:
    from tests.harness import DeskHarness

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
"""The Slack signing secret every test app and every signed test request share."""


@pytest.fixture(scope="session")
def signing_secret() -> str:
    """The Slack signing secret for the app under test and for ``signed_headers``."""
    return SIGNING_SECRET


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One real ``redis-server`` for the session (AOF off, no snapshots)."""
    try:
        server = RedisServer()
    except RedisServerMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    with server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session server's URL, flushed before the test so each test starts empty."""
    redis_server.flush()
    return redis_server.url


@pytest.fixture
def slack_api() -> Iterator[SlackAPI]:
    """A fresh Slack Web API emulator; ``slack_api.base_url`` is the ``SLACK_API_URL``."""
    with SlackAPI() as emulator:
        yield emulator


@pytest.fixture
def x_api() -> Iterator[XAPI]:
    """A fresh X API v2 emulator; ``x_api.base_url`` is the ``X_API_URL``."""
    with XAPI() as emulator:
        yield emulator


@pytest.fixture
def graph_api() -> Iterator[GraphAPI]:
    """A fresh Graph API emulator; ``graph_api.base_url()`` is the ``FACEBOOK_GRAPH_URL``."""
    with GraphAPI() as emulator:
        yield emulator


@pytest.fixture
def desk(redis_url: str, slack_api: SlackAPI, x_api: XAPI, graph_api: GraphAPI,
         signing_secret: str) -> Iterator[DeskHarness]:
    """The desk under test: the real web app over HTTP plus a worker, against the emulators."""
    from tests.harness import DeskHarness

    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret)
    yield h
    h.close()
