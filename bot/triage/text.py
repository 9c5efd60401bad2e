"""Small text helpers shared by the triage modules."""

from __future__ import annotations

import re

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})

#: Word tokens: letters (with umlauts), digits, and inner hyphens/apostrophes are split off.
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and spell umlauts/ß out (``Störung`` -> ``stoerung``)."""
    return text.lower().translate(_FOLD)


def words(text: str) -> list[str]:
    """The word tokens of ``text`` in their original case."""
    return WORD_RE.findall(text)
