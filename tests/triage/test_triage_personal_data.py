"""Every labelled personal-data case in data/personal_data.yaml is decided correctly."""

from pathlib import Path

import pytest
import yaml

from bot.triage import PersonalData, TriageRules, find_personal_data

DATA = yaml.safe_load((Path(__file__).parent / "data" / "personal_data.yaml").read_text("utf-8"))
RULES = TriageRules(
    customer_number_patterns=(r"\b(?:Kd|Kunden|Vertrags)[-.\s]?(?:Nr|nummer)\.?:?\s*\d{6,12}\b",),
    hotlines=("0800 33 01000", "0800 3301000", "0221 555550"),
)
CASES = [(group, text, expected) for group, cases in DATA.items() for text, expected in cases]


def test_corpus_is_big_enough():
    assert len(CASES) >= 150
    kinds = {kind for _, _, expected in CASES for kind, _ in expected}
    assert kinds == {"phone", "iban", "email", "customer_number", "address"}


@pytest.mark.parametrize(("group", "text", "expected"), CASES, ids=[c[1][:40] for c in CASES])
def test_personal_data_case(group, text, expected):
    found = find_personal_data(text, RULES)
    assert [(p.kind, p.text) for p in found] == [tuple(e) for e in expected]
    for p in found:
        assert text[p.start : p.end] == p.text


def test_without_configured_patterns_customer_numbers_are_not_guessed():
    assert find_personal_data("Kundennummer: 1234567890") == []


def test_result_type_is_plain_value():
    (found,) = find_personal_data("Tel 0171 1234567")
    assert found == PersonalData("phone", "0171 1234567", 4, 16)
