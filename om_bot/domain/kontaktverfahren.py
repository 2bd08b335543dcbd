"""The contact procedure of seed 002 as a state machine: states, steps and who may take them.

"Die regionalen Netzwerke teilen ihre Bitten nach Benennung von regionalen Ansprechpersonen der
nationalen OM-Partnerinstitutionen der OM-Koordinierungsstelle mit. Die OM-Koordinierungsstelle
fragt bei der entsprechenden Ansprechperson des nationalen OM-Partners nach. Die angefragte
nationale OM-Partnerinstitution benennt der OM-Koordinierungsstelle eine Ansprechperson in der
Region. Die nationale OM-Partnerinstitution informiert die benannte Person […]. Nachdem dies
geschehen ist, gibt die OM-Koordinierungsstelle die Kontaktdaten der Person an das regionale
Netzwerk weiter." (seed 002; the Koordinierungsstelle is the OM-Geschäftsstelle)

    eingegangen ──weiterleiten──▶ angefragt ──benennen──▶ benannt ──informiert──▶ informiert
         │ └────aus register (GS, from the register)──────▶ ▲  ▲                       │
         │                                  benennen again ─┘  └─ benennen (new person)│
         └── ablehnen (GS, any state before release) ──▶ abgelehnt      freigeben (GS) ▼
                                                                                freigegeben

Plain Python: `pruefe` answers whether a person in a given capacity (`Beteiligt`) may take a
step now and raises `FalschePerson` or `FalscherZustand` otherwise; `sichtbar` decides who sees
the named person's contact data where; `lies_kontaktdaten` validates what a partner sends. The
storage enums `Zustand` live here so the rules need no database.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection
from dataclasses import dataclass


class Zustand(enum.StrEnum):
    EINGEGANGEN = "eingegangen"
    ANGEFRAGT = "angefragt"
    BENANNT = "benannt"
    INFORMIERT = "informiert"
    FREIGEGEBEN = "freigegeben"
    ABGELEHNT = "abgelehnt"

    @property
    def offen(self) -> bool:
        return self not in ABGESCHLOSSEN


ABGESCHLOSSEN = frozenset({Zustand.FREIGEGEBEN, Zustand.ABGELEHNT})
OFFEN = frozenset(Zustand) - ABGESCHLOSSEN


class Beteiligt(enum.StrEnum):
    """In which capacity someone acts on a request."""

    KOORDINATION = "koordination"  # of the requesting network (or moderation of its room)
    GESCHAEFTSSTELLE = "geschaeftsstelle"  # the OM-Koordinierungsstelle
    NATIONALER_KONTAKT = "nationaler_kontakt"  # the national contact person of the partner asked

    @property
    def text(self) -> str:
        return {
            Beteiligt.KOORDINATION: "die Koordination des anfragenden Netzwerks",
            Beteiligt.GESCHAEFTSSTELLE: "die Geschäftsstelle",
            Beteiligt.NATIONALER_KONTAKT: "die nationale Ansprechperson des Partners",
        }[self]

    @property
    def kurz(self) -> str:
        return {
            Beteiligt.KOORDINATION: "Koordination",
            Beteiligt.GESCHAEFTSSTELLE: "Geschäftsstelle",
            Beteiligt.NATIONALER_KONTAKT: "nationale Ansprechperson",
        }[self]


class Schritt(enum.StrEnum):
    WEITERLEITEN = "weiterleiten"
    AUS_REGISTER = "aus register"
    BENENNEN = "benennen"
    INFORMIERT = "informiert"
    FREIGEBEN = "freigeben"
    ABLEHNEN = "ablehnen"


@dataclass(frozen=True)
class Uebergang:
    schritt: Schritt
    von: frozenset[Zustand]
    nach: Zustand
    wer: tuple[Beteiligt, ...]  # in order of preference: the first one is "the" actor
    befehl: str  # the command without prefix; {nr} is the request number
    was: str  # German: what happens in this step

    def befehl_fuer(self, nr: int) -> str:
        return self.befehl.format(nr=nr)


_GS = (Beteiligt.GESCHAEFTSSTELLE,)
# The Geschäftsstelle may record the partner's answer itself (e.g. when it came by e-mail).
_PARTNER = (Beteiligt.NATIONALER_KONTAKT, Beteiligt.GESCHAEFTSSTELLE)

UEBERGAENGE: dict[Schritt, Uebergang] = {
    u.schritt: u
    for u in (
        Uebergang(
            Schritt.WEITERLEITEN,
            frozenset({Zustand.EINGEGANGEN}),
            Zustand.ANGEFRAGT,
            _GS,
            "anfrage {nr} weiterleiten",
            "die Geschäftsstelle fragt bei der nationalen Ansprechperson des Partners nach",
        ),
        Uebergang(
            Schritt.AUS_REGISTER,
            frozenset({Zustand.EINGEGANGEN}),
            Zustand.BENANNT,
            _GS,
            "anfrage {nr} aus register",
            "die Geschäftsstelle nimmt die regionale Ansprechperson aus dem Register",
        ),
        Uebergang(
            Schritt.BENENNEN,
            # Again in "benannt" to correct a typo; from "informiert" a different person must be
            # informed anew, hence back to "benannt".
            frozenset({Zustand.ANGEFRAGT, Zustand.BENANNT, Zustand.INFORMIERT}),
            Zustand.BENANNT,
            _PARTNER,
            "anfrage {nr} benennen <Name>, <E-Mail>[, <Telefon>]",
            "der Partner benennt eine regionale Ansprechperson",
        ),
        Uebergang(
            Schritt.INFORMIERT,
            frozenset({Zustand.BENANNT}),
            Zustand.INFORMIERT,
            _PARTNER,
            "anfrage {nr} informiert",
            "der Partner bestätigt, dass die benannte Person über die Anfrage und die OM "
            "informiert ist",
        ),
        Uebergang(
            Schritt.FREIGEBEN,
            frozenset({Zustand.INFORMIERT}),
            Zustand.FREIGEGEBEN,
            _GS,
            "anfrage {nr} freigeben",
            "die Geschäftsstelle gibt die Kontaktdaten an das Netzwerk frei",
        ),
        Uebergang(
            Schritt.ABLEHNEN,
            OFFEN,
            Zustand.ABGELEHNT,
            _GS,
            "anfrage {nr} ablehnen <Grund>",
            "die Geschäftsstelle lehnt die Anfrage mit einem Grund ab",
        ),
    )
}

# The regular way forward from each open state (ablehnen is always possible besides).
NAECHSTER: dict[Zustand, Schritt] = {
    Zustand.EINGEGANGEN: Schritt.WEITERLEITEN,
    Zustand.ANGEFRAGT: Schritt.BENENNEN,
    Zustand.BENANNT: Schritt.INFORMIERT,
    Zustand.INFORMIERT: Schritt.FREIGEBEN,
}


def naechster(zustand: Zustand) -> Uebergang | None:
    """The regular next step from `zustand`; None once the request is closed."""
    schritt = NAECHSTER.get(zustand)
    return UEBERGAENGE[schritt] if schritt else None


def wer_text(uebergang: Uebergang) -> str:
    return " oder ".join(b.text for b in uebergang.wer)


class SchrittNichtMoeglich(Exception):
    """A step that may not be taken; says why, the current state and the regular next step."""

    def __init__(self, meldung: str, zustand: Zustand, uebergang: Uebergang) -> None:
        super().__init__(meldung)
        self.meldung = meldung
        self.zustand = zustand
        self.uebergang = uebergang
        self.naechster = naechster(zustand)


class FalschePerson(SchrittNichtMoeglich):
    """The person lacks the capacity for this step (whatever the state)."""


class FalscherZustand(SchrittNichtMoeglich):
    """The person may take this step, but not in the request's current state."""


