"""Turn a text into model features: hashed word/char n-grams plus a few dense signals.

The same function feeds training (scripts/train_sentiment.py) and prediction, so the two
cannot drift apart. Hashing uses CRC32, which is stable across processes (``hash()`` is not).
"""

from __future__ import annotations

import re
from zlib import crc32

from bot.triage import lexicon
from bot.triage.text import fold

HASH_BITS = 18
HASH_SIZE = 1 << HASH_BITS
_MASK = HASH_SIZE - 1

_TOKEN = re.compile(r"[^\W\d_]+|\d+|[!?]+|[^\w\s]", re.UNICODE)
_URL_OR_HANDLE = re.compile(r"https?://\S+|www\.\S+|@\w+")
_STOP_NEGATION = frozenset(".,;:!?()")

DENSE_NAMES = (
    "tb_polarity",
    "tb_positive",
    "tb_negative",
    "tb_negated_positive",
    "tb_intensified_negative",
    "tb_min",
    "tb_max",
    "complaints",
    "sarcasm",
    "emoji_negative",
    "emoji_positive",
    "exclamations",
    "questions",
    "shouting",
    "long_text",
    "domain_rules",
)


def tokens_of(text: str) -> list[str]:
    """Lower-case tokens without URLs and @handles (they name the brand, not the mood)."""
    return _TOKEN.findall(_URL_OR_HANDLE.sub(" ", text).lower())


def extract(text: str) -> tuple[list[int], list[float]]:
    """Hashed feature indices (binary, may repeat) and the dense feature vector."""
    toks = tokens_of(text)
    folded = fold(" ".join(toks))
    hashed: list[str] = []
    negated = 0
    prev = "<s>"
    for tok in toks:
        if tok in _STOP_NEGATION:
            negated = 0
        word = "NOT_" + tok if negated else tok
        hashed.append("w:" + word)
        hashed.append("b:" + prev + "_" + tok)
        if len(tok) >= 5 and tok.isalpha():
            padded = "<" + tok + ">"
            hashed.extend("c:" + padded[i : i + 4] for i in range(len(padded) - 3))
        if tok in lexicon.NEGATIONS:
            negated = 3
        elif negated:
            negated -= 1
        prev = tok
    indices = [crc32(h.encode()) & _MASK for h in hashed]

    lex = lexicon.score_tokens(toks)
    emoji_neg = sum(1 for ch in text if ch in lexicon.NEGATIVE_EMOJI)
    emoji_neg += sum(text.count(e) for e in lexicon.NEGATIVE_EMOTICONS)
    emoji_pos = sum(1 for ch in text if ch in lexicon.POSITIVE_EMOJI)
    emoji_pos += sum(text.count(e) for e in lexicon.POSITIVE_EMOTICONS)
    words = [w for w in text.split() if len(w) > 2 and w.isalpha()]
    shouting = sum(1 for w in words if w.isupper())
    dense = [
        lex.polarity,
        min(lex.positive, 3) / 3,
        min(lex.negative, 3) / 3,
        min(lex.negated_positive, 2) / 2,
        min(lex.intensified_negative, 2) / 2,
        lex.minimum,
        lex.maximum,
        min(lexicon.complaint_hits(folded), 4) / 4,
        1.0 if lexicon.SARCASM.search(folded) or lexicon.SARCASM.search(text) else 0.0,
        min(emoji_neg, 3) / 3,
        min(emoji_pos, 3) / 3,
        min(text.count("!"), 4) / 4,
        min(text.count("?"), 3) / 3,
        min(shouting, 3) / 3,
        1.0 if len(toks) > 60 else 0.0,
        lexicon.domain_boost(folded) / lexicon.DOMAIN_BOOST_CAP,
    ]
    return indices, dense
