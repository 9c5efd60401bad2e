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
    "ok.replied_template": {
        "de": "Antwort zu #{number} gesendet ({network}, Textbaustein „{template}“, {form}-Variante).",
        "en": "Reply to #{number} sent ({network}, template “{template}”, {form} variant).",
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
    "refuse.unknown_template": {
        "de": "Den Textbaustein „{name}“ gibt es nicht. Vorhanden: {templates} – z. B. "
              "`/reply 17 :name`.",
        "en": "There is no template “{name}”. Available: {templates} – e.g. `/reply 17 :name`.",
    },
    "refuse.no_templates": {
        "de": "Den Textbaustein „{name}“ gibt es nicht: in desk.yaml sind unter `templates` "
              "keine Textbausteine eingetragen.",
        "en": "There is no template “{name}”: desk.yaml lists no templates under `templates`.",
    },
    "refuse.template_extra": {
        "de": "Nicht gesendet: ein Textbaustein geht so raus, wie er ist (`/reply {number} "
              ":{name}`). Zum Anpassen `/reply {number}` und im Fenster den Textbaustein wählen.",
        "en": "Not sent: a template goes out as it is (`/reply {number} :{name}`). To adapt it, "
              "use `/reply {number}` and pick the template in the form.",
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
        "de": "Die Antwort ging nicht raus ({network}: {reason}). #{number} bleibt bei dir; "
              "bitte später erneut versuchen.",
        "en": "The reply was not sent ({network}: {reason}). You still hold #{number}; "
              "please try again later.",
    },
    "refuse.network_final": {
        "de": "Die Antwort ging nicht raus ({network}: {reason}). #{number} bleibt bei dir; "
              "ein neuer Versuch ändert daran nichts.",
        "en": "The reply was not sent ({network}: {reason}). You still hold #{number}; "
              "trying again will not change this.",
    },
    "refuse.no_network": {
        "de": "Für {network} sind keine Zugangsdaten eingerichtet; Antwort nicht gesendet.",
        "en": "No credentials are set up for {network}; reply not sent.",
    },
    "ok.released": {"de": "#{number} ist wieder frei.", "en": "#{number} is unclaimed again."},
    "ok.assigned": {"de": "#{number} ist jetzt bei <@{agent}>.", "en": "#{number} is now with <@{agent}>."},
    "ok.private": {
        "de": "#{number} ist in private Nachrichten verschoben.",
        "en": "#{number} moved to private messages.",
    },
    "ok.private_note": {
        "de": "#{number}: öffentliche Einladung gesendet; die private Nachricht ging nicht: {note}",
        "en": "#{number}: public invite sent; the private message failed: {note}",
    },
    "ok.noreply": {"de": "#{number} ohne Antwort geschlossen ({reason}).",
                   "en": "#{number} closed without reply ({reason})."},
    "ok.resolved": {"de": "#{number} ist erledigt.", "en": "#{number} is resolved."},
    "ok.kuerzel": {"de": "Dein Kürzel ist jetzt {kuerzel}.", "en": "Your signature is now {kuerzel}."},
    "thread.released": {"de": "<@{user}> hat #{number} freigegeben.", "en": "<@{user}> released #{number}."},
    "thread.assigned": {"de": "<@{user}> hat #{number} an <@{agent}> gegeben.",
                        "en": "<@{user}> assigned #{number} to <@{agent}>."},
    "thread.private": {"de": "<@{user}> hat #{number} in private Nachrichten verschoben.",
                       "en": "<@{user}> moved #{number} to private messages."},
    "thread.noreply": {"de": "<@{user}> hat #{number} ohne Antwort geschlossen: {reason}",
                       "en": "<@{user}> closed #{number} without reply: {reason}"},
    "thread.resolved": {"de": "<@{user}> hat #{number} erledigt.", "en": "<@{user}> resolved #{number}."},
    "reason.spam": {"de": "Spam", "en": "spam"},
    "reason.troll": {"de": "Troll", "en": "troll"},
    "reason.solved": {"de": "schon gelöst", "en": "already solved"},
    "reason.no_question": {"de": "keine Frage", "en": "no question"},
    "reason.duplicate": {"de": "doppelt", "en": "duplicate"},
    "hold.address": {
        "de": "Angehalten: Kunde {customer}, dein Entwurf sagt „{draft}“. Bitte anpassen – oder "
              "bewusst trotzdem senden.",
        "en": "Held: the customer writes {customer}, your draft says “{draft}”. Please adjust – "
              "or send anyway, deliberately.",
    },
    "button.send_anyway": {"de": "Trotzdem senden", "en": "Send anyway"},
    "refuse.nothing_held": {
        "de": "Für #{number} liegt kein angehaltener Entwurf vor. Bitte neu mit `/reply {number} …`.",
        "en": "No held draft for #{number}. Please reply again with `/reply {number} …`.",
    },
    "refuse.leads_only": {
        "de": "Zuweisen dürfen nur Teamleitungen ({leads}).",
        "en": "Only leads may assign ({leads}).",
    },
    "refuse.assignee_not_agent": {
        "de": "<@{agent}> ist kein eingetragener Agent. Bitte in desk.yaml unter agents ergänzen.",
        "en": "<@{agent}> is not a registered agent. Add them under agents in desk.yaml.",
    },
    "refuse.reason_required": {
        "de": "Bitte einen Grund angeben, z. B. `/noreply {number} spam`. Üblich: {reasons}.",
        "en": "Please give a reason, e.g. `/noreply {number} spam`. Common ones: {reasons}.",
    },
    "refuse.kuerzel_format": {
        "de": "„{kuerzel}“ geht nicht: ein Kürzel hat 2–4 Buchstaben, z. B. `/kuerzel AB`.",
        "en": "“{kuerzel}” won't do: a signature is 2–4 letters, e.g. `/kuerzel AB`.",
    },
    "refuse.kuerzel_taken": {
        "de": "Das Kürzel {kuerzel} nutzt schon <@{owner}>. Bitte ein anderes wählen.",
        "en": "{kuerzel} is already used by <@{owner}>. Please choose another.",
    },
    "refuse.unknown_command": {
        "de": "Unbekannt: `{text}`. `/desk help` zeigt alle Befehle.",
        "en": "Unknown: `{text}`. `/desk help` lists every command.",
    },
    "refuse.user_ref": {
        "de": "Bitte den Agenten als @-Erwähnung angeben, z. B. `/assign {number} @anna`.",
        "en": "Please name the agent as an @-mention, e.g. `/assign {number} @anna`.",
    },
    "usage.text": {"de": "[Text]", "en": "[text]"},
    "usage.reason": {"de": "Grund", "en": "reason"},
    "usage.agent": {"de": "@agent", "en": "@agent"},
    "usage.reply": {"de": "Antworttext", "en": "reply text"},
    "usage.note": {"de": "[Notiz]", "en": "[note]"},
    "help": {
        "de": "*Alert-Team – Befehle* (N ist die Nummer auf der Karte, z. B. 17)\n"
              "`/claim N` übernehmen · `/reply N Text` öffentlich antworten (mit Kürzel; ohne Text "
              "öffnet sich ein Fenster; `/reply N :name` mit Textbaustein) · `/dm N [Text]` in "
              "private Nachrichten verschieben · "
              "`/noreply N Grund` ohne Antwort schließen (spam, troll, solved, no_question, "
              "duplicate) · `/release N` freigeben · `/resolve N` erledigt · `/escalate N [Notiz]` "
              "Teamleitung informieren · `/assign N @agent` zuweisen (Teamleitung) · `/queue` offene "
              "Karten · `/kuerzel XY` eigenes Kürzel · `/desk stats` Zahlen von heute",
        "en": "*Alert-Team – commands* (N is the number on the card, e.g. 17)\n"
              "`/claim N` claim · `/reply N text` reply in public (signed; without text a form "
              "opens; `/reply N :name` with a template) · `/dm N [text]` move to private "
              "messages · `/noreply N reason` close "
              "without reply (spam, troll, solved, no_question, duplicate) · `/release N` release · "
              "`/resolve N` resolve · `/escalate N [note]` ping the leads · `/assign N @agent` "
              "assign (leads) · `/queue` open items · `/kuerzel XY` your signature · `/desk stats` "
              "today's figures",
    },
    "stats": {
        "de": "Heute: {ingested} Erwähnungen, {negative} negativ, {open} offen.",
        "en": "Today: {ingested} mentions, {negative} negative, {open} open.",
    },
    "home.mine": {"de": "Meine Karten", "en": "My items"},
    "home.unclaimed": {"de": "Offen im Team", "en": "Unclaimed in the team"},
    "home.none_mine": {"de": "Du bearbeitest gerade nichts.", "en": "You hold nothing right now."},
    "home.none_unclaimed": {"de": "Alles verteilt. 🎉", "en": "Everything is claimed. 🎉"},
    "modal.reply_title": {"de": "Antwort auf #{number}", "en": "Reply to #{number}"},
    "modal.noreply_title": {"de": "#{number} ohne Antwort", "en": "#{number}: no reply"},
    "modal.send": {"de": "Senden", "en": "Send"},
    "modal.close_item": {"de": "Schließen", "en": "Close item"},
    "modal.cancel": {"de": "Abbrechen", "en": "Cancel"},
    "modal.draft": {"de": "Deine Antwort", "en": "Your reply"},
    "modal.customer": {"de": "Kunde {form}", "en": "Customer writes {form}"},
    "modal.left": {"de": "noch {left} von {limit} Zeichen", "en": "{left} of {limit} characters left"},
    "modal.signature": {"de": "Signatur „{signature}“ wird angehängt",
                        "en": "signature “{signature}” is appended"},
    "modal.mismatch": {"de": "⚠️ dein Entwurf: {draft}", "en": "⚠️ your draft: {draft}"},
    "modal.template": {"de": "Textbaustein (passend zur Anrede des Kunden)",
                       "en": "Template (in the customer's address form)"},
    "modal.template_pick": {"de": "Textbaustein wählen", "en": "Choose a template"},
    "modal.override_label": {"de": "Anrede", "en": "Address form"},
    "modal.override": {"de": "Abweichende Anrede bewusst senden",
                       "en": "Send a different address form deliberately"},
    "modal.override_confirm": {"de": "Die Anrede weicht von der des Kunden ab. Wirklich senden?",
                               "en": "The address form differs from the customer's. Send anyway?"},
    "modal.reason": {"de": "Grund", "en": "Reason"},
    "modal.reason_other": {"de": "Anderer Grund (Freitext)", "en": "Other reason (free text)"},
    "summary.title": {"de": "*Tageszusammenfassung {day}*", "en": "*Daily summary {day}*"},
    "summary.volume": {"de": "{ingested} Erwähnungen, davon {negative} negativ · {open} offen",
                       "en": "{ingested} mentions, {negative} negative · {open} open"},
    "summary.network": {
        "de": "{network}: {items} Karten, {answered} beantwortet, Median {median} Min., "
              "Ziel erreicht {hit}, überschritten ohne Antwort {breached}",
        "en": "{network}: {items} items, {answered} answered, median {median} min, "
              "target met {hit}, breached without answer {breached}",
    },
    "summary.agent": {
        "de": "<@{user}> ({kuerzel}): {answered} beantwortet, Median {median} Min., Ziel {hit}",
        "en": "<@{user}> ({kuerzel}): {answered} answered, median {median} min, target {hit}",
    },
    "summary.noreply": {"de": "Ohne Antwort: {reasons}", "en": "No reply: {reasons}"},
    "button.open_on": {"de": "Auf {network} öffnen", "en": "Open on {network}"},
    "refuse.search_only": {
        "de": "#{number} wurde per Suche gefunden und erwähnt uns nicht: {network} erlaubt darauf "
              "keine Antwort. Bitte direkt auf {network} reagieren ({url}) und dann "
              "`/resolve {number}` oder `/noreply {number} Grund`.",
        "en": "#{number} was found by search and does not mention us: {network} allows no reply. "
              "Please react on {network} itself ({url}), then `/resolve {number}` or "
              "`/noreply {number} reason`.",
    },
    "pii.phone": {"de": "Telefonnummer", "en": "phone number"},
    "pii.iban": {"de": "IBAN", "en": "IBAN"},
    "pii.email": {"de": "E-Mail-Adresse", "en": "e-mail address"},
    "pii.customer_number": {"de": "Kundennummer", "en": "customer number"},
    "pii.address": {"de": "Anschrift", "en": "street address"},
    "pii.birth_date": {"de": "Geburtsdatum", "en": "date of birth"},  # issue 14
    "error.internal": {
        "de": "Da ist etwas schiefgegangen; nichts wurde geändert. Bitte noch einmal versuchen.",
        "en": "Something went wrong; nothing was changed. Please try again.",
    },
    "error.unavailable": {  # Redis is unreachable: not the agent's fault, and it passes
        "de": "Der Desk ist gerade nicht erreichbar (Datenbank). Bitte in einer Minute noch einmal.",
        "en": "The desk cannot be reached right now (database). Please try again in a minute.",
    },
    # --- timers (issue 6): add entries below this line only ---
    "timer.warn": {
        "de": "⏳ #{number}: noch {left} bis zum Antwortziel. Zuständig: {holder}.",
        "en": "⏳ #{number}: {left} left to the response target. Holder: {holder}.",
    },
    "timer.breach": {
        "de": "🔴 #{number}: Antwortziel ({target}) überschritten. {leads}, bitte kümmert euch darum. "
              "Zuständig: {holder}.",
        "en": "🔴 #{number}: response target ({target}) breached. {leads}, please step in. "
              "Holder: {holder}.",
    },
    "timer.again": {
        "de": "🔴 #{number} ist seit {late} über dem Ziel und noch offen. {leads}, erneute Eskalation. "
              "Zuständig: {holder}.",
        "en": "🔴 #{number} is {late} past its target and still open. {leads}, escalating again. "
              "Holder: {holder}.",
    },
    "timer.escalated": {
        "de": "📣 {leads}: <@{user}> eskaliert #{number}.{note}",
        "en": "📣 {leads}: <@{user}> escalates #{number}.{note}",
    },
    "timer.note": {"de": " Notiz: {note}", "en": " Note: {note}"},
    "timer.nobody": {"de": "noch niemand", "en": "unclaimed"},
    "leads.fallback": {"de": "Teamleitung", "en": "Team leads"},
    "dur.seconds": {"de": "{s} Sek.", "en": "{s} s"},
    "dur.minutes": {"de": "{m} Min.", "en": "{m} min"},
    "dur.hours": {"de": "{h} Std. {m} Min.", "en": "{h} h {m} min"},
    "ok.escalated": {
        "de": "Die Teamleitung ist zu #{number} alarmiert.",
        "en": "The leads have been alerted about #{number}.",
    },
    "queue.header": {
        "de": "Offene Fälle in <#{channel}>, nächste Fälligkeit zuerst:",
        "en": "Open items in <#{channel}>, nearest due first:",
    },
    "queue.line": {"de": "#{number} · {network} · @{handle} · {due} · {holder}",
                   "en": "#{number} · {network} · @{handle} · {due} · {holder}"},
    "queue.due_in": {"de": "fällig in {left} Geschäftszeit ({at})",
                     "en": "due in {left} business time ({at})"},
    "queue.overdue": {"de": "🔴 überfällig seit {late}", "en": "🔴 overdue by {late}"},
    "queue.text": {"de": "{text}", "en": "{text}"},
    "queue.more": {"de": "… und {more} weitere.", "en": "… and {more} more."},
    "queue.empty": {"de": "Keine offenen Fälle in <#{channel}>.", "en": "No open items in <#{channel}>."},
    # --- end timers ---
    # --- sources (issue 5): add entries below this line only ---
    "source.rate_limited": {
        "de": "Ratenlimit erreicht, wieder möglich ab {reset}",
        "en": "rate limit reached, possible again from {reset}",
    },
    "source.unreachable": {"de": "nicht erreichbar ({detail})", "en": "not reachable ({detail})"},
    "source.refused": {"de": "abgelehnt ({detail})", "en": "refused ({detail})"},
    "source.x_dm_closed": {
        "de": "die Person nimmt keine Direktnachrichten von uns an (DMs geschlossen)",
        "en": "the customer does not accept direct messages from us (DMs closed)",
    },
    "source.x_not_mentioned": {
        "de": "X erlaubt Antworten nur auf Beiträge, die uns erwähnen oder zitieren; "
              "bitte den Beitrag auf X öffnen",
        "en": "X only allows replies to posts that mention or quote us; open the post on X",
    },
    "source.fb_private_window": {
        "de": "private Antworten gehen nur bis 7 Tage nach dem Kommentar (Frist endete {deadline})",
        "en": "private replies are only possible within 7 days of the comment (ended {deadline})",
    },
    "source.fb_private_once": {
        "de": "auf diesen Kommentar wurde schon einmal privat geantwortet (nur eine private "
              "Antwort pro Kommentar)",
        "en": "this comment already got its one private reply",
    },
    "source.private_closed": {
        "de": "die Person nimmt keine privaten Nachrichten ({channel}) von uns an",
        "en": "the customer does not accept private messages ({channel}) from us",
    },
    "source.no_private": {
        "de": "private Nachrichten ({channel}) sind mit diesem Konto nicht möglich: {detail}",
        "en": "private messages ({channel}) are not possible with this account: {detail}",
    },
    # --- end sources ---
    # --- incidents (issue 11) ---
    "incident.header": {"de": "Störung #{number} · {count} Meldungen · {state}",
                        "en": "Incident #{number} · {count} reports · {state}"},
    "incident.progress": {"de": "{answered}/{count} beantwortet", "en": "{answered}/{count} answered"},
    "incident.latest": {"de": "Neueste Meldungen:", "en": "Latest reports:"},
    "incident.more": {"de": "… und {more} weitere (alle: „Alle Meldungen“)",
                      "en": "… and {more} more (all: “All reports”)"},
    "button.incident_members": {"de": "Alle Meldungen", "en": "All reports"},
    "modal.members_title": {"de": "Störung #{number}", "en": "Incident #{number}"},
    "modal.members_close": {"de": "Schließen", "en": "Close"},
    "modal.members_more": {"de": "… und {more} weitere (älteste zuerst nicht gezeigt)",
                           "en": "… and {more} more (the oldest are not shown)"},
    "incident.failed": {"de": "⚠️ #{member}: Antwort nicht gesendet ({reason})",
                        "en": "⚠️ #{member}: answer not sent ({reason})"},
    "incident.uncertain": {"de": "unklar, ob sie rausging: bitte auf dem Netzwerk prüfen",
                           "en": "unclear whether it went out: please check on the network"},
    "incident.hint": {"de": "Antwort für alle: `/reply {number} :vorlage` (jede Meldung in ihrem "
                            "Du/Sie, auf ihrem Netzwerk)",
                      "en": "Answer all: `/reply {number} :template` (each report in its own "
                            "du/Sie, on its own network)"},
    "card.member_of": {"de": "Teil von Störung #{incident}", "en": "Part of incident #{incident}"},
    "button.incident_leave": {"de": "Aus Störung lösen", "en": "Take out of incident"},
    "button.incident_join": {"de": "Zu Störung #{incident}", "en": "Into incident #{incident}"},
    "button.incident_retry": {"de": "#{member} erneut senden", "en": "Resend #{member}"},
    "ok.incident_queued": {
        "de": "Antworten an {count} Meldungen von #{number} werden gesendet; der Fortschritt "
              "steht auf der Karte.",
        "en": "Answers to {count} reports of #{number} are being sent; the card shows progress.",
    },
    "ok.incident_left": {"de": "#{number} ist aus Störung #{incident} gelöst und hat eine "
                               "eigene Karte.",
                         "en": "#{number} is out of incident #{incident} with a card of its own."},
    "ok.incident_joined": {"de": "#{number} gehört jetzt zu Störung #{incident}.",
                           "en": "#{number} is now part of incident #{incident}."},
    "ok.incident_retry": {"de": "Antwort an #{number} wird erneut gesendet.",
                          "en": "The answer to #{number} is sent again."},
    "ok.incident_resolved": {"de": "Störung #{number} ist erledigt, mit {count} Meldungen.",
                             "en": "Incident #{number} resolved with {count} reports."},
    "ok.incident_noreply": {"de": "Störung #{number} ist ohne Antwort geschlossen, mit {count} "
                                  "Meldungen.",
                            "en": "Incident #{number} closed without reply, with {count} reports."},
    "thread.incident_answering": {"de": "<@{user}> beantwortet alle {count} Meldungen von #{number}.",
                                  "en": "<@{user}> is answering all {count} reports of #{number}."},
    "thread.incident_answered": {"de": "Alle {count} Meldungen von #{number} sind beantwortet.",
                                 "en": "All {count} reports of #{number} are answered."},
    "thread.incident_resolved": {"de": "<@{user}> hat #{number} mit {count} Meldungen erledigt.",
                                 "en": "<@{user}> resolved #{number} with {count} reports."},
    "thread.incident_noreply": {"de": "<@{user}> hat #{number} ohne Antwort geschlossen "
                                      "({count} Meldungen): {reason}",
                                "en": "<@{user}> closed #{number} without reply ({count} "
                                      "reports): {reason}"},
    "refuse.not_incident": {"de": "#{number} ist keine Störung.", "en": "#{number} is no incident."},
    "refuse.not_in_incident": {"de": "#{number} gehört zu keiner Störung.",
                               "en": "#{number} is not part of an incident."},
    "refuse.cannot_join": {"de": "#{number} kann nicht zu Störung #{incident} (geschlossen oder "
                                 "schon Teil einer Störung).",
                           "en": "#{number} cannot join incident #{incident} (closed or already "
                                 "in one)."},
    "refuse.incident_mixed": {
        "de": "Die Meldungen von #{number} duzen und siezen: bitte eine Vorlage nehmen, "
              "`/reply {number} :vorlage` (Vorlagen: {names}).",
        "en": "The reports of #{number} use both du and Sie: please use a template, "
              "`/reply {number} :template` (templates: {names}).",
    },
    "refuse.incident_personal_data": {
        "de": "Nicht gesendet: die Antwort an #{member} enthielte persönliche Daten.",
        "en": "Not sent: the answer to #{member} would contain personal data.",
    },
    "refuse.incident_unreachable": {
        "de": "Nicht gesendet: auf #{member} kann nicht geantwortet werden (Netzwerk ohne "
              "Zugang oder Beitrag nur per Suche gefunden). Bitte #{member} aus der Störung lösen.",
        "en": "Not sent: #{member} cannot be answered (no credentials or found by search only). "
              "Please take #{member} out of the incident.",
    },
    "refuse.incident_action": {"de": "{action} geht nicht auf einer Störung (#{number}).",
                               "en": "{action} does not work on an incident (#{number})."},
    "refuse.nothing_to_retry": {"de": "Für #{number} gibt es nichts erneut zu senden.",
                                "en": "There is nothing to resend for #{number}."},
    # --- end incidents ---
    # --- data protection (issue 12): add entries below this line only ---
    "privacy.retention": {"de": "[gelöscht: Aufbewahrungsfrist]", "en": "[erased: retention period]"},
    "privacy.erasure": {"de": "[gelöscht: Löschantrag]", "en": "[erased: on request]"},
    "privacy.blank": {"de": "[gelöscht]", "en": "[erased]"},
    "refuse.anonymised": {
        "de": "#{number} ist anonymisiert (Datenschutz): der Beitrag ist nicht mehr gespeichert, "
              "eine Antwort ist nicht mehr möglich.",
        "en": "#{number} is anonymised (data protection): the post is no longer stored, so it "
              "cannot be answered.",
    },
    "card.noreply_nobody": {"de": "Ohne Antwort geschlossen: {reason}",
                            "en": "Closed without reply: {reason}"},
    "privacy.closed_open": {
        "de": "Offen waren: {numbers}. Sie sind jetzt ohne Antwort geschlossen (Grund „erased“) "
              "und anonymisiert.",
        "en": "Open were: {numbers}. They are now closed without reply (reason “erased”) and "
              "anonymised.",
    },
    "privacy.slack": {
        "de": "Slack: der Worker zeigt die Karten anonymisiert; Folgebeiträge und Antworten in "
              "den Threads bitte in Slack löschen: {threads}",
        "en": "Slack: the worker shows the cards anonymised; delete the follow-ups and replies in "
              "their threads in Slack: {threads}",
    },
    "privacy.nothing": {
        "de": "Zu {network}/{author} ist nichts gespeichert.",
        "en": "Nothing is stored about {network}/{author}.",
    },
    # --- end data protection ---
    # --- triage that learns (issue 14) ---
    "card.model": {"de": "Modell {version}", "en": "model {version}"},
    "card.label_menu": {"de": "Label", "en": "Label"},
    "label.kein": {"de": "Kein Fall (schließen)", "en": "Not a case (close)"},
    "label.negativ": {"de": "Negativ (ein Fall)", "en": "Negative (a case)"},
    "label.du": {"de": "Kunde duzt", "en": "Customer writes “du”"},
    "label.sie": {"de": "Kunde siezt", "en": "Customer writes “Sie”"},
    "label.daten": {"de": "Persönliche Daten im Text", "en": "Personal data in the text"},
    "label.keine-daten": {"de": "Keine persönlichen Daten", "en": "No personal data"},
    "reason.not_a_case": {"de": "kein Fall", "en": "not a case"},
    "usage.label": {"de": "kein|negativ|du|sie|daten|keine-daten",
                    "en": "kein|negativ|du|sie|daten|keine-daten"},
    "refuse.label_unknown": {
        "de": "Unbekanntes Label „{label}“. Möglich: kein, negativ, du, sie, daten, keine-daten.",
        "en": "Unknown label “{label}”. Use: kein, negativ, du, sie, daten, keine-daten.",
    },
    "refuse.label_incident": {
        "de": "#{number} ist ein Sammelfall: bitte die einzelnen Beiträge labeln.",
        "en": "#{number} is an incident: please label its members.",
    },
    "ok.label": {"de": "#{number}: Label „{label}“ gespeichert (Trainingsbeispiel).",
                 "en": "#{number}: label “{label}” stored (training example)."},
    "ok.label_closed": {
        "de": "#{number}: Label „kein Fall“ gespeichert; ohne Antwort geschlossen (kein Fall).",
        "en": "#{number}: label “not a case” stored; closed without reply (not a case).",
    },
    "home.dropped": {"de": "Nicht gepostet (neutral/positiv), neueste zuerst",
                     "en": "Not posted (neutral/positive), newest first"},
    "home.none_dropped": {"de": "Nichts.", "en": "Nothing."},
    "button.dropped_card": {"de": "doch ein Fall → Karte", "en": "a case after all → card"},
    "ok.dropped_card": {"de": "#{number}: Karte erstellt (Label „negativ“ gespeichert).",
                        "en": "#{number}: card created (label “negativ” stored)."},
    "refuse.dropped_gone": {
        "de": "Dieser Beitrag ist nicht mehr in der Liste (schon eine Karte oder gelöscht).",
        "en": "This post is no longer listed (already a card, or erased).",
    },
    "praise.header": {"de": "🌟 Lob von heute ({count})", "en": "🌟 Praise today ({count})"},
    "praise.line": {"de": "• {network} @{handle}: {text}", "en": "• {network} @{handle}: {text}"},
    "praise.more": {"de": "… und {more} weitere", "en": "… and {more} more"},
    # --- end triage that learns ---
}


def say(key: str, lang: str = "de", **params: Any) -> str:
    """Render message `key` in `lang` ("de" or "en") with `params`."""
    entry = CATALOGUE[key]
    text = entry.get(lang) or entry["de"]
    return text.format(**params) if params else text