def pruefe(zustand: Zustand, schritt: Schritt, beteiligt: Collection[Beteiligt]) -> Uebergang:
    """The transition for `schritt` from `zustand` by someone acting as `beteiligt`.

    The person is checked first, so someone without the capacity always gets the same refusal
    (and it is logged as one), whatever the state.
    """
    uebergang = UEBERGAENGE[schritt]
    if not set(beteiligt) & set(uebergang.wer):
        raise FalschePerson(f"„{schritt}“ darf nur {wer_text(uebergang)}.", zustand, uebergang)
    if zustand not in uebergang.von:
        if zustand in ABGESCHLOSSEN:
            grund = f"die Anfrage ist schon abgeschlossen ({zustand})"
        elif zustand is uebergang.nach:
            grund = f"die Anfrage ist schon „{zustand}“"
        else:
            grund = f"die Anfrage ist erst „{zustand}“"
        raise FalscherZustand(f"„{schritt}“ geht jetzt nicht: {grund}.", zustand, uebergang)
    return uebergang


def handelnd(uebergang: Uebergang, beteiligt: Collection[Beteiligt]) -> Beteiligt:
    """The capacity in which someone takes the step: the first of the step's roles they hold."""
    for rolle in uebergang.wer:
        if rolle in beteiligt:
            return rolle
    raise ValueError("pruefe() first")


# --- who sees the named person's contact data --------------------------------------------


class Raumbezug(enum.Enum):
    """Where a command is typed, seen from one request."""

    GESCHAEFTSSTELLE = "geschaeftsstelle"  # the Geschäftsstelle's room
    DIREKT = "direkt"  # a direct chat of the sender with the bot, nobody else in it
    ANFRAGEND = "anfragend"  # a room linked to the requesting network
    ANDERES_NETZWERK = "anderes_netzwerk"  # a room linked to some other network
    SONST = "sonst"  # any other room: a lobby, a group room without a link


