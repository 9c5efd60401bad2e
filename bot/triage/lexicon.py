"""Word-level sentiment knowledge: textblob-de's polarity lexicon plus the desk's own
domain lexicon (telecom and service complaints, negation, intensifiers, emoji, sarcasm).

textblob-de's ``PatternAnalyzer`` lemmatises with a slow parser (~0.4 ms a text); we read the
same lexicon (``de-sentiment.xml``, German Polarity Lexicon by Klenner et al.) once and score
tokens with the same rules (mean polarity; a negation flips and halves; an intensifier
boosts; "!" boosts), with a cheap suffix-stripping fallback instead of the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

NEGATIONS = frozenset(
    [
        "nicht",
        "nie",
        "niemals",
        "kein",
        "keine",
        "keinen",
        "keinem",
        "keiner",
        "keines",
        "nichts",
        "ohne",
        "weder",
        "nix",
        "null",
    ]
)
INTENSIFIERS = frozenset(
    [
        "sehr",
        "total",
        "extrem",
        "echt",
        "absolut",
        "mega",
        "voll",
        "richtig",
        "so",
        "unglaublich",
        "völlig",
        "komplett",
        "äußerst",
        "wirklich",
        "super",
        "ultra",
        "endlos",
        "ständig",
        "dauernd",
        "immer",
    ]
)
POSITIVE_EMOJI = frozenset("😀😃😄😁😊🙂😍🥰😘👍👏🙏💪🎉❤💖💕✅🤩😎☺♥")
NEGATIVE_EMOJI = frozenset("😠😡🤬😤😞😒🙄😩😫😭😢😔👎💩🤡😖😣🤦😑😐🥵🤯😬🫠⚡")
POSITIVE_EMOTICONS = (":)", ":-)", ":D", ":-D", ";)", ";-)", "<3", "=)", "^^")
NEGATIVE_EMOTICONS = (":(", ":-(", ":/", ":-/", ">:(", ":'(", "-.-", "-_-")

# Service complaint stems (folded: ä->ae, ß->ss). Generic and rail words let GermEval teach
# the weight of this feature; the telecom words ride on that weight.
COMPLAINT_STEMS = (
    # telecom
    "stoerung",
    "funkloch",
    "funkloech",
    "drossel",
    "gedrosselt",
    "warteschleife",
    "netzausfall",
    "kein netz",
    "kein empfang",
    "keinen empfang",
    "kein internet",
    "kein dsl",
    "kein wlan",
    "kein signal",
    "keine verbindung",
    "kein tv",
    "kein telefon",
    "kein festnetz",
    "bandbreite",
    "verbindungsabbr",
    "abbrueche",
    "bricht ab",
    "bricht staendig",
    "lahm",
    "schneckentempo",
    "router",
    "hotline",
    "techniker",
    "totalausfall",
    "offline",
    "vertroest",
    "ticket",
    "kuendig",
    "sonderkuendig",
    "rechnung falsch",
    "falsche rechnung",
    "abzocke",
    "abgezockt",
    "zu viel berechnet",
    "doppelt abgebucht",
    "nicht erreichbar",
    "niemand meldet",
    "meldet sich niemand",
    "keine rueckmeldung",
    "keine antwort",
    "beschwerde",
    # generic service
    "ausfall",
    "faellt aus",
    "fiel aus",
    "ausgefallen",
    "kaputt",
    "defekt",
    "verspaet",
    "verspaetung",
    "warten",
    "wartezeit",
    "warte seit",
    "seit tagen",
    "seit wochen",
    "seit stunden",
    "seit monaten",
    "schon wieder",
    "mal wieder",
    "wieder mal",
    "immer noch",
    "immernoch",
    "jedes mal",
    "unzumutbar",
    "frechheit",
    "sauerei",
    "katastroph",
    "chaos",
    "skandal",
    "witz",
    "laecherlich",
    "peinlich",
    "unfaehig",
    "inkompetent",
    "schlecht",
    "mies",
    "miserabel",
    "nervt",
    "genervt",
    "aerger",
    "sauer",
    "wuetend",
    "enttaeusch",
    "unverschaemt",
    "zumutung",
    "problem",
    "fehler",
    "funktioniert nicht",
    "geht nicht",
    "klappt nicht",
    "nicht funktion",
    "ueberfuellt",
    "verpasst",
    "gestrichen",
    "storniert",
)
# High-precision telecom patterns GermEval (Deutsche Bahn) cannot teach: each adds a fixed
# amount to the negative log-odds after the model (see sentiment.py); resolutions subtract.
DOMAIN_RULES: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(p), w)
    for p, w in (
        (
            r"\bseit (?:\w+ ){0,2}(?:tag|woche|stunde|monat|gestern|montag|dienstag|mittwoch|"
            r"donnerstag|freitag|samstag|sonntag)\w*\b(?:.{0,60})\b(?:kein|nicht|ohne|keine)\b",
            2.5,
        ),
        (
            r"\b(?:kein|keine|keinen|ohne)\s(?:\w+\s)?(?:internet|netz|empfang|verbindung|signal|dsl|"
            r"wlan|tv|telefon|festnetz|lte|5g|4g|mobilfunk|handyempfang)\b",
            2.5,
        ),
        (r"\bdanke (?:fuer|f\.) (?:nichts|nix|garnichts|gar nichts)\b", 3.5),
        (
            r"\b(?:super|toll|klasse|prima|grossartig|genial|bravo|spitze|danke)\b[,.!\s]+"
            r"(?:\w+\s){0,3}(?:schon wieder|wieder mal|mal wieder|erneut|nichts|nix)\b",
            3.0,
        ),
        (r"\bna (?:toll|super|prima|klasse|bravo)\b", 2.5),
        (
            r"\b(?:frechheit|unverschaemt|abzocke|abgezockt|falsche rechnung|zu viel berechnet|"
            r"doppelt abgebucht|unzumutbar|zumutung)",
            2.0,
        ),
        # Resolved problems and thanks pull the other way.
        (r"\b(?:geht|laeuft|funktioniert|klappt)(?: \w+){0,2} wieder\b(?! nicht)", -2.5),
        (r"\b(?:danke|vielen dank|dankeschoen)\b(?! fuer nichts| fuer nix)", -1.0),
        (r"\b(?:top|super|toller|klasse|schneller|freundlicher) (?:service|support|hilfe|team)\b", -1.5),
        (
            r"\b(?:techniker|monteur|servicetechniker)\b(?:\s\w+){0,4}\s(?:kam|kommt|ist|war|erschien)"
            r"\s(?:\w+\s){0,2}(?:nicht|nie)\b",
            3.0,
        ),
        (
            r"\b(?:techniker|monteur)(?:termin)?\b.{0,40}\b(?:nicht (?:gekommen|erschienen|da)|"
            r"versetzt|abgesagt)",
            3.0,
        ),
        (r"\bkein bisschen (?:zufrieden|gut|besser|schneller|geholfen)\b", 3.0),
        (r"\b(?:nicht|nie|gar nicht|ueberhaupt nicht|wenig|un)(?:\s\w+)?\s?zufrieden\b", 2.5),
        (
            r"\bfunkloe?ch|\bstoerung|\bgedrosselt|\bdrosselung|\bwarteschleife|\bnetzausfall|"
            r"\btotalausfall|\bverbindungsabbr|\babzocke",
            2.0,
        ),
        (
            r"\b(?:internet|netz|dsl|wlan|router|telefon|handy|empfang|tv|leitung)\b.{0,30}\b(?:geht|"
            r"funktioniert|laeuft|klappt)\s(?:\w+\s){0,2}(?:nicht|nie|kaum)\b",
            2.5,
        ),
        (
            r"\b(?:geht|funktioniert|laeuft|klappt)\s(?:\w+\s){0,2}(?:nicht|nie|kaum)\b.{0,30}"
            r"\b(?:internet|netz|dsl|wlan|router|telefon|handy|empfang|tv|leitung)\b",
            2.5,
        ),
    )
)
DOMAIN_BOOST_CAP = 5.0
# A question without any complaint signal ("Wann kommt das neue iPhone in den Shop?") is an
# enquiry, not a complaint. GermEval's rail questions are often complaints in disguise
# ("Wann kommt eigentlich der Zug?"), so after the model such calm questions lose fixed
# negative log-odds. "Warum/wieso" questions stay with the model: they usually complain.
QUESTION = re.compile(
    r"^(?!.*\b(?:warum|wieso|weshalb|wozu)\b).*"
    r"\b(?:wann|wie|wo|woher|wohin|was|welche\w*|wer|gibt es|kann|kannst|koennen|koennt|"
    r"koennte\w*|habt|haben|hat|ist|sind|bekomme\w*|muss|darf|wird|werden|soll|sollte|lohnt)\b"
)
QUESTION_RELIEF = 1.5
SARCASM = re.compile(
    r"\b(?:danke (?:fuer|f\.) (?:nichts|nix)|na (?:toll|super|prima|klasse)|"
    r"(?:super|toll|klasse|prima|spitze|bravo|genial),? (?:\w+ ){0,3}"
    r"(?:schon wieder|wieder mal|mal wieder))\b"
    r"|🙄|🤡|\(!\)|#not\b|\bironie\b"
)


@dataclass(frozen=True)
class LexiconScore:
    """textblob-de style scores of one text."""

    polarity: float  # mean polarity of the assessed words, -1..1 (0 without any)
    positive: int  # words with polarity > 0 after negation
    negative: int  # words with polarity < 0 after negation
    negated_positive: int  # "nicht gut", "kein bisschen zufrieden"
    intensified_negative: int  # "total kaputt", "echt schlecht"
    minimum: float
    maximum: float


@lru_cache(maxsize=1)
def polarity_lexicon() -> dict[str, float]:
    """textblob-de's lexicon as lower-case word -> polarity (read once)."""
    from textblob_de.sentiments import sentiment  # loads de-sentiment.xml

    out: dict[str, float] = {}
    for word, by_pos in sentiment.items():
        values = [v[0] for v in by_pos.values() if v and v[0] is not None]
        if values:
            out.setdefault(word.lower(), sum(values) / len(values))
    return out


