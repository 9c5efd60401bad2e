"""Turn a text into model features: hashed word/char n-grams plus a few dense signals.

Two hashed families, each L2-normalised on its own (binary values / sqrt(count)):
words (unigrams with a 3-token negation scope, ``NOT_gut``, and bigrams) and character
2-5-grams inside each alphabetic token (padded ``<wort>``, which catches inflections and
compounds such as ``Zugausfall``/``Ausfall``).

The same function feeds training (scripts/train_sentiment.py) and prediction, so the two
cannot drift apart. Hashing uses CRC32, which is stable across processes (``hash()`` is not).
"""

from __future__ import annotations

import re
from functools import lru_cache
from zlib import crc32

from bot.triage import lexicon
from bot.triage.text import fold

HASH_BITS = 19
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
    "calm_question",
)
CHAR_NGRAMS = (2, 5)


def tokens_of(text: str) -> list[str]:
    """Lower-case tokens without URLs and @handles (they name the brand, not the mood)."""
    return _TOKEN.findall(_URL_OR_HANDLE.sub(" ", text).lower())


@lru_cache(maxsize=200_000)
def char_ngrams(token: str) -> tuple[int, ...]:
    """Hashed character 2-5-grams of one padded token (cached: tokens repeat across texts)."""
    padded = "<" + token + ">"
    lo, hi = CHAR_NGRAMS
    grams = {padded[i : i + n] for n in range(lo, hi + 1) for i in range(len(padded) - n + 1)}
    return tuple(crc32(g.encode()) & _MASK for g in grams)


def extract(text: str) -> tuple[list[int], list[int], list[float]]:
    """Unique hashed word-feature indices, unique hashed char-n-gram indices, dense features."""
    toks = tokens_of(text)
    folded = fold(" ".join(toks))
    hashed: list[str] = []
    chars: set[int] = set()
    negated = 0
    prev = "<s>"
    for tok in toks:
        if tok in _STOP_NEGATION:
            negated = 0
        word = "NOT_" + tok if negated else tok
        hashed.append("w:" + word)
        hashed.append("b:" + prev + "_" + tok)
        if tok.isalpha():
            chars.update(char_ngrams(tok))
        if tok in lexicon.NEGATIONS:
            negated = 3
        elif negated:
            negated -= 1
        prev = tok
    if toks:
        hashed.append("b:" + prev + "_</s>")
    words = sorted({crc32(h.encode()) & _MASK for h in hashed})

    lex = lexicon.score_tokens(toks)
    emoji_neg = sum(1 for ch in text if ch in lexicon.NEGATIVE_EMOJI)
    emoji_neg += sum(text.count(e) for e in lexicon.NEGATIVE_EMOTICONS)
    emoji_pos = sum(1 for ch in text if ch in lexicon.POSITIVE_EMOJI)
    emoji_pos += sum(text.count(e) for e in lexicon.POSITIVE_EMOTICONS)
    shouted = [w for w in text.split() if len(w) > 2 and w.isalpha()]
    shouting = sum(1 for w in shouted if w.isupper())
    complaints = lexicon.complaint_hits(folded)
    sarcasm = bool(lexicon.SARCASM.search(folded) or lexicon.SARCASM.search(text))
    boost = lexicon.domain_boost(folded)
    calm_question = (
        "?" in text
        and not complaints
        and not sarcasm
        and not emoji_neg
        and boost <= 0
        and lex.negative == 0
        and lexicon.QUESTION.search(folded) is not None
    )
    dense = [
        lex.polarity,
        min(lex.positive, 3) / 3,
        min(lex.negative, 3) / 3,
        min(lex.negated_positive, 2) / 2,
        min(lex.intensified_negative, 2) / 2,
        lex.minimum,
        lex.maximum,
        min(complaints, 4) / 4,
        1.0 if sarcasm else 0.0,
        min(emoji_neg, 3) / 3,
        min(emoji_pos, 3) / 3,
        min(text.count("!"), 4) / 4,
        min(text.count("?"), 3) / 3,
        min(shouting, 3) / 3,
        1.0 if len(toks) > 60 else 0.0,
        boost / lexicon.DOMAIN_BOOST_CAP,
        1.0 if calm_question else 0.0,
    ]
    return words, sorted(chars), dense
