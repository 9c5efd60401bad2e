"""How well ``bot.triage.similarity`` finds outage storms, on the hand-written labelled sets.

    .venv/bin/python benchmarks/storm_clustering.py              # test half + hold-out sets + timing
    .venv/bin/python benchmarks/storm_clustering.py --choose     # the dev-half grid behind DEFAULT_THRESHOLD
    .venv/bin/python benchmarks/storm_clustering.py --ablations  # what each part of the method adds

Data (``tests/triage/data/``): ``storms.yaml``, split into a dev half (the threshold is chosen
there: pairwise F1 with groups of >= 5, the desk's ``storm.min_mentions``) and a test half; and
``storms_holdout*.yaml``, written after the method was frozen and never used to choose anything.
Every set is clustered on its own, two ways: all texts in one pot (harsh: DSL and mobile
complaints meet), and per channel as the desk calls it (texts routed with ``channels.routes``
from ``config/desk.yaml`` first, then clustered channel by channel).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import yaml
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.triage import storm_eval
from bot.triage.sentiment import SentimentModel
from bot.triage.similarity import DEFAULT_THRESHOLD, SimilarityModel
from bot.triage.types import DEFAULT_NEGATIVE_THRESHOLD

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "tests" / "triage" / "data"
DATA = DATA_DIR / "storms.yaml"
DESK_YAML = ROOT / "config" / "desk.yaml"
DESK_MIN_SIZE = storm_eval.DESK_MIN_SIZE

Routes = storm_eval.Routes
Items = Sequence[storm_eval.Labelled]
grouped = storm_eval.grouped


def desk_routes() -> Routes:
    channels = yaml.safe_load(DESK_YAML.read_text(encoding="utf-8"))["channels"]
    return tuple((r["channel"], tuple(r["keywords"])) for r in channels.get("routes") or ())


def report(model: SimilarityModel, items: Items, threshold: float, routes: Routes) -> None:
    labels = [t.storm for t in items]
    sentiment = SentimentModel()
    # The desk only compares open *negative* mentions: among the unrelated texts, the ones the
    # sentiment model flags are those that could really be pulled into an incident.
    negative = [i for i, t in enumerate(items) if t.storm is None
                and sentiment.predict(t.text).label(DEFAULT_NEGATIVE_THRESHOLD) == "negative"]
    views = {"one pot": None, "per channel": routes}
    tables = {}
    for view, view_routes in views.items():
        for min_size in (2, DESK_MIN_SIZE):
            s = storm_eval.pairwise(labels, grouped(model, items, threshold, min_size, view_routes))
            print(f"{view:11s} groups >= {min_size}: pairwise precision {s.precision:.3f}  "
                  f"recall {s.recall:.3f}  F1 {s.f1:.3f}  ({s.true_pairs} true pairs, "
                  f"{s.predicted_pairs} predicted)")
        groups = grouped(model, items, threshold, DESK_MIN_SIZE, view_routes)
        tables[view] = storm_eval.per_storm(labels, groups)
        u = storm_eval.unrelated(labels, groups)
        in_groups = {i for g in groups for i in g}
        print(f"{'':11s} unrelated texts pulled into a storm's group: {u.in_storm_groups} of {u.total} "
              f"({sum(i in in_groups for i in negative)} of the {len(negative)} negative ones); "
              f"groups of unrelated texts only: {u.in_own_groups} texts")
    print(f"per storm, groups >= {DESK_MIN_SIZE}: texts in the storm's largest group (share), "
          "that group's size, + unrelated / other storms' texts in it")
    print(f"  {'storm':17s} {'texts':>5s} | {'one pot':^27s} | {'per channel':^27s}")
    for pot, chan in zip(tables["one pot"], tables["per channel"], strict=True):
        cells = [f"{st.kept:3d} ({st.share:4.2f}) of {st.group_size:3d} "
                 f"+{st.intruders_none}/+{st.intruders_other:<3d}" for st in (pot, chan)]
        print(f"  {pot.storm:17s} {pot.size:5d} | {cells[0]:27s} | {cells[1]:27s}")


def report_joining(model: SimilarityModel, incidents: Items, arrivals: Items, threshold: float) -> None:
    """Each storm already has an open incident holding its ``incidents`` texts; each of
    ``arrivals`` comes in: does it join the right incident (storm texts), or none (unrelated)?"""
    storms = sorted({i.storm for i in incidents if i.storm})
    groups = [[i.text for i in incidents if i.storm == s] for s in storms]
    right = wrong = missed = stray = 0
    for item in arrivals:
        joined = model.best_group(item.text, groups, threshold)
        if item.storm is None:
            stray += joined is not None
        elif joined is None:
            missed += 1
        elif storms[joined] == item.storm:
            right += 1
        else:
            wrong += 1
    n_storm = sum(1 for i in arrivals if i.storm)
    n_none = len(arrivals) - n_storm
    print(f"joining open incidents (best_group, one pot; {len(incidents)} texts in {len(storms)} incidents): "
          f"storm texts {right}/{n_storm} join their own ({right / n_storm:.3f}), {wrong} another, "
          f"{missed} none; unrelated texts {stray}/{n_none} join one ({stray / n_none:.3f})")


def report_timing(model: SimilarityModel, texts: Sequence[str], threshold: float) -> None:
    texts = list(texts)[:300]
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        model.clusters(texts, threshold, DESK_MIN_SIZE)
        runs.append(time.perf_counter() - start)
    start = time.perf_counter()
    for text in texts[150:200]:
        model.best_group(text, [texts[:150]], threshold)
    join = (time.perf_counter() - start) / 50
    print(f"timing (one process): clusters() on {len(texts)} texts: median {np.median(runs) * 1000:.0f} ms "
          f"(min {min(runs) * 1000:.0f}, max {max(runs) * 1000:.0f}, 5 runs); "
          f"best_group() against a 150-text incident: {join * 1000:.1f} ms")


class _WithIdf(SimilarityModel):
    """Ablation: a plain TfidfVectorizer (IDF fitted on the texts at hand) instead of rarity weights."""

    def vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=self.ngram_range, lowercase=False,
                              sublinear_tf=True)
        return sparse.csr_matrix(vec.fit_transform([self.normalise(t) for t in texts]))


class _Words(SimilarityModel):
    """Ablation: word 1-2-grams (rarity-weighted words would need their own weights; plain tf)."""

    def vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        vec = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), lowercase=False, sublinear_tf=True,
                              use_idf=False, token_pattern=r"\S+")
        return sparse.csr_matrix(vec.fit_transform([self.normalise(t) for t in texts]))


def ablations(data: storm_eval.StormSet) -> None:
    brands = data.brand_names
    variants: list[tuple[str, SimilarityModel]] = [
        ("this method", SimilarityModel(brands)),
        ("without the place veto", SimilarityModel(brands, place_veto=False)),
        ("without stop words", SimilarityModel(brands, stop_words=frozenset())),
        ("without rarity weights", SimilarityModel(brands, rarity_weights=False)),
        ("cities at their list weight", SimilarityModel(brands, city_weight="list")),
        ("cities only in the veto", SimilarityModel(brands, city_weight="zero")),
        ("IDF on the texts at hand", _WithIdf(brands)),
        ("word 1-2-grams, not chars", _Words(brands)),
        ("char 2-4-grams", SimilarityModel(brands, ngram_range=(2, 4))),
    ]
    dev, test = data.split("dev"), data.split("test")
    koeln = [i.text for i in data.items if i.storm == "dsl_koeln"]
    unrelated = [i.text for i in data.items if i.storm is None][:5]
    print("each variant at its own dev-chosen threshold; test half, one pot, groups >= 5;")
    print("'one storm grows': dsl_koeln's texts (+5 unrelated) alone, then 4 times over: texts kept together")
    heads = ("dev cut", "dev F1", "test P", "test R", "test F1")
    print(f"{'variant':28s} " + " ".join(f"{h:>7s}" for h in heads) + "   one storm grows")
    for name, model in variants:
        threshold, _ = storm_eval.choose_threshold(model, dev)
        d = storm_eval.pairwise([t.storm for t in dev], grouped(model, dev, threshold, DESK_MIN_SIZE))
        s = storm_eval.pairwise([t.storm for t in test], grouped(model, test, threshold, DESK_MIN_SIZE))
        grows = []
        for copies in (1, 4):
            texts = koeln * copies + unrelated
            groups = model.clusters(texts, threshold, DESK_MIN_SIZE)
            kept = max((sum(i < len(koeln) * copies for i in g) for g in groups), default=0)
            grows.append(f"{kept}/{len(koeln) * copies}")
        print(f"{name:28s} {threshold:7.3f} {d.f1:7.3f} {s.precision:7.3f} {s.recall:7.3f} {s.f1:7.3f}   "
              + " ".join(grows))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--choose", action="store_true", help="print the dev-half threshold grid")
    parser.add_argument("--ablations", action="store_true", help="compare the method's parts")
    args = parser.parse_args(argv)
    data = storm_eval.load(DATA)
    model = SimilarityModel(data.brand_names)
    storms = sorted({i.storm for i in data.items if i.storm})
    dev, test = data.split("dev"), data.split("test")
    print(f"{DATA.name}: {len(data.items)} texts, {len(storms)} storms "
          f"({sum(1 for i in data.items if i.storm)} texts) + {sum(1 for i in data.items if not i.storm)} "
          f"unrelated; dev {len(dev)}, test {len(test)}")
    if args.ablations:
        ablations(data)
        return 0
    if args.choose:
        threshold, tried = storm_eval.choose_threshold(model, dev)
        print(f"dev half, one pot, pairwise, groups >= {DESK_MIN_SIZE}:")
        for t, sc in tried:
            print(f"  {t:.3f}  P={sc.precision:.3f} R={sc.recall:.3f} F1={sc.f1:.3f}")
        print(f"chosen: {threshold:.3f} (DEFAULT_THRESHOLD in bot/triage/similarity.py: {DEFAULT_THRESHOLD})")
        return 0
    routes = desk_routes()
    print(f"threshold {DEFAULT_THRESHOLD} (chosen on the dev half); routes from {DESK_YAML.name}: "
          + ", ".join(f"{c}: {'/'.join(k)}" for c, k in routes))
    print(f"\n== test half of {DATA.name}: {len(test)} texts")
    report(model, test, DEFAULT_THRESHOLD, routes)
    report_joining(model, dev, test, DEFAULT_THRESHOLD)
    for path in sorted(DATA_DIR.glob("storms_holdout*.yaml")):
        hold = storm_eval.load(path)
        items = list(hold.items)
        h_storms = sorted({i.storm for i in items if i.storm})
        print(f"\n== hold-out {path.name}: {len(items)} texts, {len(h_storms)} storms "
              f"({', '.join(h_storms)}) + {sum(1 for i in items if not i.storm)} unrelated")
        h_model = SimilarityModel(hold.brand_names)
        report(h_model, items, DEFAULT_THRESHOLD, routes)
        # Joining: the 1st, 3rd, … text of each storm opened its incident; the others arrive.
        by_storm: dict[str | None, list[storm_eval.Labelled]] = {}
        for item in items:
            by_storm.setdefault(item.storm, []).append(item)
        opened = [i for s, its in by_storm.items() if s for i in its[0::2]]
        later = [i for s, its in by_storm.items() for i in (its if s is None else its[1::2])]
        report_joining(h_model, opened, later, DEFAULT_THRESHOLD)
    print()
    report_timing(model, [i.text for i in data.items], DEFAULT_THRESHOLD)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
