"""Issue 14, item 4: birth dates are personal data; plural informal imperatives without a
pronoun are du; "Sie" as third person plural is no address (data/known_misses.yaml)."""

from pathlib import Path

import pytest
import yaml

from bot.triage import detect_address, find_personal_data
from tests.triage.test_triage_personal_data import RULES

DATA = yaml.safe_load((Path(__file__).parent / "data" / "known_misses.yaml").read_text("utf-8"))
BRAND = ("Telekom", "telekom_hilft", "Telekom hilft")


@pytest.mark.parametrize("group", ["plural_imperative", "they_plural", "birth_date"])
def test_each_known_miss_has_at_least_fifty_cases(group):
    assert len(DATA[group]) >= 50


@pytest.mark.parametrize(("text", "expected"), DATA["plural_imperative"] + DATA["they_plural"],
                         ids=[c[0][:50] for c in DATA["plural_imperative"] + DATA["they_plural"]])
def test_address_known_miss(text, expected):
    assert detect_address(text, BRAND) == expected


@pytest.mark.parametrize(("text", "expected"), DATA["birth_date"],
                         ids=[c[0][:50] for c in DATA["birth_date"]])
def test_birth_date_known_miss(text, expected):
    found = find_personal_data(text, RULES)
    assert [(p.kind, p.text) for p in found] == [tuple(e) for e in expected]
    for p in found:
        assert text[p.start : p.end] == p.text
