"""Every word the bot says to people, in German and English. Nothing user-facing lives elsewhere.

`say(key, lang, **params)` renders one message; a missing English text falls back to German.
"""

from __future__ import annotations

from typing import Any

CATALOGUE: dict[str, dict[str, str]] = {
    # card
    "card.header": {"de": "#{number} · {network} · {state}", "en": "#{number} · {network} · {state}"},
    "card.due": {"de": "Antwort fällig bis {due}", "en": "Response due by {due}"},
    "card.due_overdue": {"de": "Ziel überschritten seit {due}", "en": "Target breached at {due}"},
    "card.holder": {"de": "Bearbeitet von <@{user}>", "en": "Held by <@{user}>"},
    "card.unclaimed": {"de": "Noch niemand zuständig", "en": "Not claimed yet"},
    "card.answered": {
        "de": "Beantwortet von <@{user}> nach {minutes} Min. (Geschäftszeit)",
        "en": "Answered by <@{user}> after {minutes} min (business time)",
    },
    "card.private": {"de": "In private Nachricht verschoben von <@{user}>",
                     "en": "Moved to private messages by <@{user}>"},
    "card.noreply": {"de": "Ohne Antwort geschlossen von <@{user}>: {reason}",
                     "en": "Closed without reply by <@{user}>: {reason}"},
    "card.resolved": {"de": "Erledigt", "en": "Resolved"},
    "card.open_post": {"de": "Beitrag öffnen", "en": "Open post"},
    "card.address": {"de": "Kunde {form}", "en": "Customer writes {form}"},
    "card.score": {"de": "Negativ-Wert {score}", "en": "Negative score {score}"},
    "address.du": {"de": "duzt", "en": "“du” (informal)"},
    "address.sie": {"de": "siezt", "en": "“Sie” (formal)"},
    "address.none": {"de": "ohne Anrede", "en": "no address form"},
    "button.claim": {"de": "Übernehmen", "en": "Claim"},
    "button.reply": {"de": "Antworten", "en": "Reply"},
    "button.dm": {"de": "In DM verschieben", "en": "Move to DM"},
    "button.noreply": {"de": "Keine Antwort", "en": "No reply"},
    "state.new": {"de": "neu", "en": "new"},
    "state.claimed": {"de": "in Bearbeitung", "en": "claimed"},
    "state.answered": {"de": "beantwortet", "en": "answered"},
    "state.private": {"de": "privat", "en": "private"},
    "state.noreply": {"de": "keine Antwort", "en": "no reply"},
    "state.resolved": {"de": "erledigt", "en": "resolved"},
    "network.twitter": {"de": "X", "en": "X"},
    "network.facebook": {"de": "Facebook", "en": "Facebook"},
    # thread lines
    "thread.claimed": {"de": "<@{user}> hat #{number} übernommen.", "en": "<@{user}> claimed #{number}."},
    "thread.replied": {"de": "<@{user}> hat geantwortet: {text}", "en": "<@{user}> replied: {text}"},
    "thread.followup": {
        "de": "Neue Nachricht von @{handle}: {text}", "en": "New message from @{handle}: {text}",
    },
    # answers to the agent (private)
    "ok.claimed": {"de": "Du bearbeitest jetzt #{number}.", "en": "You now hold #{number}."},
    "ok.replied": {
        "de": "Antwort zu #{number} gesendet ({network}).",
        "en": "Reply to #{number} sent ({network}).",
    },
    "ok.working": {"de": "Einen Moment, ich sende die Antwort …", "en": "One moment, sending …"},
    "hint.reply": {
        "de": "Antworte mit `/reply {number} dein Text`.",
        "en": "Reply with `/reply {number} your text`.",
    },
    # refusals
    "refuse.not_agent": {
        "de": "Du bist nicht als Agent eingetragen. Bitte wende dich an {leads}.",
        "en": "You are not registered as an agent. Please ask {leads}.",
    },
    "refuse.unknown_item": {
        "de": "#{number} gibt es nicht. Die Nummer steht oben auf jeder Karte (z. B. #17).",
        "en": "There is no #{number}. The number is on top of every card (e.g. #17).",
    },
    "refuse.bad_number": {
        "de": "Bitte gib die Nummer der Karte an, z. B. `{command} 17{rest}`.",
        "en": "Please give the card number, e.g. `{command} 17{rest}`.",
    },
    "refuse.held_by_other": {
        "de": "#{number} wird schon von <@{holder}> bearbeitet.",
        "en": "#{number} is already held by <@{holder}>.",
    },
    "refuse.already_yours": {
        "de": "Du bearbeitest #{number} bereits.", "en": "You already hold #{number}.",
    },
    "refuse.not_holder": {
        "de": "#{number} musst du zuerst übernehmen: `/claim {number}`.",
        "en": "Claim #{number} first: `/claim {number}`.",
    },
    "refuse.state": {
        "de": "#{number} ist {state}: das geht jetzt nicht mehr.",
        "en": "#{number} is {state}: that is no longer possible.",
    },
    "refuse.empty_reply": {
        "de": "Die Antwort ist leer. Schreib z. B. `/reply {number} Hallo …`.",
        "en": "The reply is empty. Write e.g. `/reply {number} Hello …`.",
    },
    "refuse.personal_data": {
        "de": "Nicht gesendet: die Antwort enthält persönliche Daten ({found}). "
              "Öffentlich nie, bitte per `/dm {number}` in private Nachrichten wechseln.",
        "en": "Not sent: the reply contains personal data ({found}). "
              "Never in public: move to private messages with `/dm {number}`.",
    },
    "refuse.too_long": {
        "de": "Nicht gesendet: mit Kürzel {length} von {limit} Zeichen, {over} zu viel.",
        "en": "Not sent: {length} of {limit} characters with signature, {over} too many.",
    },
    "refuse.busy": {
        "de": "An #{number} wird gerade schon gesendet. Bitte kurz warten.",
        "en": "#{number} is being sent right now. Please wait a moment.",
    },
    "refuse.network": {
        "de": "{network} hat die Antwort abgelehnt: {reason}. #{number} bleibt bei dir; "
              "bitte später erneut versuchen.",
        "en": "{network} refused the reply: {reason}. You still hold #{number}; "
              "please try again later.",
    },
    "refuse.no_network": {
        "de": "Für {network} sind keine Zugangsdaten eingerichtet; Antwort nicht gesendet.",
        "en": "No credentials are set up for {network}; reply not sent.",
    },
    "pii.phone": {"de": "Telefonnummer", "en": "phone number"},
    "pii.iban": {"de": "IBAN", "en": "IBAN"},
    "pii.email": {"de": "E-Mail-Adresse", "en": "e-mail address"},
    "pii.customer_number": {"de": "Kundennummer", "en": "customer number"},
    "pii.address": {"de": "Anschrift", "en": "street address"},
    "error.internal": {
        "de": "Da ist etwas schiefgegangen; nichts wurde geändert. Bitte noch einmal versuchen.",
        "en": "Something went wrong; nothing was changed. Please try again.",
    },
}


def say(key: str, lang: str = "de", **params: Any) -> str:
    """Render message `key` in `lang` ("de" or "en") with `params`."""
    entry = CATALOGUE[key]
    text = entry.get(lang) or entry["de"]
    return text.format(**params) if params else text
