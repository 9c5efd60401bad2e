"""A built-in recall floor for `bot train` (issue 14): short German complaints written for this
project (not copied from any corpus), about the things a telecom's service desk hears:
outages, billing, the hotline, technicians, contracts, mobile coverage, TV and streaming.

Every text is a service case: a retrained model must still call them negative. `bot train`
refuses a model whose negative recall here falls more than `--tolerance` below the current
model's, so a few dozen labels of one kind of non-case cannot teach it that "Katastrophe",
"schwach" or "bitter" are neutral for every complaint. Many texts share words with typical
non-cases (sports, news) on purpose.
"""

from __future__ import annotations

COMPLAINTS: tuple[str, ...] = (
    # outages
    "Seit gestern Abend kein Internet, eine Katastrophe, ich arbeite im Homeoffice!",
    "Schon wieder Störung in Bonn, das ist einfach nur schwach von euch",
    "Drei Tage ohne DSL. Bitter, wenn man dafür jeden Monat zahlt",
    "Internet fällt jede Stunde aus, peinlich für so einen großen Anbieter",
    "Wieder kein Netz im ganzen Viertel, was für ein Mist",
    "Mein Anschluss ist seit Montag tot und keiner meldet sich, furchtbar",
    "Festnetz geht nicht, Internet geht nicht, und ihr sagt nichts. Katastrophe",
    "Die Leitung bricht ständig ab, so kann ich nicht arbeiten",
    "Totalausfall seit heute früh, wann ist das endlich behoben?",
    "Das WLAN ist seit der Umstellung extrem langsam, ganz schwach",
    "Nur 3 Mbit statt 100, das ist eine Frechheit",
    "Glasfaser versprochen, Kupfer bekommen, und selbst das fällt dauernd aus",
    "Schon die vierte Störung diesen Monat, ich bin total enttäuscht",
    "Kein Empfang im Haus, seit Wochen, niemand hilft",
    "Euer Netz ist in Köln heute wieder mal komplett down, unfassbar",
    # mobile
    "Mobilfunk in der Bahn ist eine Katastrophe, ständig Funkloch",
    "Seit dem Update kein LTE mehr auf dem Handy, was soll das?",
    "Ich kann seit zwei Tagen nicht telefonieren, die SIM wird nicht erkannt",
    "eSIM-Aktivierung klappt seit einer Woche nicht, ich bin echt sauer",
    "Roaming funktioniert im Urlaub nicht, und die Hotline ist nicht erreichbar",
    "Datenvolumen nach drei Tagen weg obwohl ich kaum surfe, das kann nicht sein",
    "SMS kommen stundenlang zu spät an, bitter wenn man auf TANs wartet",
    "Rufnummernmitnahme seit drei Wochen nicht erledigt, schwache Leistung",
    # billing
    "Auf meiner Rechnung stehen 40 Euro zu viel, bitte sofort korrigieren",
    "Ihr bucht doppelt ab, das ist Abzocke",
    "Schon wieder eine falsche Rechnung, ich habe den Tarif doch gekündigt",
    "Warum wird mir eine Drittanbietersperre berechnet, die ich nie bestellt habe?",
    "Die Gutschrift wurde mir versprochen und kam nie, enttäuschend",
    "Mahnung bekommen obwohl ich bezahlt habe, eine Frechheit",
    "Preiserhöhung ohne Ankündigung, so behandelt man keine Kunden",
    "Ihr habt mein Konto ohne Grund belastet, ich will mein Geld zurück",
    "Die Rechnung ist seit Monaten falsch und niemand kümmert sich",
    "Kündigung bestätigt und trotzdem weiter abgebucht, unverschämt",
    # hotline and service
    "Eine Stunde in der Warteschleife und dann aufgelegt, Katastrophe",
    "Die Hotline ist ein Witz, jeder sagt etwas anderes",
    "Dreimal angerufen, dreimal vertröstet, ich bin es leid",
    "Der Chat bricht jedes Mal ab, bevor mir jemand hilft",
    "Niemand ruft zurück, obwohl es mir zweimal versprochen wurde",
    "Euer Kundenservice ist wirklich schwach, keiner fühlt sich zuständig",
    "Ich warte seit zehn Tagen auf eine Antwort auf meine Beschwerde",
    "Im Shop schickt man mich zur Hotline und die Hotline schickt mich zum Shop",
    "Mein Ticket wurde einfach geschlossen, ohne dass das Problem gelöst ist",
    "Ihr habt mir einen Vertrag untergeschoben, den ich nie wollte",
    # technicians and installation
    "Der Techniker ist wieder nicht gekommen, ich habe umsonst Urlaub genommen",
    "Termin für den Anschluss zum dritten Mal verschoben, peinlich",
    "Seit sechs Wochen warte ich auf die Schaltung, unzumutbar",
    "Der Techniker war da und danach ging gar nichts mehr",
    "Umzug gemeldet vor zwei Monaten, in der neuen Wohnung immer noch kein Internet",
    "Router kam nicht an, Sendung angeblich zugestellt, bitter",
    "Der neue Router startet ständig neu, das nervt gewaltig",
    "Router defekt geliefert und der Austausch dauert Wochen, ganz schwach",
    # TV and streaming
    "MagentaTV hängt ständig, das Spiel konnte ich nicht sehen, eine Katastrophe",
    "Der Stream bricht bei jedem Spiel ab, dafür zahle ich nicht",
    "Seit dem Update geht das Fernsehen nicht mehr, nur schwarzes Bild",
    "Die App stürzt beim Einloggen immer ab, furchtbar",
    "Sender fehlen seit Tagen, obwohl sie im Paket sind",
    "Das Bild ruckelt bei jeder Übertragung, so schwach",
    # contracts, general
    "Vertragsverlängerung ohne meine Zustimmung, das ist nicht in Ordnung",
    "Versprochene Geschwindigkeit nie erreicht, ich fühle mich betrogen",
    "Ich wollte nur einen Tarifwechsel und jetzt habe ich zwei Verträge",
    "Seit Wochen keine Lösung, ich überlege ernsthaft zu kündigen",
    "Was ist nur mit eurem Service los, das ist doch kein Zustand mehr",
    "Mein Internet ist so langsam, dass kein Video lädt, echt schlimm",
    "Ihr habt meine Daten falsch übernommen und jetzt geht nichts mehr",
    "Telefonieren unmöglich, es rauscht und knackt nur noch, Katastrophe",
    "Ich bin seit 15 Jahren Kunde und werde so behandelt, bitter",
)
