"""Every labelled du/Sie/none case in data/address.yaml is decided correctly."""

from pathlib import Path

import pytest
import yaml

from bot.triage import detect_address

DATA = yaml.safe_load((Path(__file__).parent / "data" / "address.yaml").read_text("utf-8"))
BRAND = ("Telekom", "telekom_hilft", "Telekom hilft")
CASES = [(text, expected) for cases in DATA.values() for text, expected in cases]


def test_corpus_is_big_enough():
    assert len(CASES) >= 100
    assert {e for _, e in CASES} == {"du", "sie", "none"}


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_address_case(text, expected):
    assert detect_address(text, BRAND) == expected


def test_brand_name_that_looks_like_an_address_form_does_not_count():
    assert detect_address("Dein Netz", ("Dein Netz",)) == "none"


def test_agent_draft_is_checked_the_same_way():
    assert detect_address("Hallo Anna, wir schauen uns das für dich an! ^AB") == "du"
    assert detect_address("Guten Tag, wir prüfen das gern für Sie. ^AB") == "sie"
