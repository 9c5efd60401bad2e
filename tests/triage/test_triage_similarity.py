"""Outage storms ("say the same thing", issue 11): bot.triage.similarity on held-out texts.

The bars below sit a little under what ``benchmarks/storm_clustering.py`` measured with the
frozen method and ``DEFAULT_THRESHOLD`` (measured figure in each comment). They guard against
regressions; they are not targets, and they were set after measuring, never loosened to pass.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from bot.triage import storm_eval
from bot.triage.frequency import word_weights
from bot.triage.places import places_of
from bot.triage.similarity import (
    DEFAULT_THRESHOLD,
    SimilarityModel,
    best_group,
    clusters,
    similarity,
)

DATA = Path(__file__).parent / "data"
MAIN = storm_eval.load(DATA / "storms.yaml")
HOLDOUT1 = storm_eval.load(DATA / "storms_holdout1.yaml")
HOLDOUT2 = storm_eval.load(DATA / "storms_holdout2.yaml")
BRAND = MAIN.brand_names


@pytest.fixture(scope="module")
def model() -> SimilarityModel:
    return SimilarityModel(BRAND)


def storm(name: str) -> list[str]:
    return [i.text for i in MAIN.items if i.storm == name]


# --- the labelled sets ---------------------------------------------------------------------


def test_labelled_set_is_big_enough_and_varied():
    storms = {i.storm for i in MAIN.items if i.storm}
    texts = [i.text for i in MAIN.items]
    assert len(texts) >= 300
    assert len(set(texts)) == len(texts)
    assert len(storms) >= 8
    assert sum(1 for i in MAIN.items if i.storm is None) >= 80
    assert {"dev", "test"} == {i.split for i in MAIN.items}
    every = texts + [i.text for s in (HOLDOUT1, HOLDOUT2) for i in s.items]
    assert len(set(every)) == len(every), "no text occurs in two sets"
    assert {i.split for s in (HOLDOUT1, HOLDOUT2) for i in s.items} == {"holdout"}


def test_default_threshold_is_the_one_the_dev_half_chooses(model):
    chosen, _ = storm_eval.choose_threshold(model, MAIN.split("dev"))
    assert chosen == pytest.approx(DEFAULT_THRESHOLD)


# --- measured quality (bars a little below the measured figures) ---------------------------


@pytest.mark.parametrize(
    ("items", "min_precision", "min_recall"),
    [
        (MAIN.split("test"), 0.63, 0.78),  # measured 0.661 / 0.816
        (list(HOLDOUT1.items), 0.43, 0.66),  # measured 0.460 / 0.694 (seen before the last change)
        (list(HOLDOUT2.items), 0.70, 0.88),  # measured 0.730 / 0.921 (never seen before measuring)
    ],
    ids=["test-half", "holdout1", "holdout2"],
)
def test_pairwise_precision_and_recall_on_held_out_texts(model, items, min_precision, min_recall):
    groups = storm_eval.grouped(model, items, DEFAULT_THRESHOLD)
    scores = storm_eval.pairwise([i.storm for i in items], groups)
    assert scores.precision >= min_precision
    assert scores.recall >= min_recall


def test_test_half_texts_join_the_right_open_incident(model):
    names = sorted({i.storm for i in MAIN.items if i.storm})
    incidents = [[i.text for i in MAIN.split("dev") if i.storm == n] for n in names]
    test = MAIN.split("test")
    joined = [(i.storm, model.best_group(i.text, incidents)) for i in test]
    storm_hits = [names[j] == s for s, j in joined if s is not None and j is not None]
    n_storm = sum(1 for s, _ in joined if s is not None)
    strays = sum(1 for s, j in joined if s is None and j is not None)
    assert sum(storm_hits) / n_storm >= 0.94  # measured 128/132 = 0.970
    assert strays / sum(1 for s, _ in joined if s is None) <= 0.33  # measured 13/45 = 0.289


def test_no_storm_swallows_another_on_the_hard_pairs(model):
    """Same product, other city (DSL Köln / DSL München); other product, other city (DSL Köln /
    mobile Hamburg): each storm ends up in a group of its own, whole."""
    for other in ("dsl_muenchen", "mobil_hamburg"):
        koeln, rest = storm("dsl_koeln"), storm(other)
        groups = clusters(koeln + rest, min_size=5, brand_names=BRAND)
        for group in groups:
            assert all(i < len(koeln) for i in group) or all(i >= len(koeln) for i in group)
        assert max(len(g) for g in groups) == len(koeln)


def test_clustering_300_texts_is_fast(model):
    texts = [i.text for i in MAIN.items][:300]
    model.clusters(texts)  # warm-up: the frequency list is read once
    start = time.perf_counter()
    model.clusters(texts)
    assert time.perf_counter() - start < 1.0  # measured ≈ 30-60 ms on one shared core


# --- behaviour -----------------------------------------------------------------------------


def test_koeln_dsl_complaint_does_not_join_a_hamburg_mobile_storm(model):
    newcomer = "Bei mir in Köln-Rodenkirchen ist das DSL seit heute früh weg, Router blinkt rot"
    assert model.best_group(newcomer, [storm("mobil_hamburg")]) is None
    assert model.best_group(newcomer, [storm("mobil_hamburg"), storm("dsl_koeln")]) == 1


def test_different_cities_are_never_the_same_outage(model):
    assert model.similarity("Kein Internet in Köln", "Kein Internet in München") == 0.0
    assert model.similarity("Kein Internet in Köln", "Koeln: internet weg") > DEFAULT_THRESHOLD
    # A text naming no city is not vetoed; one naming both cities shares one.
    assert model.similarity("Kein Internet in Köln", "Kein Internet seit heute") > DEFAULT_THRESHOLD
    assert model.similarity("Kein Internet in Köln", "Internet weg in Köln und Bonn") > DEFAULT_THRESHOLD


def test_handles_urls_addresses_and_brand_names_create_no_similarity(model):
    assert model.similarity("@telekom_hilft schau mal https://t.co/xyz",
                            "@telekom_hilft https://t.co/xyz Rechnung doppelt abgebucht") == 0.0
    assert model.similarity("Telekom Telekom", "#Telekom telekom_hilft, Telekom hilft") == 0.0
    plain = model.similarity("Router blinkt rot", "DSL weg, Router tot")
    decorated = model.similarity("@telekom_hilft Router blinkt rot https://t.co/abc kunde@example.de",
                                 "DSL weg, Router tot @Telekom www.telekom.de/hilfe")
    assert decorated == pytest.approx(plain)


def test_normalise_folds_spellings_and_drops_noise(model):
    assert model.normalise("@telekom_hilft KÖLN-Ehrenfeld: Störung!!! 😡 #TelekomStörung https://t.co/x") == (
        "koeln ehrenfeld stoerung stoerung"
    )
    assert model.normalise("𝐊ö𝐥𝐧 café") == "koeln cafe"  # styled letters, accents
    assert model.normalise("Sehr geehrte Damen und Herren, bitte helfen Sie mir") == "helfen"
    assert model.normalise("Internet in Hamburg und DSL in 50667") == "internet hamburg dsl 50667"


def test_results_do_not_depend_on_order_or_batch(model):
    texts = storm("dsl_koeln")[:10] + storm("hotline")[:10] + [i.text for i in MAIN.items if not i.storm][:10]
    groups = model.clusters(texts)
    assert groups == model.clusters(texts)
    order = list(range(len(texts)))
    random.Random(7).shuffle(order)
    shuffled = model.clusters([texts[i] for i in order])
    assert sorted(sorted(order[i] for i in g) for g in shuffled) == sorted(groups)
    a, b = texts[0], texts[1]
    assert model.similarity(a, b) == pytest.approx(model.similarity(b, a))
    assert model.similarities(texts)[0, 1] == pytest.approx(model.similarity(a, b))


def test_edge_cases(model):
    assert model.clusters([]) == []
    assert model.clusters(["Kein Internet"]) == []
    assert model.clusters(["Kein Internet"], min_size=1) == [[0]]
    assert model.clusters(["a", "b"], min_size=3) == []
    assert model.best_group("Kein Internet", []) is None
    assert model.best_group("Kein Internet", [[], ["Internet weg"]]) == 1
    # Texts with nothing left to compare (only a handle, a URL, emoji) are similar to nothing.
    assert model.similarity("@telekom_hilft", "https://t.co/x 😡😡") == 0.0
    assert model.clusters(["@telekom_hilft", "😡", "https://t.co/x"], min_size=2) == []


def test_module_functions_match_the_model(model):
    a, b = storm("dsl_koeln")[0], storm("dsl_koeln")[1]
    assert similarity(a, b, BRAND) == pytest.approx(model.similarity(a, b))
    assert best_group(a, [storm("hotline"), storm("dsl_koeln")[1:]], brand_names=BRAND) == 1


def test_place_names_and_their_spellings():
    for text in ("Köln-Ehrenfeld", "KOELN", "koln dsl", "Cologne", "Kölner hier", "#köln"):
        assert places_of(text) == {"koeln"}, text
    assert places_of("Münchner Westend") == {"muenchen"}
    assert places_of("HH St. Pauli") == {"hamburg"}
    assert places_of("Zug zwischen Köln und Frankfurt") == {"koeln", "frankfurt"}
    assert places_of("Bergisch Gladbach") == {"bergisch gladbach"}
    # Everyday words and regions are not cities.
    assert places_of("beim Essen in der Halle") == frozenset()
    assert places_of("Brandenburg und Bayern") == frozenset()


def test_rarity_weights_come_from_the_general_frequency_list():
    weights, unknown = word_weights()
    assert weights["und"] == pytest.approx(0.0)
    assert weights["geht"] < weights["rechnung"] < unknown
    assert "router" not in weights


def test_pairwise_scores_count_pairs():
    labels = ["a", "a", "a", None, "b", "b"]
    scores = storm_eval.pairwise(labels, [[0, 1, 3], [4, 5]])
    # true pairs: (0,1) (0,2) (1,2) (4,5) = 4; predicted: (0,1) (0,3) (1,3) (4,5) = 4; 2 right.
    assert (scores.true_pairs, scores.predicted_pairs) == (4, 4)
    assert scores.precision == pytest.approx(0.5)
    assert scores.recall == pytest.approx(0.5)
    unrelated = storm_eval.unrelated(labels, [[0, 1, 3], [4, 5]])
    assert (unrelated.in_storm_groups, unrelated.in_own_groups, unrelated.total) == (1, 0, 1)
