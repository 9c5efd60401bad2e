"""Shared fixtures: the triage model is loaded once per test session."""

import pytest

from bot.triage import Triage, TriageRules

ROUTES = (
    ("C0MOBIL", ("handy", "mobilfunk", "funkloch", "netz")),
    ("C0FESTNETZ", ("internet", "dsl", "router", "glasfaser", "festnetz")),
)
RULES = TriageRules(
    routes=ROUTES,
    customer_number_patterns=(r"\b(?:Kd|Kunden|Vertrags)[-.\s]?(?:Nr|nummer)\.?:?\s*\d{6,12}\b",),
    hotlines=("0800 33 01000",),
    brand_names=("Telekom", "telekom_hilft", "Telekom hilft"),
)


@pytest.fixture(scope="session")
def triage() -> Triage:
    return Triage(RULES)
