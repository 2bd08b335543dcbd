"""The actions of the audit log: every kind of row that `AuditEintrag.aktion` holds.

The column stays a string (the member's value, as before the enum existed); writers pass a
member, readers compare with members (a `StrEnum` equals its value, so rows read back compare
equal). `verlauf` labels them, the retention job keeps each network's newest status record,
and the info service reads new networks and status changes – all from this one list.
"""

from __future__ import annotations

import enum

from om_bot.domain.kontaktverfahren import Zustand


class AuditAktion(enum.StrEnum):
    # The register (om_bot/services/register_pflege.py).
    NETZWERK_ANGELEGT = "netzwerk_angelegt"
    STATUS_GEAENDERT = "status_geaendert"
    ANTRAG_GEAENDERT = "antrag_geaendert"
    MITGLIED_HINZUGEFUEGT = "mitglied_hinzugefuegt"
    MITGLIED_GEAENDERT = "mitglied_geaendert"
    MITGLIED_ENTFERNT = "mitglied_entfernt"
    KONTAKT_HINZUGEFUEGT = "kontakt_hinzugefuegt"
    KONTAKT_GEAENDERT = "kontakt_geaendert"
    KONTAKT_ENTFERNT = "kontakt_entfernt"
    BERICHT_EINGETRAGEN = "bericht_eingetragen"
    SELBSTERKLAERUNG_EINGETRAGEN = "selbsterklaerung_eingetragen"
    ANGABE_GEAENDERT = "angabe_geaendert"
    # Rooms linked to networks (`/om raum …`).
    RAUM_VERKNUEPFT = "raum_verknuepft"
    RAUM_GELOEST = "raum_geloest"
    RAUM_BEANTRAGT = "raum_beantragt"
    RAUM_BESTAETIGT = "raum_bestaetigt"
    RAUM_ABGELEHNT = "raum_abgelehnt"
    # A room's mentions and @room (`/om raum erwähnungen|raumerwähnung an|aus`).
    RAUM_BENACHRICHTIGUNG = "raum_benachrichtigung"
    # The contact procedure: one action per state a step leads to (`fuer_anfrage`), and the
    # deletion of a request's personal data (om_bot/services/datenschutz.py).
    ANFRAGE_EINGEGANGEN = "anfrage_eingegangen"
    ANFRAGE_ANGEFRAGT = "anfrage_angefragt"
    ANFRAGE_BENANNT = "anfrage_benannt"
    ANFRAGE_INFORMIERT = "anfrage_informiert"
    ANFRAGE_FREIGEGEBEN = "anfrage_freigegeben"
    ANFRAGE_ABGELEHNT = "anfrage_abgelehnt"
    ANFRAGE_GELOESCHT = "anfrage_geloescht"
    ANFRAGE_KOPIE_GELOESCHT = "anfrage_kopie_geloescht"
    # Events and approaches.
    TERMIN_ANGELEGT = "termin_angelegt"
    TERMIN_GEAENDERT = "termin_geaendert"
    TERMIN_ABGESAGT = "termin_abgesagt"
    TERMIN_VORKOMMEN_ABGESAGT = "termin_vorkommen_abgesagt"
    ANSPRACHE = "ansprache"
    # Calendar feeds (`/om kalender`): a feed's token made, replaced (never the token itself).
    KALENDER_ANGELEGT = "kalender_angelegt"
    KALENDER_ERNEUERT = "kalender_erneuert"
    # A room's reminders and the info service.
    ERINNERUNGEN_GEAENDERT = "erinnerungen_geaendert"
    INFODIENST_BESTELLT = "infodienst_bestellt"
    INFODIENST_ABBESTELLT = "infodienst_abbestellt"
    # The router: a refused attempt (`erlaubt=False`).
    VERWEIGERT = "verweigert"
    # The retention job's counts (om_bot/services/datenschutz.py).
    AUFBEWAHRUNG = "aufbewahrung"

    @classmethod
    def fuer_anfrage(cls, zustand: Zustand) -> AuditAktion:
        """The action of a contact-procedure step that leads to `zustand`."""
        return cls(f"anfrage_{zustand.value}")


# What only the Geschäftsstelle, admins and the network's coordinators see in `verlauf`: the
# contact procedure (who asked whom, with Matrix ids) and which rooms speak for the network.
# Filtered by prefix, so rows of actions older versions wrote stay confidential as well.
VERTRAULICHE_PRAEFIXE: tuple[str, ...] = ("anfrage_", "raum_")

# The records "Status seit …" reads; the retention job keeps each network's newest one.
STATUS_AKTIONEN: tuple[AuditAktion, ...] = (
    AuditAktion.STATUS_GEAENDERT,
    AuditAktion.NETZWERK_ANGELEGT,
)
