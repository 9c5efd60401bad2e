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
    "hold.reply_unknown": {
        "de": "Nicht gesendet: Eine Antwort von {by} auf #{number} ({at}) ist vielleicht schon "
              "beim Kunden – was danach geschah, ging bei einem Ausfall verloren. Bitte auf "
              "{network} nachsehen: Ist sie angekommen, klicke „Angekommen“; wenn nicht, "
              "„Nicht angekommen“ und sende neu. Dein Entwurf: „{draft}“",
        "en": "Not sent: a reply by {by} to #{number} ({at}) may already have reached the "
              "customer – what followed it was lost in an outage. Please check on {network}: "
              "if it arrived, click “Arrived”; if not, click “Did not arrive” and send again. "
              "Your draft: “{draft}”",
    },
    "card.reply_unknown": {
        "de": "⚠️ Ob die Antwort von {by} ({at}) beim Kunden angekommen ist, weiß niemand: was "
              "danach geschah, ging bei einem Ausfall verloren. Bitte auf {network} nachsehen "
              "und sagen, was du findest (wer den Fall hält).",
        "en": "⚠️ Nobody knows whether the reply by {by} ({at}) reached the customer: what "
              "followed it was lost in an outage. Please check on {network} and say what you "
              "find (whoever holds the case).",
    },
    "button.reply_arrived": {"de": "Angekommen", "en": "Arrived"},
    "button.reply_not_arrived": {"de": "Nicht angekommen", "en": "Did not arrive"},
    "ok.reply_cleared": {
        "de": "Notiert: Die frühere Antwort auf #{number} ist nicht angekommen. Du kannst jetzt "
              "neu antworten.",
        "en": "Noted: the earlier reply to #{number} did not arrive. You can reply again now.",
    },
    "ok.reply_arrived": {
        "de": "Notiert: Die Antwort auf #{number} ist angekommen, #{number} ist beantwortet.",
        "en": "Noted: the reply to #{number} arrived; #{number} is answered.",
    },
    "thread.reply_arrived": {
        "de": "<@{user}> bestätigt: Die Antwort von {by} ({at}) ist beim Kunden angekommen.",
        "en": "<@{user}> confirms: the reply by {by} ({at}) reached the customer.",
    },
    "refuse.no_reply_unknown": {
        "de": "Bei #{number} ist keine Antwort offen, deren Ausgang unbekannt ist.",
        "en": "#{number} has no reply whose outcome is unknown.",
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
    "home.waiting": {"de": "Meine Karten: warten auf Kund*innen", "en": "Mine: waiting for the customer"},
    "home.waiting_until": {"de": "⏸ wartet bis {until} (dann geschlossen, wenn keine Antwort kommt)",
                           "en": "⏸ waiting until {until} (then closed if no answer comes)"},
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
    "queue.waiting": {"de": "⏸ Warten auf Kund*innen (kein Zeitziel):",
                      "en": "⏸ Waiting for the customer (no response clock):"},
    "queue.waiting_line": {"de": "#{number} · {network} · @{handle} · bis {until} · {holder}",
                           "en": "#{number} · {network} · @{handle} · until {until} · {holder}"},
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
    # --- channel health (issue 13): add entries below this line only ---
    "health.token": {
        "de": ":rotating_light: *{network}* lehnt unser Zugangstoken ab ({detail}). Bis das "
              "behoben ist, kommen von {network} keine Erwähnungen an. Bitte ein neues Token "
              "erzeugen, in `{env}` eintragen und die Worker neu starten.",
        "en": ":rotating_light: *{network}* refuses our access token ({detail}). Until this is "
              "fixed no mentions arrive from {network}. Please create a new token, set it in "
              "`{env}` and restart the workers.",
    },
    "health.polling": {
        "de": ":warning: Der Abruf von *{network}* schlägt seit {since} fehl (zuletzt: {detail}). "
              "Erwähnungen kommen verspätet oder gar nicht an. Bitte die Statusseite von "
              "{network} und die Verbindung der Worker prüfen.",
        "en": ":warning: Polling *{network}* has been failing for {since} (last: {detail}). "
              "Mentions arrive late or not at all. Please check {network}'s status page and "
              "the workers' network connection.",
    },
    "health.webhook": {
        "de": ":warning: *{network}* hat seit {since} keinen Webhook zugestellt, aber der Abruf "
              "findet neue Kommentare. Antworten kommen so nur im Abruf-Takt an. Bitte das "
              "Webhook-Abonnement der App prüfen (Meta-Entwicklerportal: Webhooks, Feld `feed`).",
        "en": ":warning: *{network}* has delivered no webhook for {since}, yet polling finds "
              "new comments, so they arrive only at the polling interval. Please check the "
              "app's webhook subscription (Meta developer portal: Webhooks, field `feed`).",
    },
    "health.budget": {
        "de": ":warning: *{network}*: {share} % des monatlichen Kontingents ({kind}) sind "
              "verbraucht. Bitte das Kontingent erhöhen oder weniger abrufen (`sources` in "
              "desk.yaml: `query`, `poll_every`), sonst endet der Abruf vor Monatsende.",
        "en": ":warning: *{network}*: {share} % of the monthly budget ({kind}) is used. Please "
              "raise the budget or read less (`sources` in desk.yaml: `query`, `poll_every`), "
              "or polling stops before the month ends.",
    },
    "health.budget.read": {"de": "gelesene Beiträge", "en": "posts read"},
    "health.budget.post": {"de": "gesendete Beiträge", "en": "posts sent"},
    "health.slack": {
        "de": "Slack lehnt das Bot-Token ab ({detail}): SLACK_BOT_TOKEN erneuern (App neu "
              "installieren) und Web und Worker neu starten.",
        "en": "Slack refuses the bot token ({detail}): renew SLACK_BOT_TOKEN (reinstall the "
              "app) and restart web and workers.",
    },
    "health.recovered": {
        "de": ":white_check_mark: *{network}*: wieder in Ordnung ({what}; die Störung dauerte "
              "{lasted}).",
        "en": ":white_check_mark: *{network}*: back to normal ({what}; the trouble lasted "
              "{lasted}).",
    },
    "health.what.token": {"de": "Token wird angenommen", "en": "token accepted"},
    "health.what.polling": {"de": "Abruf läuft", "en": "polling works"},
    "health.what.webhook": {"de": "Webhooks kommen an", "en": "webhooks arrive"},
    "health.what.budget": {"de": "Kontingent unter 80 %", "en": "budget below 80 %"},
    "health.what.slack": {"de": "Slack nimmt das Bot-Token an", "en": "Slack accepts the bot token"},
    # --- end channel health ---
    # --- issue 13: live countdown, summary chart, weekly summary ---
    "card.countdown": {"de": "Antwort fällig bis {due} · noch {left}",
                       "en": "Response due by {due} · {left} left"},
    "card.countdown_paused": {
        "de": "Antwort fällig bis {due} · noch {left} · pausiert bis {until}",
        "en": "Response due by {due} · {left} left · paused until {until}",
    },
    "weekday.short": {"de": "Mo Di Mi Do Fr Sa So", "en": "Mon Tue Wed Thu Fri Sat Sun"},
    "chart.title_hours": {"de": "{day}: Karten und Antworten pro Stunde",
                          "en": "{day}: items and answers per hour"},
    "chart.items": {"de": "neue Karten", "en": "new items"},
    "chart.answers": {"de": "Antworten", "en": "answers"},
    "chart.per_hour": {"de": "pro Stunde", "en": "per hour"},
    "chart.title_responses": {"de": "Erste Antwort (Geschäftszeit) gegen das Ziel",
                              "en": "First response (business time) against the target"},
    "chart.target": {"de": "Ziel {network} ({minutes} Min.)",
                     "en": "target {network} ({minutes} min)"},
    "chart.hour": {"de": "Uhrzeit (Karte erschienen)", "en": "hour of day (item seen)"},
    "chart.minutes": {"de": "Minuten", "en": "minutes"},
    "chart.alt": {"de": "Diagramm zur Tageszusammenfassung {day}",
                  "en": "Chart of the daily summary {day}"},
    "summary.week_title": {"de": "*Wochenzusammenfassung {start} – {end}* (Vorwoche in Klammern)",
                           "en": "*Weekly summary {start} – {end}* (previous week in brackets)"},
    "summary.week_volume": {
        "de": "{ingested} ({ingested_before}) Erwähnungen, {items} ({items_before}) Karten, "
              "{answered} ({answered_before}) beantwortet",
        "en": "{ingested} ({ingested_before}) mentions, {items} ({items_before}) items, "
              "{answered} ({answered_before}) answered",
    },
    "summary.week_network": {
        "de": "{network}: Median {median} ({median_before}) Min., Ziel erreicht {hit} "
              "({hit_before})",
        "en": "{network}: median {median} ({median_before}) min, target met {hit} ({hit_before})",
    },
    # --- end issue 13 ---
    # --- the whole customer (issue 16) ---
    "state.waiting": {"de": "wartet auf Kunden", "en": "waiting for customer"},
    "reason.no_answer_from_customer": {"de": "keine Antwort vom Kunden",
                                       "en": "no answer from the customer"},
    "card.history": {
        "de": "📇 *{ordinal}. Kontakt in {days}* · zuletzt #{last} ({outcome}, {date}) · {link}",
        "en": "📇 *Contact no. {ordinal} in {days}* · last #{last} ({outcome}, {date}) · {link}",
    },
    "history.days_one": {"de": "1 Tag", "en": "1 day"},
    "history.days_many": {"de": "{days} Tagen", "en": "{days} days"},
    "history.link": {"de": "Karte #{number}", "en": "card #{number}"},
    "card.waiting": {"de": "⏸️ Wartet auf Antwort des Kunden bis {until} (kein Antwortziel)",
                     "en": "⏸️ Waiting for the customer until {until} (no response target)"},
    "card.closed_reason": {"de": "Grund: {reason}", "en": "Reason: {reason}"},
    "button.note": {"de": "🔒 Notiz", "en": "🔒 Note"},
    "button.history": {"de": "Verlauf", "en": "History"},
    "thread.note": {"de": "🔒 *Interne Notiz* von <@{user}>: {text}",
                    "en": "🔒 *Internal note* by <@{user}>: {text}"},
    "thread.waiting": {
        "de": "⏸️ <@{user}> wartet bei #{number} auf den Kunden (längstens bis {until}); das "
              "Antwortziel ruht.{note}",
        "en": "⏸️ <@{user}> is waiting for the customer on #{number} (until {until} at most); "
              "the response target is paused.{note}",
    },
    "thread.customer_back": {
        "de": "🔔 {holder} Der Kunde hat geantwortet: #{number} ist wieder offen, Antwort fällig "
              "bis {due}.",
        "en": "🔔 {holder} The customer answered: #{number} is open again, response due by {due}.",
    },
    "thread.wait_over": {
        "de": "⌛ #{number}: seit {since} keine Antwort vom Kunden, geschlossen "
              "(no_answer_from_customer). Zuständig war: {holder}",
        "en": "⌛ #{number}: no answer from the customer since {since}, closed "
              "(no_answer_from_customer). Held by: {holder}",
    },
    "thread.handover": {
        "de": "<@{user}> hat #{number} an <@{agent}> übergeben. <@{agent}>, Übergabe-Notiz: {note}",
        "en": "<@{user}> handed #{number} over to <@{agent}>. <@{agent}>, handover note: {note}",
    },
    "ok.note": {"de": "Interne Notiz zu #{number} gespeichert (geht an kein Netzwerk).",
                "en": "Internal note on #{number} saved (never sent to a network)."},
    "ok.waiting": {"de": "#{number} wartet auf den Kunden bis {until}; das Antwortziel ruht.",
                   "en": "#{number} is waiting for the customer until {until}; the target is paused."},
    "ok.history": {"de": "Der Verlauf von #{number} steht jetzt oben in deiner App-Startseite.",
                   "en": "The history of #{number} is now at the top of your App Home."},
    "refuse.note_empty": {"de": "Bitte einen Text angeben, z. B. `/note {number} Kunde ruft an`.",
                          "en": "Please add a text, e.g. `/note {number} customer will call`."},
    "refuse.note_too_long": {"de": "Die Notiz hat {length} Zeichen, erlaubt sind {limit}.",
                             "en": "The note has {length} characters, {limit} are allowed."},
    "refuse.wait_incident": {
        "de": "#{number} gehört zu einem Vorfall: dort wird auf niemanden einzeln gewartet.",
        "en": "#{number} belongs to an incident: it does not wait for one customer.",
    },
    "refuse.already_waiting": {"de": "#{number} wartet schon auf den Kunden.",
                               "en": "#{number} is already waiting for the customer."},
    "refuse.find_empty": {
        "de": "Wonach suchen? z. B. `/find Router Störung` oder `/find @kunde_a`.",
        "en": "Search for what? e.g. `/find router outage` or `/find @customer_a`.",
    },
    "help.customer": {
        "de": "`/note N Text` interne Notiz · `/wait N [Notiz]` auf den Kunden warten "
              "(Antwortziel ruht) · `/find Text` oder `/find @handle` Fälle suchen · "
              "`/assign N @agent [Notiz]` mit Übergabe-Notiz",
        "en": "`/note N text` internal note · `/wait N [note]` wait for the customer (target "
              "paused) · `/find text` or `/find @handle` find items · `/assign N @agent [note]` "
              "with a handover note",
    },
    "usage.note_text": {"de": "Notiz", "en": "note"},
    "usage.agent_note": {"de": "@agent [Notiz]", "en": "@agent [note]"},
    "find.header": {"de": "Treffer für „{query}“ (offene zuerst, dann neueste zuerst):",
                    "en": "Matches for “{query}” (open first, then newest first):"},
    "find.none": {"de": "Keine Treffer für „{query}“.", "en": "No matches for “{query}”."},
    "find.line": {"de": "{link} · {network} · @{handle} · {state} · {date}: {text}",
                  "en": "{link} · {network} · @{handle} · {state} · {date}: {text}"},
    "find.more": {"de": "… es gibt weitere Treffer: genauer suchen.",
                  "en": "… there are more matches: narrow the search."},
    "home.focus": {"de": "Verlauf zu #{number}", "en": "History of #{number}"},
    "home.notes": {"de": "🔒 Interne Notizen", "en": "🔒 Internal notes"},
    "home.note": {"de": "{at} <@{user}>: {text}", "en": "{at} <@{user}>: {text}"},
    "home.contacts": {"de": "Frühere Kontakte ({count} in {days})",
                      "en": "Earlier contacts ({count} in {days})"},
    "home.no_contacts": {"de": "Keine früheren Kontakte in den letzten {days} Tagen.",
                         "en": "No earlier contacts in the last {days} days."},
    "home.contact": {"de": "{link} · {date} · {outcome}: {text}",
                     "en": "{link} · {date} · {outcome}: {text}"},
    "modal.note_title": {"de": "Interne Notiz zu #{number}", "en": "Internal note on #{number}"},
    "modal.note_label": {"de": "Notiz (nur im Team, geht an kein Netzwerk)",
                         "en": "Note (team only, never sent to a network)"},
    "modal.save": {"de": "Speichern", "en": "Save"},
    # --- end the whole customer ---
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
