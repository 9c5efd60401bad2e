"""Sentiment catches clear domain complaints and leaves clear praise and questions alone."""

import pytest

from bot.triage import DEFAULT_NEGATIVE_THRESHOLD, Triage, TriageRules
from bot.triage.sentiment import SentimentModel

COMPLAINTS = [
    "Seit drei Tagen kein Internet",
    "seit drei tagen kein internet!!!",
    "Danke für nichts",
    "super, schon wieder Funkloch",
    "Techniker kam nicht",
    "Der Techniker kam heute wieder nicht, obwohl der Termin bestätigt war",
    "kein bisschen zufrieden",
    "Ich bin überhaupt nicht zufrieden mit eurem Service",
    "Warteschleife seit 45 Minuten 😡",
    "Mein Internet ist schon wieder gedrosselt",
    "Störung seit Montag, niemand meldet sich",
    "Na toll, Netz weg mitten im Telefonat",
    "Internet geht wieder nicht!",
    "Das ist eine Frechheit, dreimal falsche Rechnung",
    "Kein Netz in ganz Bonn, was ist da los?",
]
PRAISE = [
    "Vielen Dank für die schnelle Hilfe, tolles Team!",
    "Top Service, vielen Dank!",
    "Danke, jetzt läuft alles wieder super! 👍",
]
CALM = [
    "Router neu gestartet, geht wieder. Danke euch!",
    "Wann kommt das neue iPhone in den Shop?",
    "Wann kommt eigentlich das neue iPhone in den Shop?",
    "Gibt es das Galaxy auch im Shop in Bonn?",
    "Wie kann ich meinen Tarif wechseln?",
    "Vielen Dank für die schnelle Hilfe, tolles Team!",
]


@pytest.mark.parametrize("text", COMPLAINTS)
def test_clear_domain_complaints_are_negative(triage, text):
    result = triage.analyse(text)
    assert result.sentiment == "negative", result.score
    assert result.score >= 0.5


@pytest.mark.parametrize("text", PRAISE)
def test_clear_praise_is_positive(triage, text):
    assert triage.analyse(text).sentiment == "positive"


@pytest.mark.parametrize("text", CALM)
def test_thanks_and_questions_are_not_negative(triage, text):
    assert triage.analyse(text).sentiment != "negative"


@pytest.mark.parametrize(
    "text",
    [
        "Kein Netz in ganz Bonn, was ist da los?",
        "Wann kommt endlich der Techniker? Seit Tagen kein Internet!",
    ],
)
def test_complaining_questions_stay_negative(triage, text):
    assert triage.analyse(text).sentiment == "negative"


def test_score_is_a_probability_and_threshold_decides(triage):
    text = "Wie kann ich meinen Tarif wechseln?"
    score = triage.analyse(text).score
    assert 0.0 <= score <= 1.0
    strict = Triage(TriageRules(negative_threshold=min(score + 0.01, 0.99)), model=triage.model)
    lenient = Triage(TriageRules(negative_threshold=max(score - 0.01, 0.01)), model=triage.model)
    assert strict.analyse(text).sentiment != "negative"
    assert lenient.analyse(text).sentiment == "negative"


def test_default_threshold_is_the_models_tuned_one(triage):
    assert triage.model.default_threshold == DEFAULT_NEGATIVE_THRESHOLD


def test_model_is_small_and_versioned():
    model = SentimentModel()
    assert model.meta["name"] == "sentiment-v2"
    assert "CC BY-NC" in model.meta["licence"]


def test_empty_and_odd_texts_do_not_crash(triage):
    for text in ["", " ", "😡😡😡", "?!", "x" * 5000, "@telekom_hilft"]:
        assert triage.analyse(text).sentiment in {"negative", "neutral", "positive"}
