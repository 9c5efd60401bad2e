"""Triage of German customer texts: sentiment, du/Sie, personal data, routing.

Pure: text in, plain values out; no Redis, Slack, network or clock.

    triage = Triage(TriageRules(routes=(("C0MOBIL", ("handy", "funkloch")),)))
    result = triage.analyse("Seit drei Tagen Funkloch, könnt ihr mal schauen?")
    result.sentiment, result.score, result.address, result.route
    # ('negative', 0.97, 'du', 'C0MOBIL')
"""

from bot.triage.address import detect_address
from bot.triage.engine import Triage
from bot.triage.personal_data import find_personal_data
from bot.triage.routing import route
from bot.triage.types import DEFAULT_NEGATIVE_THRESHOLD, PersonalData, TriageResult, TriageRules

__all__ = [
    "DEFAULT_NEGATIVE_THRESHOLD",
    "PersonalData",
    "Triage",
    "TriageResult",
    "TriageRules",
    "detect_address",
    "find_personal_data",
    "route",
]
