"""Throughput of the full ``Triage.analyse`` (sentiment, address, personal data, route) on one
core, over a realistic mix of German mentions (short complaints, questions, praise, some with
phone numbers, IBANs, addresses, URLs and emoji).

    .venv/bin/python benchmarks/triage_throughput.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.triage import Triage, TriageRules

MIX = [
    "@telekom_hilft seit drei Tagen kein Internet in 53113 Bonn, was ist da los?",
    "Super, schon wieder Funkloch auf der A3 🙄",
    "Danke für die schnelle Hilfe, läuft wieder 👍",
    "Können Sie mir sagen, wann der Techniker kommt? Termin war heute 8-12 Uhr.",
    "Techniker kam nicht. Zum dritten Mal. Ruft mich an: 0171 1234567",
    "Wie kann ich meinen Tarif MagentaMobil L auf M wechseln?",
    "Meine IBAN hat sich geändert: DE89 3704 0044 0532 0130 00",
    "Warteschleife seit 45 Minuten, Hotline 0800 3301000 ist ein Witz",
    "Ihr habt mir 39,95 € zu viel berechnet!!! Kundennummer 123456789",
    "Router blinkt rot seit dem Update, Glasfaser geht nicht https://t.co/abc123",
    "Neuer Anschluss in der Gartenstraße 44, 50667 Köln – wann wird geschaltet?",
    "kein bisschen zufrieden mit dem neuen Vertrag",
    "Hallo, ist eine Störung in Hamburg bekannt? Mobilfunk-Netz ist weg.",
    "Mail bitte an max.mustermann@web.de, nicht öffentlich",
    "Top Service heute im Shop, danke an Frau M.!",
    "Wann kommt das neue iPhone?",
    "Mein Internet ist gedrosselt obwohl ich erst 2 GB verbraucht habe",
    "Danke für nichts.",
    "Liebe Telekom, bitte melden Sie sich bei mir wegen der Rechnung vom 01.11.2026.",
    "Festnetz tot seit Montag, Anschluss 030 12345678",
]
RULES = TriageRules(
    routes=(
        ("C0MOBIL", ("handy", "mobilfunk", "funkloch", "netz")),
        ("C0FESTNETZ", ("internet", "dsl", "router", "glasfaser", "festnetz")),
    ),
    customer_number_patterns=(r"\b(?:Kd|Kunden|Vertrags)[-.\s]?(?:Nr|nummer)\.?:?\s*\d{6,12}\b",),
    hotlines=("0800 33 01000", "0800 3301000"),
    brand_names=("Telekom", "telekom_hilft", "Telekom hilft"),
)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    triage = Triage(RULES)
    for text in MIX:  # warm the caches of regexes and lexicon lookups for common words
        triage.analyse(text)
    # Unique texts, so no cache can flatter the figure: vary each one slightly.
    n = 0
    start = time.perf_counter()
    deadline = start + args.seconds
    while time.perf_counter() < deadline:
        for text in MIX:
            triage.analyse(f"{text} #{n}")
            n += 1
    elapsed = time.perf_counter() - start
    rate = n / elapsed
    print(
        f"full triage: {n} texts in {elapsed:.2f}s on one core = {rate:,.0f} texts/s "
        f"({1e6 / rate:.0f} µs/text); target 2,000 texts/s: {'met' if rate >= 2000 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
