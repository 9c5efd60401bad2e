"""Search words of a text, for `/find` (issue 16). Pure: text in, words out.

A post and a query are cut the same way: lower case, umlauts spelt out (`Störung` and
`stoerung` meet), split at everything that is not a letter or digit, words of one letter and
the commonest German and English filler words dropped (they would match half the desk and
make the index large for nothing). A handle is compared without its `@` and case.
"""

from __future__ import annotations

from bot.triage.text import fold, words

MAX_WORD = 40        # longer "words" are URLs or noise; cut, not dropped
MAX_WORDS = 64       # per post: a post is at most a few hundred characters anyway
STOP_WORDS = frozenset({
    "aber", "alle", "als", "also", "am", "an", "auch", "auf", "aus", "bei", "bin", "bis", "bist",
    "da", "dann", "das", "dass", "dem", "den", "der", "des", "die", "dir", "doch", "du", "ein",
    "eine", "einem", "einen", "einer", "er", "es", "euch", "euer", "eure", "für", "fuer", "hab",
    "habe", "hat", "hier", "ich", "ihr", "im", "in", "ist", "ja", "kann", "mal", "man", "mein",
    "meine", "mich", "mir", "mit", "nach", "nicht", "noch", "nur", "ob", "oder", "schon", "sein",
    "sich", "sie", "sind", "so", "um", "und", "uns", "von", "vom", "war", "was", "weil", "wenn",
    "wie", "wir", "wird", "zu", "zum", "zur", "a", "and", "are", "at", "be", "but", "by",
    "for", "from", "has", "have", "i", "is", "it", "my", "no", "not", "of", "on", "or",
    "that", "the", "this", "to", "we", "with", "you", "your",
})


def search_words(text: str) -> list[str]:
    """The distinct search words of `text`, in order of first appearance."""
    seen: dict[str, None] = {}
    for w in words(fold(text)):
        w = w[:MAX_WORD]
        if len(w) < 2 or w in STOP_WORDS:
            continue
        seen.setdefault(w, None)
        if len(seen) >= MAX_WORDS:
            break
    return list(seen)


def handle_key(handle: str) -> str:
    """A handle as the index compares it: without `@`, lower case."""
    return handle.strip().lstrip("@").lower()
