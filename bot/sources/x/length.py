"""X's weighted post length (URLs 23, most CJK and emoji 2): the limit a reply must keep."""

from __future__ import annotations

from twitter_text import parse_tweet

X_LIMIT = 280


def weighted_length(text: str) -> int:
    """Length as X counts it: URLs 23, most CJK and emoji 2."""
    return int(parse_tweet(text).weightedLength)
