"""Do complaints "say the same thing"? Character n-gram cosine similarity, grouped by average linkage.

Used by the desk to spot an outage storm among the open negative mentions of one channel
(issue 11). Pure: texts in, numbers and index lists out; nothing is remembered between calls.

How two texts are compared (every step measured on ``tests/triage/data/storms.yaml``, see
``benchmarks/storm_clustering.py`` and the README section "Incidents"):

1. ``normalise``: Unicode NFKC (styled "𝐊ö𝐥𝐧" becomes "Köln"), URLs, e-mail addresses, @handles
   and the brand's own names removed (every complaint names the brand, so it says nothing about
   *which* outage), case and umlauts folded (Köln = KÖLN = Koeln), accents dropped, anything
   that is not a letter or digit (emoji, ``#``, punctuation) turned into a space, and German
   function words, greetings and filler ("seit", "bitte", "Sehr geehrte Damen und Herren",
   "super") dropped. Place names and product words are never dropped: they are what tells an
   outage in Köln from one in Hamburg, and "DSL" from "LTE".
2. Each word becomes its character 3- to 5-grams (padded with spaces, scikit-learn's ``char_wb``
   analyzer), so "Internetausfall" meets "Internet ausgefallen" and typos ("Hambrug") still share
   most n-grams. A word's n-grams are weighted by its sublinear count in the text times its rarity
   in general German (``bot.triage.frequency``: "geht" 4.1, "Router" 9.2; cities always 9.2);
   the text's vector is L2-normalised and two texts are compared by cosine similarity.
   Not IDF over the texts at hand: that makes the words a big storm shares *cheap*, and the
   storm falls apart as it grows (measured: of 37 Köln texts alone, 22 stayed together; of the
   same texts four times over, 96 of 148). Rarity weights keep all of them together.
3. Place veto (``bot.triage.places``): two texts that both name a city, and no city in common,
   get similarity 0. n-grams alone kept merging the Köln and München DSL storms.

Known limit: two outages in the *same* city with different products (DSL and mobile in Köln)
share the city and the complaint wording and are often merged. The desk clusters per channel,
and its routes (``channels.routes`` in desk.yaml) usually send DSL and mobile complaints to
different channels; the benchmark reports both ways.

Groups: average linkage over that similarity (scikit-learn ``AgglomerativeClustering`` on the
precomputed distance 1 - similarity), cut at ``threshold``: a group's members are, on average,
at least that similar to each other. ``best_group`` uses the same rule for a newcomer: the mean
similarity to a group's members.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

import numpy as np
from scipy import sparse

from bot.triage.frequency import word_weights
from bot.triage.places import places_in
from bot.triage.text import fold

#: Mean similarity at which texts count as one group: the middle of the plateau of thresholds
#: (0.155-0.170) with the highest pairwise F1 on the dev half of tests/triage/data/storms.yaml,
#: all texts in one pot, groups of >= 5 (``benchmarks/storm_clustering.py --choose``).
DEFAULT_THRESHOLD = 0.16
#: Character n-gram lengths (within words, padded with a space at each end).
CHAR_NGRAMS = (3, 5)

#: German (and a little English) function words, greetings and filler. Deliberately no nouns:
#: products, places, symptoms ("Ausfall", "Router", "Köln") carry the meaning.
STOP_WORDS = frozenset(
    (
        "aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "ans", "auch", "auf",
        "aus", "bei", "beim", "bin", "bis", "bist", "bitte", "da", "dafuer", "damit", "dann", "das", "dass",
        "dem", "den", "denn", "der", "des", "dich", "die", "dies", "diese", "diesem", "diesen", "dieser",
        "dieses", "dir", "doch", "dort", "du", "durch", "ein", "eine", "einem", "einen", "einer", "eines",
        "er", "es", "etwas", "euch", "euer", "eure", "eurem", "euren", "eurer", "fuer", "gar", "gegen",
        "gibt", "habe", "haben", "hab", "hat", "hatte", "hier", "hin", "ich", "ihm", "ihn", "ihnen", "ihr",
        "ihre", "ihrem", "ihren", "ihrer", "im", "in", "ins", "ist", "ja", "jetzt", "kann", "kannst",
        "koennen", "koennt", "man", "mal", "mein", "meine", "meinem", "meinen", "meiner", "mich", "mir",
        "mit", "muss", "nach", "nicht", "nichts", "noch", "nun", "nur", "ob", "oder", "ohne", "schon",
        "sehr", "sein", "seine", "sich", "sie", "sind", "so", "soll", "sollen", "ueber", "um", "und", "uns",
        "unser", "unsere", "unter", "vom", "von", "vor", "war", "waren", "warum", "was", "weil", "welche",
        "wenn", "wer", "werden", "wie", "wieder", "wir", "wird", "wo", "wurde", "zu", "zum", "zur", "zwar",
        "hallo", "guten", "tag", "abend", "morgen", "moin", "hey", "liebe", "lieber", "liebes", "team",
        "geehrte", "geehrter", "geehrtes", "damen", "herren", "gruess", "gott", "gruesse", "gruss", "danke",
        "dank", "vielen", "toll", "super", "echt", "mega", "ernsthaft", "na", "the", "is", "my", "to", "on",
        "a", "of", "and", "since", "any"
    )
)  # fmt: skip

#: How a city name weighs in the n-gram vector: like the rarest word (default), by its frequency in
#: the general list like any word, or not at all (then only the place veto uses it).
CityWeight = Literal["rarest", "list", "zero"]

_URL = re.compile(r"https?://\S+|www\.\S+|\b[\w.-]+\.(?:de|com|net|org|eu|io|ly|co)(?:/\S*)?(?!\w)", re.I)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_HANDLE = re.compile(r"@\w+")
_NOT_ALNUM = re.compile(r"[\W_]+")


class SimilarityModel:
    """Compares customer texts; holds only its settings (brand names, n-gram range, stop words;
    the place veto, rarity weights and city weight are there to measure the method without them).

    ``vectors``/``similarities`` do not depend on which other texts are in the same call: a
    text's vector is its own, so results are the same whether the desk compares 2 texts or 300.
    """

    def __init__(
        self,
        brand_names: Sequence[str] = (),
        *,
        ngram_range: tuple[int, int] = CHAR_NGRAMS,
        stop_words: frozenset[str] = STOP_WORDS,
        place_veto: bool = True,
        rarity_weights: bool = True,
        city_weight: CityWeight = "rarest",
    ) -> None:
        self.brand_names = tuple(brand_names)
        self.ngram_range = ngram_range
        self.stop_words = stop_words
        self.place_veto = place_veto
        self.rarity_weights = rarity_weights
        self.city_weight = city_weight
        self._brand = _brand_pattern(self.brand_names)

    def normalise(self, text: str) -> str:
        """The words that are compared, folded and space-separated (see the module docstring)."""
        return " ".join(self._words(text))

    def vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """One L2-normalised row of weighted character n-grams per text (all-zero if nothing is
        left after ``normalise``)."""
        docs = [self._words(t) for t in texts]
        vocabulary = sorted({w for doc in docs for w in doc})
        if not vocabulary:
            return sparse.csr_matrix((len(docs), 1))
        column = {w: i for i, w in enumerate(vocabulary)}
        rows, cols, counts = [], [], []
        for row, doc in enumerate(docs):
            for word, count in Counter(doc).items():
                rows.append(row)
                cols.append(column[word])
                counts.append(1.0 + math.log(count))  # sublinear tf
        tf = sparse.csr_matrix((counts, (rows, cols)), shape=(len(docs), len(vocabulary)))
        # scikit-learn is imported on first use: it costs the web process seconds at start-up.
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.preprocessing import normalize

        grams = CountVectorizer(
            analyzer="char_wb", ngram_range=self.ngram_range, lowercase=False, binary=True
        ).fit_transform(vocabulary)
        weighted = tf @ sparse.diags(self._rarity(vocabulary)) @ grams
        return sparse.csr_matrix(normalize(weighted))

    def similarities(self, texts: Sequence[str]) -> np.ndarray:
        """Symmetric matrix of pairwise similarities in [0, 1]; 1 on the diagonal."""
        n = len(texts)
        if n == 0:
            return np.zeros((0, 0))
        vecs = self.vectors(texts)
        sims = np.asarray((vecs @ vecs.T).todense(), dtype=np.float64)
        if self.place_veto:
            sims[self._place_conflicts(texts)] = 0.0
        np.clip(sims, 0.0, 1.0, out=sims)
        np.fill_diagonal(sims, 1.0)
        return sims

    def _row(self, text: str, others: Sequence[str]) -> np.ndarray:
        """``similarities([text, *others])[0, 1:]`` without the other n² entries."""
        vecs = self.vectors([text, *others])
        row = np.asarray((vecs[1:] @ vecs[0].T).todense(), dtype=np.float64).ravel()
        if self.place_veto:
            mine = places_in(self._words(text))
            if mine:
                for i, other in enumerate(others):
                    theirs = places_in(self._words(other))
                    if theirs and not mine & theirs:
                        row[i] = 0.0
        return np.asarray(np.clip(row, 0.0, 1.0))

    def similarity(self, a: str, b: str) -> float:
        """How alike two texts are, 0 (nothing shared, or different cities) .. 1 (same words)."""
        return float(self.similarities([a, b])[0, 1])

    def best_group(
        self, text: str, groups: Sequence[Sequence[str]], threshold: float = DEFAULT_THRESHOLD
    ) -> int | None:
        """Index of the group whose members ``text`` is most similar to on average, if that mean
        reaches ``threshold`` (the rule average linkage uses to merge); else ``None``.
        Ties go to the earlier group."""
        sizes = [len(g) for g in groups]
        if not any(sizes):
            return None
        row = self._row(text, [m for g in groups for m in g])
        best: tuple[float, int] | None = None
        start = 0
        for index, size in enumerate(sizes):
            if size:
                mean = float(row[start : start + size].mean())
                if mean >= threshold and (best is None or mean > best[0]):
                    best = (mean, index)
            start += size
        return best[1] if best else None

    def clusters(
        self, texts: Sequence[str], threshold: float = DEFAULT_THRESHOLD, min_size: int = 2
    ) -> list[list[int]]:
        """Groups of indices into ``texts`` whose members say the same thing: average linkage
        over the similarities, cut where the mean similarity between two groups drops below
        ``threshold``. Only groups of at least ``min_size`` are returned, largest first (ties:
        lowest first index), each sorted ascending."""
        n = len(texts)
        if n == 0 or min_size > n:
            return []
        if n == 1:
            return [[0]] if min_size <= 1 else []
        distance = 1.0 - self.similarities(texts)
        from sklearn.cluster import AgglomerativeClustering  # first use only (see `vectors`)

        labels = AgglomerativeClustering(
            n_clusters=None,
            metric="precomputed",
            linkage="average",
            distance_threshold=1.0 - threshold,
        ).fit_predict(distance)
        groups: dict[int, list[int]] = {}
        for index, label in enumerate(labels.tolist()):
            groups.setdefault(int(label), []).append(index)
        kept = [g for g in groups.values() if len(g) >= max(min_size, 1)]
        return sorted(kept, key=lambda g: (-len(g), g[0]))

    def _words(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text)
        text = _URL.sub(" ", _EMAIL.sub(" ", text))
        text = _HANDLE.sub(" ", text)
        if self._brand is not None:
            text = self._brand.sub(" ", text)
        text = "".join(c for c in unicodedata.normalize("NFKD", fold(text)) if not unicodedata.combining(c))
        return [w for w in _NOT_ALNUM.sub(" ", text).split() if w not in self.stop_words]

    def _rarity(self, words: Sequence[str]) -> np.ndarray:
        if not self.rarity_weights:
            return np.ones(len(words))
        weights, unknown = word_weights()
        city = {"rarest": unknown, "zero": 0.0}.get(self.city_weight)
        out = [weights.get(w, unknown) for w in words]
        if city is not None:
            out = [city if places_in((w,)) else weight for w, weight in zip(words, out, strict=True)]
        return np.array(out)

    def _place_conflicts(self, texts: Sequence[str]) -> np.ndarray:
        """Boolean matrix: both texts name a city and they share none."""
        found = [places_in(self._words(t)) for t in texts]
        names = sorted(set().union(*found))
        if not names:
            return np.zeros((len(texts), len(texts)), dtype=bool)
        column = {name: i for i, name in enumerate(names)}
        marks = np.zeros((len(texts), len(names)), dtype=np.int64)
        for row, places in enumerate(found):
            marks[row, [column[p] for p in places]] = 1
        named = marks.any(axis=1)
        shared = (marks @ marks.T) > 0
        return np.outer(named, named) & ~shared


def _brand_pattern(brand_names: Sequence[str]) -> re.Pattern[str] | None:
    """The brand's names as whole words, any case, spaces flexible; also at the start of a
    hashtag (``#TelekomStörung`` keeps ``Störung``)."""
    names = sorted({n.strip() for n in brand_names if n.strip()}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, n.split())) for n in names)
    return re.compile(rf"(?<=#)(?:{alternatives})|(?<!\w)(?:{alternatives})(?!\w)", re.I)


@lru_cache(maxsize=16)
def _model(brand_names: tuple[str, ...]) -> SimilarityModel:
    return SimilarityModel(brand_names)


def similarity(a: str, b: str, brand_names: Sequence[str] = ()) -> float:
    """``SimilarityModel(brand_names).similarity(a, b)``."""
    return _model(tuple(brand_names)).similarity(a, b)


def best_group(
    text: str,
    groups: Sequence[Sequence[str]],
    threshold: float = DEFAULT_THRESHOLD,
    brand_names: Sequence[str] = (),
) -> int | None:
    """``SimilarityModel(brand_names).best_group(text, groups, threshold)``."""
    return _model(tuple(brand_names)).best_group(text, groups, threshold)


def clusters(
    texts: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    min_size: int = 2,
    brand_names: Sequence[str] = (),
) -> list[list[int]]:
    """``SimilarityModel(brand_names).clusters(texts, threshold, min_size)``."""
    return _model(tuple(brand_names)).clusters(texts, threshold, min_size)
