"""German city names in a text, so that an outage in Köln is never merged with one in München.

Character n-grams alone see "kein Internet in Köln" and "kein Internet in München" as nearly the
same sentence: the city is one word among many. ``bot.triage.similarity`` therefore asks this
module which cities a text names and treats two texts that name only *different* cities as
unrelated. A text naming no city (most do not: "Router blinkt rot") is never vetoed.

One level only, cities (the 80 largest plus a few regional centres): a region ("NRW", "Bayern",
"Brandenburg") or a district ("Ehrenfeld") would contradict the city it lies in. City names that are everyday
German words are left out ("Essen", "Halle", "Siegen", "Hamm", "Marl", "Worms"): "beim Essen"
must not count as a place. Matching is on folded tokens (``text.fold``), so Köln, KÖLN, Koeln and
the umlaut-less "Koln" are one city; English names (Cologne, Munich), common abbreviations (HH,
FFM), genitives (Kölns) and the inhabitant adjectives (Kölner, Münchner) map to it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.triage.text import fold

#: Canonical spelling (with umlauts) of each city.
CITIES = (
    "Aachen", "Augsburg", "Bamberg", "Bergisch Gladbach", "Berlin", "Bielefeld", "Bochum", "Bonn",
    "Bottrop", "Braunschweig", "Bremen", "Bremerhaven", "Chemnitz", "Cottbus",
    "Darmstadt", "Dortmund", "Dresden", "Duisburg", "Düren", "Düsseldorf", "Erfurt", "Erlangen",
    "Flensburg", "Frankfurt", "Freiburg", "Fulda", "Fürth", "Gelsenkirchen", "Gera", "Göttingen",
    "Gütersloh", "Hagen", "Hamburg", "Hanau", "Hannover", "Heidelberg", "Heilbronn", "Herne",
    "Hildesheim", "Ingolstadt", "Iserlohn", "Jena", "Kaiserslautern", "Karlsruhe", "Kassel", "Kiel",
    "Koblenz", "Köln", "Konstanz", "Krefeld", "Leipzig", "Leverkusen", "Lübeck", "Ludwigsburg",
    "Ludwigshafen", "Lüneburg", "Magdeburg", "Mainz", "Mannheim", "Moers", "Mönchengladbach",
    "Mülheim", "München", "Münster", "Neuss", "Nürnberg", "Oberhausen", "Offenbach", "Oldenburg",
    "Osnabrück", "Paderborn", "Passau", "Pforzheim", "Potsdam", "Ratingen", "Recklinghausen",
    "Regensburg", "Remscheid", "Reutlingen", "Rosenheim", "Rostock", "Saarbrücken", "Salzgitter",
    "Schwerin", "Solingen", "Stuttgart", "Trier", "Tübingen", "Ulm", "Wiesbaden", "Wolfsburg",
    "Wuppertal", "Würzburg", "Zwickau",
)  # fmt: skip

#: Other names for a city: English exonyms and the abbreviations people post.
ALIASES = {
    "Cologne": "Köln",
    "Munich": "München",
    "Nuremberg": "Nürnberg",
    "Hanover": "Hannover",
    "Brunswick": "Braunschweig",
    "HH": "Hamburg",
    "FFM": "Frankfurt",
    "MUC": "München",
}

_TOKEN = re.compile(r"[^\W\d_]+")
_DOTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})  # "Koln": the umlaut's dots left off


def _spellings(name: str) -> set[str]:
    """Folded spellings of one name: ``Köln`` -> koeln, koln, koelns, koelner, …"""
    folded = fold(name).replace(" ", "")
    dotless = name.lower().translate(_DOTS).replace(" ", "")
    bare = dotless if dotless != name.lower().replace(" ", "") else ""
    out: set[str] = set()
    for base in filter(None, (folded, bare)):
        out |= {base, base + "s", base + "er"}
        if base.endswith("en"):  # München -> Münchner, Bremen -> Bremer, Aachen -> Aachener
            out |= {base[:-2] + "ner", base[:-2] + "er", base + "er"}
    return out


def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for city in CITIES:
        for spelling in _spellings(city):
            index.setdefault(spelling, fold(city))
    for alias, city in ALIASES.items():
        index.setdefault(fold(alias), fold(city))
    return index


_INDEX = _index()
#: Two-word names are matched by their folded words joined ("bergisch gladbach" -> bergischgladbach).
_TWO_WORDS = {fold(c).replace(" ", "") for c in CITIES if " " in c}


def places_in(words: Iterable[str]) -> frozenset[str]:
    """Folded canonical names of the cities among already folded ``words`` (``koeln``, …)."""
    found: set[str] = set()
    prev = ""
    for word in words:
        pair = prev + word
        if pair in _TWO_WORDS:
            found.add(_INDEX[pair])
        elif word in _INDEX:
            found.add(_INDEX[word])
        prev = word
    return frozenset(found)


def places_of(text: str) -> frozenset[str]:
    """The cities a raw text names (convenience for callers holding unfolded text)."""
    return places_in(_TOKEN.findall(fold(text)))
