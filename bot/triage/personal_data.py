"""Find personal data a public reply must never repeat: phones, IBANs, e-mails, customer
numbers (formats from desk.yaml), street addresses and birth dates (a date labelled as one:
"Geburtsdatum", "geb.", "geboren am", "Geburtstag", "DOB", "*").

Not personal data: other dates, times, prices, postcodes alone, tariff names, post ids, ticket
numbers, service numbers (0800, 0180x, 0900, 0137, 118xx, 116xxx) and the brand's hotlines.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from bot.triage.types import DEFAULT_RULES, PersonalData, TriageRules

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])"
)
# Country code, check digits, then 11-30 alphanumerics, optionally in groups of four.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b", re.IGNORECASE)
# Something that might be a phone number: starts with +, 00, 0 or (0 and has 6+ digits.
_PHONE_HINT = re.compile(r"(?:\+|\(?0)\s?\d[\d\s/().\-–]{4,}\d")
_SERVICE_PREFIXES = ("800", "180", "900", "137", "118", "116", "115", "110", "112")
_NOT_PHONE = re.compile(
    r"\b\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})?"  # dates 24.11.2026, 01.12.
    r"|\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"  # ISO dates and timestamps
    r"|\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s?(?:Uhr|h)\b|\b\d{1,2}:\d{2}\b"  # times
    r"|\b\d+(?:[.,]\d{1,2})?\s?(?:€|EUR|Euro|Cent|ct)\b|€\s?\d+(?:[.,]\d{1,2})?"  # prices
    r"|\b\d+[.,]\d{2}\b",  # bare amounts 39,95
    re.IGNORECASE,
)
# An order, ticket or device number is named right before it.
_ID_CONTEXT = re.compile(
    r"(?:auftrag|bestell|ticket|vorgang|st[öo]rungs|sendungs|rechnungs|referenz|imei|sim|iccid|"
    r"\bid|code|tweet|post|status)\w*[.:#]?\s*$",
    re.IGNORECASE,
)
_STREET_SUFFIX = r"(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee)"
_STREET_WORD = r"(?:Straße|Strasse|Str\.|Weg|Allee|Platz|Gasse|Ring|Damm|Ufer|Chaussee)"
_NAME = r"[A-ZÄÖÜ][a-zäöüß]+"
_ADJECTIVE = (
    r"(?!(?:Meine|Deine|Seine|Unsere|Eure|Ihre|Die|Der|Jede|Diese|Welche|Keine|Eine|Jene)\s)"
    r"[A-ZÄÖÜ][a-zäöüß]+(?:er|e|es|en)"
)
_ADDRESS = re.compile(
    r"(?<![\w-])(?:"
    rf"(?:{_NAME}-)+(?:{_NAME}?{_STREET_SUFFIX}|{_STREET_WORD})"  # Karl-Marx-Straße
    rf"|(?:{_ADJECTIVE}\s)?[A-ZÄÖÜ][a-zäöüß]{{2,}}{_STREET_SUFFIX}"  # (Alte) Poststraße, Lindenweg
    rf"|(?:{_ADJECTIVE}\s){{1,2}}{_STREET_WORD}"  # Berliner Straße, Alte Gasse
    r")"
    r"\s?\d{1,4}(?:\s?[a-zA-Z](?![\w.]))?(?:\s?-\s?\d{1,4}[a-zA-Z]?|/\d{1,4}[a-zA-Z]?)?\b"
    r"(?!\s?(?:%|€|[.,]\d|x\b|Min|Std|Stunde|Tag|Woche|Monat|Jahr|Mal|GB|MB|Mbit|Euro|Cent|km|m\b"
    r"|Prozent|Meter|Leute|Personen|Kunden|Haushalte|Sekunde|Uhr))"
    r"(?:,?\s(?:\d{5}\s)?[A-ZÄÖÜ][a-zäöüß]+(?:[-\s](?:am|an der|im|in der|an|bei)?\s?[A-ZÄÖÜ][a-zäöüß]+)?"
    r"(?=\s*(?:$|[.,;!?)\n]|\s(?:und|aber|ist|wohne|seit|bitte|kein|geht|hat|habe)\b)))?"
)
_MONTHS = (r"(?:Jan(?:uar)?|Feb(?:ruar)?|M(?:ä|ae)r(?:z)?|Apr(?:il)?|Mai|Jun(?:i)?|Jul(?:i)?"
           r"|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Okt(?:ober)?|Nov(?:ember)?|Dez(?:ember)?)\.?")
_DATE = (r"(?:\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?(?:19|20)?\d{2}(?!\d)"  # 03.07.1985, 3/7/85
         r"|(?:19|20)\d{2}-\d{2}-\d{2}"  # 1985-07-03
         rf"|\d{{1,2}}\.?\s?{_MONTHS}\s?(?:19|20)?\d{{2}}(?!\d))")  # 3. Juli 1985
# The label names the date a birth date: "Geburtsdatum: …", "geb. …", "geboren am …", "*1985…".
_BIRTH_DATE = re.compile(
    r"(?:\bgeburts(?:datum|tag|dat\.)|\bgeb\.?\s?-?\s?dat(?:um|\.)?|\bgeb\.|\bgeboren(?:\s+am)?"
    r"|\bgebdat|\bdob\b|\bdate\s+of\s+birth|\bbirthday|(?<![\w*])\*)"
    rf"\s*(?:ist|war|am|vom|:|=|-|–|\?)?\s*(?:(?:ist|am|der)\s+)?(?P<date>{_DATE})",
    re.IGNORECASE,
)
_POSTCODE_CITY = re.compile(r"^,?\s\d{5}\s[A-ZÄÖÜ]")


def find_personal_data(text: str, rules: TriageRules = DEFAULT_RULES) -> list[PersonalData]:
    """All personal data in ``text``, sorted by position, without overlaps."""
    found: list[PersonalData] = []
    found += _emails(text)
    found += _ibans(text)
    found += _customer_numbers(text, rules.customer_number_patterns)
    found += _addresses(text)
    found += _birth_dates(text)
    found += _phones(text, rules.hotlines)
    return _without_overlaps(found)


def _emails(text: str) -> list[PersonalData]:
    if "@" not in text:
        return []
    return [PersonalData("email", m.group(), m.start(), m.end()) for m in _EMAIL.finditer(text)]


def _ibans(text: str) -> list[PersonalData]:
    out = []
    for m in _IBAN.finditer(text):
        raw = m.group()
        # The greedy match may swallow a following word or number: trim groups until valid.
        while len(raw.replace(" ", "")) >= 15:
            if _valid_iban(raw):
                out.append(PersonalData("iban", raw, m.start(), m.start() + len(raw)))
                break
            raw = raw[:-1].rstrip()
    return out


def _valid_iban(raw: str) -> bool:
    try:
        IBAN(raw.replace(" ", "").upper())
    except (SchwiftyException, ValueError):
        return False
    return True


def _customer_numbers(text: str, patterns: tuple[str, ...]) -> list[PersonalData]:
    out = []
    for pattern in _compiled(patterns):
        for m in pattern.finditer(text):
            start, end = m.span(1) if pattern.groups else m.span()
            if end > start:
                out.append(PersonalData("customer_number", text[start:end], start, end))
    return out


@lru_cache(maxsize=32)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def _addresses(text: str) -> list[PersonalData]:
    if not any(c.isdigit() for c in text):
        return []
    out = []
    for m in _ADDRESS.finditer(text):
        raw = m.group().rstrip(" ,")
        out.append(PersonalData("address", raw, m.start(), m.start() + len(raw)))
    return out


_BIRTH_LABELS = ("geb", "dob", "birth", "*")  # every label `_BIRTH_DATE` knows contains one


def _birth_dates(text: str) -> list[PersonalData]:
    folded = text.lower()  # the regex has no literal prefix: most texts are ruled out here
    if not any(label in folded for label in _BIRTH_LABELS) or not any(c.isdigit() for c in text):
        return []
    return [PersonalData("birth_date", m.group("date"), m.start("date"), m.end("date"))
            for m in _BIRTH_DATE.finditer(text)]


def _phones(text: str, hotlines: tuple[str, ...]) -> list[PersonalData]:
    if not _PHONE_HINT.search(text):
        return []
    blocked = [m.span() for m in _NOT_PHONE.finditer(text)]
    own = _hotline_numbers(hotlines)
    out = []
    for match in phonenumbers.PhoneNumberMatcher(text, "DE", phonenumbers.Leniency.VALID):
        raw, start, end = match.raw_string, match.start, match.end
        if raw.startswith("(") and ")" not in raw:
            raw, start = raw[1:].lstrip(), start + len(raw) - len(raw[1:].lstrip())
        if not raw.lstrip("(").startswith(("+", "0")):
            continue  # ids, order numbers and postcodes have no trunk or country prefix
        number = match.number
        national = str(number.national_number)
        if number.country_code == 49 and national.startswith(_SERVICE_PREFIXES):
            continue
        if (number.country_code, national) in own:
            continue
        if any(s < end and start < e for s, e in blocked):
            continue
        if _ID_CONTEXT.search(text[max(0, start - 30) : start]):
            continue
        out.append(PersonalData("phone", raw, start, end))
    return out


@lru_cache(maxsize=32)
def _hotline_numbers(hotlines: tuple[str, ...]) -> frozenset[tuple[int | None, str]]:
    out: set[tuple[int | None, str]] = set()
    for h in hotlines:
        try:
            n = phonenumbers.parse(h, "DE")
        except phonenumbers.NumberParseException:
            continue
        out.add((n.country_code, str(n.national_number)))
    return frozenset(out)


def _without_overlaps(found: list[PersonalData]) -> list[PersonalData]:
    """Keep the longest of overlapping finds (an IBAN beats a phone inside it)."""
    out: list[PersonalData] = []
    for item in sorted(found, key=lambda p: (p.start, -(p.end - p.start))):
        if out and item.start < out[-1].end:
            continue
        out.append(item)
    return out