_SUFFIXES = ("en", "er", "es", "em", "e", "n", "s", "st", "t")


@lru_cache(maxsize=65536)
def word_polarity(word: str) -> float | None:
    """Polarity of a lower-case word, trying a few inflection endings; None if unknown."""
    lex = polarity_lexicon()
    hit = lex.get(word)
    if hit is not None:
        return hit
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            hit = lex.get(base)
            if hit is None:
                hit = lex.get(base + "en")
            if hit is not None:
                return hit
    return None


def score_tokens(tokens: list[str]) -> LexiconScore:
    """Score lower-case tokens the way textblob-de's pattern analyzer does."""
    scores: list[float] = []
    pos = neg = negated_pos = intensified_neg = 0
    negation_left = 0
    intensify = False
    for tok in tokens:
        if tok in NEGATIONS:
            negation_left = 3
            continue
        if tok in INTENSIFIERS:
            intensify = True
            continue
        if tok == "!" and scores:
            scores[-1] = max(-1.0, min(scores[-1] * 1.25, 1.0))
            continue
        p = word_polarity(tok) if tok.isalpha() else None
        if p is None or p == 0:
            if negation_left:
                negation_left -= 1
            if not tok.isalpha():
                negation_left = 0
                intensify = False
            continue
        if intensify:
            p = max(-1.0, min(p * 1.5, 1.0))
        if negation_left:
            if p > 0:
                negated_pos += 1
            p = -0.5 * p
            negation_left = 0
        if p < 0:
            neg += 1
            if intensify:
                intensified_neg += 1
        else:
            pos += 1
        intensify = False
        scores.append(p)
    if not scores:
        return LexiconScore(0.0, 0, 0, 0, 0, 0.0, 0.0)
    return LexiconScore(
        sum(scores) / len(scores), pos, neg, negated_pos, intensified_neg, min(scores), max(scores)
    )


def complaint_hits(folded: str) -> int:
    """How many complaint stems occur in folded text."""
    return sum(1 for stem in COMPLAINT_STEMS if stem in folded)


def domain_boost(folded: str) -> float:
    """Extra negative log-odds (negative: less likely) from the domain rules, capped at ±5."""
    total = 0.0
    for pattern, weight in DOMAIN_RULES:
        if pattern.search(folded):
            total += weight
    return max(-DOMAIN_BOOST_CAP, min(total, DOMAIN_BOOST_CAP))
