"""Keyword routing on folded word stems; first match wins."""

import pytest

from bot.triage import route

ROUTES = (
    ("C0MOBIL", ("handy", "Mobilfunk", "funkloch", "netz")),
    ("C0FESTNETZ", ("internet", "dsl", "router", "glasfaser", "festnetz")),
    ("C0RECHNUNG", ("Rechnung", "Gebühr", "Straße")),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mein Handy geht nicht", "C0MOBIL"),
        ("Das mobilfunk-netz ist weg", "C0MOBIL"),
        ("MOBILFUNKVERTRAG gekündigt", "C0MOBIL"),
        ("Funklöcher überall", "C0MOBIL"),
        ("Routers blinken", "C0FESTNETZ"),
        ("Glasfaserausbau wann?", "C0FESTNETZ"),
        ("Internetzugang tot", "C0FESTNETZ"),
        ("Handy und Internet tot", "C0MOBIL"),
        ("Internet und Handy tot", "C0MOBIL"),
        ("Rechnungen falsch", "C0RECHNUNG"),
        ("Gebuehren zu hoch", "C0RECHNUNG"),
        ("Gebühren zu hoch", "C0RECHNUNG"),
        ("In der Strasse gesperrt", "C0RECHNUNG"),
        ("Hallo zusammen", "default"),
        ("", "default"),
        ("Zuhandy", "default"),
    ],
)
def test_route(text, expected):
    assert route(text, ROUTES) == expected


def test_no_routes_means_default():
    assert route("Handy", ()) == "default"
