"""Address form (du/Sie) of a German text: the customer's, to mirror it, or an agent's draft.

Strong signals: du/dich/dir/dein…, ihr/euch/euer… (plural informal counts as du),
and Sie/Ihnen/Ihr… capitalised mid-sentence. Weak signals, used only when no strong one exists:
a sentence-initial ``Sie``/``Ihnen``/``Ihr…`` (capitalised anyway), lower-case ``sie`` right
after a question's verb ("können sie mir…?") and informal imperatives ("ruft mich an"; also
plural ones without a pronoun: "Bitte korrigiert das umgehend", "Schaltet endlich den
Anschluss frei!"). A sentence-initial ``Sie`` that is third person plural is no address: with
"alle"/"beide"/"selbst" after it ("Sie sagen alle dasselbe") or people named in the sentence
before ("Die Techniker kamen nicht. Sie haben …").
Quoted text, @handles, #tags, URLs and the brand's own name are ignored; no signal at all
is ``none``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_DU = frozenset(
    [
        "du",
        "dich",
        "dir",
        "dein",
        "deine",
        "deinen",
        "deinem",
        "deiner",
        "deines",
        "deins",
        "euch",
        "euer",
        "eure",
        "euren",
        "eurem",
        "eurer",
        "eures",
        "eurer",
        "haste",
        "kannste",
        "biste",
        "willste",
        "weisste",
        "weißte",
        "machste",
        "hättste",
        "musste",
    ]
)
# "musste" is also 1st/3rd person past of "müssen": treated below as ambiguous.
_DU_AMBIGUOUS = frozenset({"musste"})
_SIE_FORMS = frozenset({"Sie", "Ihnen", "Ihr", "Ihre", "Ihren", "Ihrem", "Ihrer", "Ihres"})
# Unambiguous 2nd person plural verbs: "habt ihr", "ihr seid".
_PLURAL2 = frozenset(
    [
        "habt",
        "seid",
        "könnt",
        "wollt",
        "sollt",
        "müsst",
        "dürft",
        "wisst",
        "hattet",
        "wart",
        "könntet",
        "würdet",
        "solltet",
        "müsstet",
        "wolltet",
        "dürftet",
        "gebt",
        "nehmt",
        "helft",
        "lest",
        "seht",
        "esst",
    ]
)
# Words that follow the pronoun "ihr" but never the possessive "ihr" (which takes a noun).
_AFTER_PRONOUN = frozenset(
    [
        "auch",
        "mal",
        "doch",
        "denn",
        "bitte",
        "da",
        "nicht",
        "nie",
        "euch",
        "mir",
        "mich",
        "uns",
        "es",
        "das",
        "die",
        "den",
        "dem",
        "einen",
        "eine",
        "ein",
        "immer",
        "wirklich",
        "schon",
        "jetzt",
        "endlich",
        "noch",
        "so",
        "was",
        "wie",
        "wohl",
        "gerade",
        "eigentlich",
        "überhaupt",
        "bei",
        "mit",
        "von",
        "zu",
        "für",
        "an",
        "in",
        "auf",
        "ja",
        "nur",
        "keine",
        "kein",
        "keinen",
    ]
)
# Third person singular verbs: "Sie hat…" is "she has", not the formal "you".
_SINGULAR3 = frozenset(
    [
        "hat",
        "ist",
        "kann",
        "will",
        "wird",
        "muss",
        "soll",
        "darf",
        "war",
        "hatte",
        "konnte",
        "wollte",
        "wurde",
        "musste",
        "sollte",
        "durfte",
        "meint",
        "sagt",
        "schreibt",
        "geht",
        "kommt",
        "weiß",
        "mag",
    ]
)
_QUESTION_VERBS = frozenset(
    [
        "können",
        "könnten",
        "würden",
        "haben",
        "hätten",
        "wären",
        "sind",
        "werden",
        "müssen",
        "dürfen",
        "sollten",
        "wollen",
    ]
)
_QUOTES = re.compile(
    r"„[^“”\"]*[“”\"]|\"[^\"]*\"|“[^”]*”|”[^”]*”|»[^«]*«|«[^»]*»|‚[^‘’']*[‘’']"
    r"|(?<![\w])'[^'\n]{1,200}'(?![\w])"
)
# Imperatives at the start of a clause: "ruft mich an" (ihr), "schreib mir" (du).
_IMPERATIVE = re.compile(
    r"(?:^|[.!?:;,\n]\s*|\bbitte\s+)(?:[A-Za-zäöüÄÖÜß]+t|ruf|schreib|meld|schick|gib|sag|hilf|"
    r"schau|guck|check)\s+(?:mich|mir|uns|bitte|mal)\b",
    re.IGNORECASE,
)
# Plural informal imperatives without a pronoun: "Bitte korrigiert das umgehend", "Schaltet
# endlich den Anschluss frei!" — a clause-initial (or after "bitte") verb in -t followed by an
# object or adverb; not in a question ("Geht das?"), not a 3rd-person verb or a non-verb in -t.
_PLURAL_IMPERATIVE = re.compile(
    r"(?:^|[.!:;,\n]\s*|\bbitte\s+|\bund\s+)(?P<verb>[A-Za-zäöüÄÖÜß]{3,}t)\s+"
    r"(?:das|den|die|dem|es|endlich|sofort|umgehend|schnell|schnellstens|bitte|mal|doch|"
    r"jetzt|nun|gefälligst|unverzüglich|ein|eine|einen|meinen|meine|mein|meinem|meiner|unseren|"
    r"unsere|unser|dies\w*|nochmal|nochmals|einfach|auf|ab|zurück|mir|mich|uns|hier)\b",
    re.IGNORECASE,
)
_NOT_IMPERATIVE = frozenset(
    [
        "jetzt", "nicht", "echt", "recht", "erst", "seit", "selbst", "gut", "mist", "samt",
        "bereits", "meist", "zuletzt", "sonst", "halt", "fast", "oft", "weit", "heut", "bist",
        "ist", "hat", "wird", "geht", "klappt", "funktioniert", "läuft", "kommt", "passiert",
        "reicht", "dauert", "kostet", "gibt", "bleibt", "steht", "liegt", "fehlt", "stimmt",
        "heißt", "braucht", "hilft", "nervt", "stört", "zählt", "gilt", "lohnt", "scheint",
        "sieht", "bringt", "macht", "tut", "passt", "hängt", "spinnt", "blinkt", "lädt",
        "nutzt", "endet", "startet", "dreht", "kackt", "stinkt", "taugt", "wirkt", "zeigt",
        "fällt", "hält", "lässt", "nimmt", "weißt", "kannst", "willst", "musst", "hast",
        "sollst", "darfst", "hättest", "wärst", "warst", "wirst", "gerät", "rät", "tät",
        "nett", "mitt", "statt", "sagt", "heute", "breit", "bereit", "leicht", "zuerst",
        "nachts", "anschließt", "spät", "komplett", "direkt", "exakt", "korrekt", "perfekt",
        "total", "kaputt", "weg", "rest", "test", "post", "text", "zeit", "arbeit", "welt",
        "stadt", "nacht", "monat", "markt", "paket", "tarif", "vertrag", "internet", "haushalt",
    ]
)
# People a third-person "Sie" at the start of the next sentence may mean.
_PEOPLE = re.compile(
    r"\b(?:techniker|mitarbeiter\w*|kolleg\w*|leute|berater\w*|monteur\w*|agent\w*|"
    r"nachbar\w*|kinder|eltern|freunde|jungs|typen|verkäufer\w*|callcenter|hotline-?\w*"
    r"|support\w*|servicekräfte|menschen|politiker\w*|spieler|fans|behörden|anbieter)\b",
    re.IGNORECASE,
)
_THIRD_PLURAL_AFTER = frozenset({"alle", "beide", "allesamt"})
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#][\w.]+")
_TOKEN = re.compile(r"[^\W\d_]+|[.!?:;\n]+|[,()\-–—]")
_SENTENCE_END = re.compile(r"[.!?:;\n]+")


def _strip(text: str, brand_names: Sequence[str]) -> str:
    text = _QUOTES.sub(" ", text)
    text = _NOISE.sub(" ", text)
    for name in sorted(brand_names, key=len, reverse=True):
        if name:
            text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
    return text


def detect_address(text: str, brand_names: Sequence[str] = ()) -> str:
    """Return ``du``, ``sie`` or ``none`` for the address form ``text`` uses."""
    stripped = _strip(text, brand_names)
    tokens = _TOKEN.findall(stripped)
    strong_du = strong_sie = weak_sie = 0
    weak_du = len(_IMPERATIVE.findall(stripped)) + _plural_imperatives(stripped)
    first_strong = ""
    initial = True  # at the start of a sentence
    people_before = people_here = False  # persons named in the sentence before / this one
    for i, tok in enumerate(tokens):
        if _SENTENCE_END.fullmatch(tok):
            initial = True
            people_before, people_here = people_here, False
            continue
        if _PEOPLE.fullmatch(tok):
            people_here = True
        if tok in ",()-–—":
            continue
        was_initial, initial = initial, False
        shout = len(tok) > 1 and tok.isupper()
        low = tok.lower()
        nxt = _next_word(tokens, i)
        prev = tokens[i - 1].lower() if i > 0 and tokens[i - 1].isalpha() else ""
        kind = ""
        if (low in _DU and low not in _DU_AMBIGUOUS) or (low == "musste" and nxt.lower() in {"du", "dir"}):
            kind = "du"
        elif low == "ihr":
            if _ihr_is_pronoun(nxt, prev):
                kind = "du"
            elif tok == "Ihr" and not was_initial:
                kind = "sie"
            elif tok == "Ihr" and nxt[:1].isupper():
                weak_sie += 1
        elif shout:
            continue  # "SIE" in capitals could be anyone
        elif tok in _SIE_FORMS and not was_initial:
            kind = "sie"
        elif tok in _SIE_FORMS and was_initial:
            if tok != "Sie" or not _third_person(tokens, i, nxt, people_before):
                weak_sie += 1
        elif tok == "sie" and prev in _QUESTION_VERBS and _is_question_start(tokens, i):
            weak_sie += 1
        if kind == "du":
            strong_du += 1
        elif kind == "sie":
            strong_sie += 1
        if kind and not first_strong:
            first_strong = kind
    if strong_du or strong_sie:
        if strong_du == strong_sie:
            return first_strong
        return "du" if strong_du > strong_sie else "sie"
    if weak_du or weak_sie:
        return "du" if weak_du > weak_sie else "sie"
    return "none"


def _plural_imperatives(text: str) -> int:
    """Plural informal imperatives without a pronoun, outside questions."""
    count = 0
    for m in _PLURAL_IMPERATIVE.finditer(text):
        if m.group("verb").lower() in _NOT_IMPERATIVE:
            continue
        end = _SENTENCE_END.search(text, m.end())
        if end is not None and "?" in end.group():
            continue
        count += 1
    return count


def _third_person(tokens: list[str], i: int, nxt: str, people_before: bool) -> bool:
    """A sentence-initial ``Sie`` meaning she/they: a singular verb, "alle"/"beide" close
    after it, or people named in the sentence before ("Die Techniker … Sie haben …")."""
    if nxt.lower() in _SINGULAR3:
        return True
    if any(t.lower() in _THIRD_PLURAL_AFTER for t in tokens[i + 1 : i + 4] if t.isalpha()):
        return True
    return people_before and (nxt.lower() in {"sind", "waren"} or nxt.lower().endswith("n"))


def _next_word(tokens: list[str], i: int) -> str:
    if i + 1 < len(tokens) and tokens[i + 1][:1].isalpha():
        return tokens[i + 1]
    return ""


def _ihr_is_pronoun(nxt: str, prev: str) -> bool:
    """``ihr`` as "you (plural)" rather than the possessive "her/their/your"."""
    low = nxt.lower()
    if low in _PLURAL2 or prev in _PLURAL2:
        return True
    if not nxt:
        return True  # "… und ihr?" — a possessive needs a noun after it
    if low in _AFTER_PRONOUN:
        return True
    return nxt.islower() and nxt.endswith("t") and len(nxt) > 2


def _is_question_start(tokens: list[str], i: int) -> bool:
    """The verb before ``sie`` opens its sentence, and that sentence asks something."""
    before = tokens[i - 2] if i >= 2 else "."
    if not (_SENTENCE_END.fullmatch(before) or before == ","):
        return False
    for tok in tokens[i + 1 :]:
        if _SENTENCE_END.fullmatch(tok):
            return "?" in tok
    return False
