"""`verlauf`: every change to a network from the audit log – who, when, what (before → after).

Part of the family `register` (`om_bot/commands/register.py`). The entries of the contact
procedure and of room links are shown only to the network's coordination, the Geschäftsstelle
and admins (`VERTRAULICHE_PRAEFIXE`); e-mail addresses and Matrix ids never, the name and
organisation of a contact person who is not public only to the Geschäftsstelle.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from om_bot.chat.router import Kontext
from om_bot.commands.register import familie, netzwerk_oder_raum
from om_bot.commands.register_kontakte import TYP_TEXT
from om_bot.domain.audit import VERTRAULICHE_PRAEFIXE, AuditAktion
from om_bot.domain.dates import datum_text
from om_bot.domain.netzwerk import MitgliedTyp
from om_bot.domain.roles import Rolle
from om_bot.services.register import STATUS_TEXT, rollen_von
from om_bot.storage.models import AuditEintrag
from om_bot.text.format import B, I, Msg, Part
from om_bot.text.messages import Reply

# --- verlauf ---------------------------------------------------------------------------------

AKTIONEN: dict[str, str] = {
    AuditAktion.NETZWERK_ANGELEGT: "angelegt",
    AuditAktion.STATUS_GEAENDERT: "Status",
    AuditAktion.ANTRAG_GEAENDERT: "Antrag",
    AuditAktion.MITGLIED_HINZUGEFUEGT: "Partner eingetragen",
    AuditAktion.MITGLIED_GEAENDERT: "Partner geändert",
    AuditAktion.MITGLIED_ENTFERNT: "Partner ausgetragen",
    AuditAktion.KONTAKT_HINZUGEFUEGT: "Ansprechperson eingetragen",
    AuditAktion.KONTAKT_GEAENDERT: "Ansprechperson geändert",
    AuditAktion.KONTAKT_ENTFERNT: "Ansprechperson ausgetragen",
    AuditAktion.BERICHT_EINGETRAGEN: "Bericht an das Plenum",
    AuditAktion.SELBSTERKLAERUNG_EINGETRAGEN: "Selbsterklärung",
    AuditAktion.ANGABE_GEAENDERT: "Angabe",
    AuditAktion.RAUM_VERKNUEPFT: "Raum verknüpft",
    AuditAktion.RAUM_GELOEST: "Raum gelöst",
    AuditAktion.RAUM_BEANTRAGT: "Raumverknüpfung beantragt",
    AuditAktion.RAUM_BESTAETIGT: "Raumverknüpfung bestätigt",
    AuditAktion.RAUM_ABGELEHNT: "Raumverknüpfung abgelehnt",
    AuditAktion.KALENDER_ANGELEGT: "Kalender-Abo eingerichtet",
    AuditAktion.KALENDER_ERNEUERT: "Kalender-Link erneuert",
}
# Shown in this order; e-mail addresses and Matrix ids stay in the database only.
_FELDER = (
    "status",
    "grund",
    "name",
    "rolle",
    "organisation",
    "typ",
    "region",
    "dach",
    "art",
    "thema",
    "teilnetz",
    "datum",
    "offen",
    "beitragsfrei",
    "ziele",
    "vorgehen",
    "oeffentlich",
    "netzwerk",
)
_NUR_GESCHAEFTSSTELLE = {"name", "organisation"}


def _wert(wert: Any) -> str:
    if wert is None or wert == "":
        return "–"
    if isinstance(wert, bool):
        return "ja" if wert else "nein"
    text = str(wert)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datum_text(date.fromisoformat(text))
    return text if len(text) <= 80 else text[:79] + "…"


_FELDNAMEN = {"oeffentlich": "öffentlich", "grund": "Grund"}


def beschreibe(eintrag: AuditEintrag, vertraulich_zeigen: bool) -> str:
    """One audit entry's change as a short German text: "beantragt → leitungskreis, Grund: …".

    E-mail addresses and Matrix ids stay in the database; the name and organisation of a
    contact person who is not public are only shown to the Geschäftsstelle.
    """
    vorher, nachher = eintrag.vorher or {}, eintrag.nachher or {}
    verborgen = not vertraulich_zeigen and (
        vorher.get("oeffentlich") is False or nachher.get("oeffentlich") is False
    )
    teile = []
    for feld in _FELDER:
        if feld not in vorher and feld not in nachher:
            continue
        if verborgen and feld in _NUR_GESCHAEFTSSTELLE:
            continue
        a, b = _anzeige(feld, vorher.get(feld)), _anzeige(feld, nachher.get(feld))
        name = "" if feld in {"status", "datum"} else f"{_FELDNAMEN.get(feld, feld)}: "
        if feld in vorher and feld in nachher:
            if a == b and feld not in {"name", "rolle"}:
                continue
            teile.append(f"{name}{a}" + (f" → {b}" if a != b else ""))
        elif (wert := b if feld in nachher else a) != "–":
            teile.append(f"{name}{wert}")
    if verborgen:
        teile.append("(nicht öffentliche Ansprechperson)")
    return ", ".join(teile)


def _anzeige(feld: str, wert: Any) -> str:
    if feld == "typ" and wert in {t.value for t in MitgliedTyp}:
        return TYP_TEXT[MitgliedTyp(wert)]
    return _wert(wert)


@familie.befehl(
    "verlauf|historie|protokoll [<netzwerk>]",
    hilfe="Alle Änderungen an einem Netzwerk: wer, wann, was (vorher → nachher)",
    details=(
        "Ohne Netzwerk: das Netzwerk, mit dem dieser Raum verknüpft ist. Registeränderungen "
        "sieht jeder; Schritte des Kontaktverfahrens und Raumverknüpfungen nur die Koordination "
        "des Netzwerks, die Geschäftsstelle und Admins."
    ),
    beispiele=("verlauf Hannover",),
)
def verlauf(ctx: Kontext, netzwerk: str | None) -> Reply:
    n = netzwerk_oder_raum(ctx, netzwerk, "verlauf")
    grenze = 20
    alles = ctx.dienste.rollen.darf(ctx.akteur, Rolle.NETZWERK, rollen_von(ctx.uow, n))
    eintraege = ctx.uow.audit.fuer_netzwerk(
        n.id, limit=grenze + 1, ohne=() if alles else VERTRAULICHE_PRAEFIXE
    )
    msg = Msg(f"Verlauf: {n.name}")
    if not alles:
        msg.line(
            I(
                "Registeränderungen. Schritte des Kontaktverfahrens und Raumverknüpfungen sehen "
                "die Koordination des Netzwerks, die Geschäftsstelle und Admins."
            )
        )
    if not eintraege:
        msg.line(
            "Seit dem Import hat sich nichts geändert (oder ältere Einträge sind nach der "
            "Aufbewahrungsfrist gelöscht, siehe README „Datenschutz“)."
        )
        msg.line(f"Status: {n.status.value} ({STATUS_TEXT[n.status]}).")
        return msg.reply()
    vertraulich = ctx.dienste.rollen.darf(ctx.akteur, Rolle.GESCHAEFTSSTELLE)
    for eintrag in eintraege[:grenze]:
        zeit = eintrag.zeit.astimezone(ctx.dienste.tz)
        teile: list[Part] = [
            f"{zeit:%d.%m.%Y %H:%M} · ",
            B(AKTIONEN.get(eintrag.aktion, eintrag.aktion)),
        ]
        detail = beschreibe(eintrag, vertraulich)
        if detail:
            teile.append(f": {detail}")
        teile.append(f" · {eintrag.akteur}")
        msg.bullet(*teile)
    if len(eintraege) > grenze:
        msg.line(I(f"Nur die letzten {grenze} Einträge."))
    return msg.reply()
