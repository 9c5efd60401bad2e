"""Bluesky's post length: 300 graphemes, and at most 3000 UTF-8 bytes of record text.

The PDS validates `app.bsky.feed.post#text` against the lexicon's `maxGraphemes: 300` and
`maxLength: 3000` (bytes). Graphemes are Unicode extended grapheme clusters (UAX #29), as
Bluesky's own validator counts them: a family emoji joined by ZWJs, a flag, a letter with
combining accents are one each. The `regex` package's `\\X` implements the same rules.
"""

from __future__ import annotations

import math

import regex

GRAPHEME_LIMIT = 300
BYTE_LIMIT = 3000
_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> int:
    """Extended grapheme clusters in `text`: what Bluesky shows as the post's length."""
    return sum(1 for _ in _GRAPHEME.finditer(text))


def reply_length(text: str) -> int:
    """The length to compare with `GRAPHEME_LIMIT`: over it exactly when Bluesky would refuse.

    The grapheme count, as Bluesky's composer shows it. A text within 300 graphemes can still
    break the 3000-byte limit (300 family emoji are 7,500 bytes); such a text counts its bytes
    at a tenth of a grapheme each, which is over 300 exactly when it is over 3000 bytes, so the
    desk's single check (`length > limit`) refuses both cases.
    """
    count = graphemes(text)
    size = len(text.encode("utf-8"))
    if size <= BYTE_LIMIT:
        return count
    return max(count, math.ceil(size * GRAPHEME_LIMIT / BYTE_LIMIT))
