"""Keyword routing: the first route with a keyword stem in the text wins.

Matching is case-insensitive on folded text (ä→ae, ß→ss) and on word stems: a keyword
matches a word that starts with it (``Mobilfunk`` matches ``mobilfunk-netz`` and
``Mobilfunkvertrag``), and a keyword's inflected forms match its stem (``Router`` → ``routers``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from bot.triage.text import fold

DEFAULT_ROUTE = "default"
_ENDINGS = ("en", "er", "es", "e", "n", "s")


def route(text: str, routes: Iterable[tuple[str, Sequence[str]]]) -> str:
    """Channel id of the first route whose keyword stem occurs in ``text``, else ``default``."""
    routes = tuple((channel, tuple(keywords)) for channel, keywords in routes)
    if not routes:
        return DEFAULT_ROUTE
    folded = fold(text)
    for channel, pattern in _compiled(routes):
        if pattern is not None and pattern.search(folded):
            return channel
    return DEFAULT_ROUTE


def stem(keyword: str) -> str:
    """Fold a keyword and drop a common inflection ending (kept at least 3 letters long)."""
    word = fold(keyword.strip())
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _umlaut_plural(word: str) -> str:
    """``funkloch`` -> ``funkloech`` so that ``Funklöcher`` matches too."""
    m = re.search(r"(?<![aeiou])(a|o|u)(?=[^aeiou]*$)", word)
    return word[: m.end()] + "e" + word[m.end() :] if m else ""


@lru_cache(maxsize=64)
def _compiled(
    routes: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[tuple[str, re.Pattern[str] | None], ...]:
    out = []
    for channel, keywords in routes:
        found = {stem(k) for k in keywords if k.strip()}
        found |= {v for s in found if (v := _umlaut_plural(s))}
        stems = sorted(found, key=len, reverse=True)
        # A word boundary before the stem; anything (a compound's rest) may follow it.
        pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, stems)) + ")") if stems else None
        out.append((channel, pattern))
    return tuple(out)