ORTE_DER_KONTAKTDATEN = (
    "im Raum der Geschäftsstelle, im Direktchat der nationalen Ansprechperson mit dem Bot und "
    "nach der Freigabe in den Räumen des anfragenden Netzwerks"
)


def sichtbar(zustand: Zustand, beteiligt: Collection[Beteiligt], raum: Raumbezug) -> bool:
    """Whether the contact data of the named person may be shown here to this person.

    Contact data appears only in three places (docs/rechte.md): the Geschäftsstelle's room (to
    the Geschäftsstelle and the national contact), the national contact's direct chat with the
    bot (to them), and – after the release – the rooms linked to the requesting network, where
    the release posted it. Everywhere else everybody in the room would read along, so it is
    never shown there, whoever asks.
    """
    if raum is Raumbezug.GESCHAEFTSSTELLE:
        return bool({Beteiligt.GESCHAEFTSSTELLE, Beteiligt.NATIONALER_KONTAKT} & set(beteiligt))
    if raum is Raumbezug.DIREKT:
        return Beteiligt.NATIONALER_KONTAKT in beteiligt
    return raum is Raumbezug.ANFRAGEND and zustand is Zustand.FREIGEGEBEN


# --- contact data the partner sends ---------------------------------------------------------


class UngueltigeDaten(ValueError):
    """Contact data that cannot be accepted; the German message says what is wrong."""


@dataclass(frozen=True)
class Kontaktdaten:
    name: str
    email: str
    telefon: str = ""

    def zeile(self) -> str:
        return ", ".join(x for x in (self.name, self.email, self.telefon) if x)


_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_TLD = re.compile(r"^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()/.\-]*$")


def pruefe_email(text: str) -> str:
    """The address in a normal form (domain in lower case); `UngueltigeDaten` if it is none.

    Deliberately stricter than RFC 5322 (no quoted local parts, no IP literals): an address a
    network would type into a mail client. Umlaut domains are accepted (IDNA).
    """
    address = text.strip().removeprefix("mailto:").strip().strip("<>").strip()
    fehler = UngueltigeDaten(
        f"„{address[:80]}“ ist keine gültige E-Mail-Adresse (erwartet z. B. "
        "„erika.musterfrau@example.org“)."
    )
    if len(address) > 254 or address.count("@") != 1:
        raise fehler
    local, domain = address.split("@")
    if not local or len(local) > 64 or not _LOCAL.match(local):
        raise fehler
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise fehler from None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise fehler
    if not _TLD.match(labels[-1]):
        raise fehler
    return f"{local}@{domain.lower()}"


def pruefe_telefon(text: str) -> str:
    """A phone number as typed (spaces normalised); `UngueltigeDaten` if it is none."""
    number = " ".join(text.split())
    digits = sum(c.isdigit() for c in number)
    if not _PHONE.match(number) or not 5 <= digits <= 20 or len(number) > 40:
        raise UngueltigeDaten(
            f"„{number[:40]}“ ist keine Telefonnummer (erwartet z. B. „0421 123456“ oder "
            "„+49 421 123456“)."
        )
    return number


def pruefe_name(text: str) -> str:
    name = " ".join(text.split())
    if "@" in name or not any(c.isalpha() for c in name) or not 2 <= len(name) <= 200:
        raise UngueltigeDaten(
            f"„{name[:80]}“ ist kein Name (erwartet zuerst Vor- und Nachname, z. B. "
            "„Erika Musterfrau“)."
        )
    return name


def lies_kontaktdaten(text: str) -> Kontaktdaten:
    """Read ``Name, E-Mail[, Telefon]`` (also separated by ";"); e-mail and phone in any order."""
    teile = [t.strip() for t in re.split(r"[,;]", text) if t.strip()]
    if not teile:
        raise UngueltigeDaten("Es fehlen Name und E-Mail-Adresse der benannten Person.")
    if len(teile) > 3:
        raise UngueltigeDaten(
            f"Das sind {len(teile)} Angaben; erwartet sind Name, E-Mail und höchstens eine "
            "Telefonnummer, durch Kommas getrennt."
        )
    name = pruefe_name(teile[0])
    rest = teile[1:]
    emails = [t for t in rest if "@" in t]
    if not emails:
        raise UngueltigeDaten("Die E-Mail-Adresse der benannten Person fehlt.")
    if len(emails) > 1:
        raise UngueltigeDaten("Bitte nur eine E-Mail-Adresse angeben.")
    email = pruefe_email(emails[0])
    telefone = [t for t in rest if "@" not in t]
    telefon = pruefe_telefon(telefone[0]) if telefone else ""
    return Kontaktdaten(name, email, telefon)
