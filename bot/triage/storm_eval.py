"""Read the labelled outage-storm set and score a grouping against it.

Shared by ``benchmarks/storm_clustering.py`` and ``tests/triage/test_triage_similarity.py`` so
that the figures in the README, the bars in the tests and the choice of
``similarity.DEFAULT_THRESHOLD`` are computed the same way.

File format (YAML, ``tests/triage/data/storms.yaml``)::

    brand_names: [Telekom, …]
    storms: {storm_id: {about: "…", texts: ["…", …]}, …}
    none: ["…", …]          # texts that belong to no storm

The split is fixed by position: within each storm and within ``none``, the 1st, 3rd, 5th …
text is ``dev`` (choose methods and thresholds on it), the 2nd, 4th, … is ``test``. A file with
``split: NAME`` at the top puts every text in that split instead (the hold-out set).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import yaml

from bot.triage.routing import route
from bot.triage.similarity import SimilarityModel

#: Groups smaller than this are not storms (``storm.min_mentions``' default in the desk).
DESK_MIN_SIZE = 5
#: Thresholds tried when choosing one on the dev half.
GRID = tuple(round(0.03 + 0.005 * i, 3) for i in range(55))  # 0.030 .. 0.300


@dataclass(frozen=True)
class Labelled:
    text: str
    storm: str | None  # None: belongs to no storm
    split: str  # dev | test | the file's own split name


@dataclass(frozen=True)
class StormSet:
    brand_names: tuple[str, ...]
    items: tuple[Labelled, ...]

    def split(self, name: str) -> list[Labelled]:
        return [item for item in self.items if item.split == name]


def load(path: Path | str) -> StormSet:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    whole = data.get("split")
    items: list[Labelled] = []
    for storm, body in data["storms"].items():
        items += _split(body["texts"], str(storm), whole)
    items += _split(data.get("none") or [], None, whole)
    return StormSet(tuple(data.get("brand_names") or ()), tuple(items))


def _split(texts: Sequence[str], storm: str | None, whole: str | None) -> list[Labelled]:
    return [
        Labelled(str(t), storm, whole or ("dev" if i % 2 == 0 else "test")) for i, t in enumerate(texts)
    ]


@dataclass(frozen=True)
class PairScores:
    """Pairwise figures: a pair is predicted together when both texts are in one returned group,
    and truly together when both carry the same storm label (``none`` texts pair with nobody)."""

    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int


def pairwise(labels: Sequence[str | None], groups: Sequence[Sequence[int]]) -> PairScores:
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    tp = fp = fn = 0
    for i, j in combinations(range(len(labels)), 2):
        together = i in group_of and group_of.get(j) == group_of[i]
        same = labels[i] is not None and labels[i] == labels[j]
        tp += together and same
        fp += together and not same
        fn += same and not together
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(precision, recall, f1, tp + fn, tp + fp)


@dataclass(frozen=True)
class StormScore:
    """One storm: how many of its texts sit in its largest returned group (``kept``), how big
    that group is, and which of its members are unrelated (``none``) or from another storm."""

    storm: str
    size: int
    kept: int
    group_size: int
    intruders_none: int
    intruders_other: int

    @property
    def share(self) -> float:
        return self.kept / self.size if self.size else 0.0


def per_storm(labels: Sequence[str | None], groups: Sequence[Sequence[int]]) -> list[StormScore]:
    out = []
    for storm in sorted({s for s in labels if s is not None}):
        size = sum(1 for s in labels if s == storm)
        best: Sequence[int] = max(groups, key=lambda g: sum(labels[i] == storm for i in g), default=[])
        kept = sum(labels[i] == storm for i in best)
        if not kept:
            best = []
        counts = Counter(labels[i] for i in best)
        out.append(
            StormScore(
                storm=storm,
                size=size,
                kept=kept,
                group_size=len(best),
                intruders_none=counts.get(None, 0),
                intruders_other=len(best) - kept - counts.get(None, 0),
            )
        )
    return out


@dataclass(frozen=True)
class Unrelated:
    """Unrelated (``none``) texts: ``in_storm_groups`` sit in a group whose majority is a storm
    (they would be answered as part of an incident); ``in_own_groups`` form groups of their own
    (a false incident if the group is big enough); ``total`` unrelated texts in all."""

    in_storm_groups: int
    in_own_groups: int
    total: int


def unrelated(labels: Sequence[str | None], groups: Sequence[Sequence[int]]) -> Unrelated:
    in_storm = in_own = 0
    for group in groups:
        counts = Counter(labels[i] for i in group)
        nones = counts.pop(None, 0)
        if counts and max(counts.values()) >= nones:
            in_storm += nones
        else:
            in_own += nones
    return Unrelated(in_storm, in_own, sum(1 for s in labels if s is None))


Routes = tuple[tuple[str, tuple[str, ...]], ...]


def grouped(
    model: SimilarityModel,
    items: Sequence[Labelled],
    threshold: float,
    min_size: int = DESK_MIN_SIZE,
    routes: Routes | None = None,
) -> list[list[int]]:
    """Groups over ``items``: all in one pot, or (with ``routes``) channel by channel, as the
    desk calls ``clusters`` on the mentions of one channel."""
    channels: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        channels.setdefault(route(item.text, routes) if routes else "", []).append(i)
    groups = []
    for members in channels.values():
        for group in model.clusters([items[i].text for i in members], threshold, min_size):
            groups.append([members[j] for j in group])
    return groups


def choose_threshold(
    model: SimilarityModel, dev: Sequence[Labelled]
) -> tuple[float, list[tuple[float, PairScores]]]:
    """The threshold with the highest pairwise F1 on ``dev`` (one pot, groups of >= 5); where
    several tie (a plateau), the middle one, so that a small shift in the data does not fall off
    its edge. Also every threshold tried with its scores."""
    labels = [d.storm for d in dev]
    tried = [(t, pairwise(labels, grouped(model, dev, t))) for t in GRID]
    top = max(round(s.f1, 6) for _, s in tried)
    best = [t for t, s in tried if round(s.f1, 6) == top]
    return best[(len(best) - 1) // 2], tried
