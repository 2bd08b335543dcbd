"""`kalender` and `kalender neu` (also `… netzwerk <Name>`, `… region <Name>`): the link of a
calendar feed that Outlook, Thunderbird, Apple and Google subscribe to, and a new one.

Who may see which link where, making and rotating tokens: `om_bot.services.kalender_abo`; the
feed itself: `om_bot.services.kalender` behind `om_bot.app.kalender`. Here: the syntax and
the German answers.
"""

from __future__ import annotations

from om_bot.chat.router import Kontext
from om_bot.commands.aufruf import aufruf
from om_bot.commands.termine.basis import familie, praefix
from om_bot.domain.kalender import FeedArt
from om_bot.domain.roles import Rolle, Wer
from om_bot.services import kalender_abo as abo
from om_bot.services.kalender import ABSAGE_SICHTBAR
from om_bot.services.kalender_abo import Abo, AboAdresse, NichtEingerichtet
from om_bot.text.format import B, Code, I, Msg
from om_bot.text.messages import Reply

_WO = (
    "Den Link sieht, wer im Raum ist – deshalb zeigt ihn der Bot nur in den Räumen des "
    "Netzwerks, im Raum der Geschäftsstelle und im Direktchat der Berechtigten."
)
_ZEIGEN_WER = (Wer.NETZWERKRAUM, Wer.KOORDINATION, Wer.GESCHAEFTSSTELLE, Wer.ADMIN)


def _adresse(ctx: Kontext) -> AboAdresse:
    return ctx.dienste.von(AboAdresse) or AboAdresse()


def _antwort(ctx: Kontext, ergebnis: Abo | NichtEingerichtet, neu_befehl: str) -> Reply:
    p = praefix(ctx)
    if isinstance(ergebnis, NichtEingerichtet):
        grund, schluessel = (
            ("ihm fehlt die öffentliche Adresse", "[http] public_url")
            if ergebnis.http_an
            else ("sein HTTP-Server ist aus", "[http] enabled = false")
        )
        return (
            Msg()
            .line(
                f"📅 Kalender-Abos sind bei diesem Bot noch nicht eingerichtet: {grund} (",
                Code(schluessel),
                " in der Konfiguration). Bitte die Betreuung des Bots fragen (docs/betrieb.md, "
                "„Kalender-Feed hinter einem Reverse Proxy“). Es wurde nichts geändert.",
            )
            .line("Bis dahin als Datei: ", Code(f"{p} termine export"))
            .reply()
        )
    kopf = "🔄 Neuer Link für den Kalender" if ergebnis.erneuert else "📅 Kalender-Abo"
    msg = (
        Msg()
        .line(kopf, " ", B(ergebnis.ziel.name))
        .line(ergebnis.webcal)
        .line("oder: ", ergebnis.https)
        .line(
            "In Outlook „Kalender hinzufügen → Aus dem Internet“, in Thunderbird „Neuer "
            "Kalender → Im Netzwerk“, bei Google „Weitere Kalender → Per URL“, auf dem iPhone "
            "„Kalender → Kalender hinzufügen → Kalenderabo“ – dort die Adresse einfügen. Der "
            "Kalender aktualisiert sich selbst; abgesagte Termine verschwinden (sie stehen "
            f"noch {ABSAGE_SICHTBAR.days} Tage als abgesagt darin)."
        )
    )
    if ergebnis.erneuert:
        msg.line("Der alte Link funktioniert nicht mehr; wer ihn abonniert hat, braucht den neuen.")
    msg.line(
        I("Wer den Link hat, sieht die Termine ohne Anmeldung. Weitergegeben? Neuer Link: "),
        Code(f"{p} {neu_befehl}"),
    )
    return msg.reply()


@familie.befehl(
    "kalender",
    hilfe="Den Kalender dieses Raums abonnieren: der Link für Outlook, Thunderbird, Apple, Google",
    details=(
        "Im Raum eines Netzwerks: die Termine des Netzwerks; im Raum der Geschäftsstelle: alle "
        "Termine. Der Kalender aktualisiert sich selbst, abgesagte Termine verschwinden. " + _WO
    ),
    wer=(Wer.NETZWERKRAUM, Wer.GESCHAEFTSSTELLE, Wer.ADMIN),
    beispiele=("kalender",),
)
def kalender(ctx: Kontext) -> Reply:
    a = aufruf(ctx)
    return _antwort(ctx, abo.zeigen(a, abo.raum_ziel(a), _adresse(ctx)), "kalender neu")


@familie.befehl(
    "kalender neu",
    hilfe="Einen neuen Link für den Kalender dieses Raums – der alte funktioniert dann nicht mehr",
    details=(
        "Für einen weitergegebenen Link: Abos mit dem alten Link bekommen nichts mehr. Im Raum "
        "eines Netzwerks dessen Koordination, die Geschäftsstelle und Admins (nicht die "
        "Moderation des Raums); im Raum der Geschäftsstelle die Geschäftsstelle und Admins."
    ),
    rolle=Rolle.NETZWERK,
    beispiele=("kalender neu",),
)
def kalender_neu(ctx: Kontext) -> Reply:
    a = aufruf(ctx)
    return _antwort(ctx, abo.erneuern(a, abo.raum_ziel(a), _adresse(ctx)), "kalender neu")


def _benannt(ctx: Kontext, art: FeedArt, text: str, neu: bool) -> Reply:
    """`kalender netzwerk|region <Name> [neu]`: that feed's link, or a new one."""
    a = aufruf(ctx)
    ziel = abo.benanntes_ziel(a, art, text)
    benannt = ziel.netzwerk or ziel.region
    assert benannt is not None
    machen = abo.erneuern if neu else abo.zeigen
    return _antwort(ctx, machen(a, ziel, _adresse(ctx)), f"kalender {art.value} {benannt.name} neu")


@familie.befehl(
    "kalender netzwerk <netzwerk>",
    hilfe="Den Kalender eines Netzwerks abonnieren",
    details=(
        "In den Räumen des Netzwerks für alle dort, im Direktchat für seine Koordination, die "
        "Geschäftsstelle und Admins, im Raum der Geschäftsstelle. " + _WO
    ),
    wer=_ZEIGEN_WER,
    beispiele=("kalender netzwerk Hamburg",),
)
def kalender_netzwerk(ctx: Kontext, netzwerk: str) -> Reply:
    return _benannt(ctx, FeedArt.NETZWERK, netzwerk, neu=False)


@familie.befehl(
    "kalender netzwerk <netzwerk> neu",
    hilfe="Einen neuen Link für den Kalender eines Netzwerks – der alte funktioniert nicht mehr",
    rolle=Rolle.NETZWERK,
    beispiele=("kalender netzwerk Hamburg neu",),
)
def kalender_netzwerk_neu(ctx: Kontext, netzwerk: str) -> Reply:
    return _benannt(ctx, FeedArt.NETZWERK, netzwerk, neu=True)


@familie.befehl(
    "kalender region <region>",
    hilfe="Den Kalender einer Region abonnieren (mit den Regionen darin und darum)",
    details=(
        "Alle Termine, die sich dort überschneiden können – wie „termine <Region>“. In den "
        "Räumen der Netzwerke dieser Region für alle dort, im Raum der Geschäftsstelle, im "
        "Direktchat für die Geschäftsstelle und Admins."
    ),
    wer=(Wer.NETZWERKRAUM, Wer.GESCHAEFTSSTELLE, Wer.ADMIN),
    beispiele=("kalender region Münsterland", "kalender region Bayern"),
)
def kalender_region(ctx: Kontext, region: str) -> Reply:
    return _benannt(ctx, FeedArt.REGION, region, neu=False)


@familie.befehl(
    "kalender region <region> neu",
    hilfe="Einen neuen Link für den Kalender einer Region – der alte funktioniert nicht mehr",
    rolle=Rolle.GESCHAEFTSSTELLE,
    beispiele=("kalender region Münsterland neu",),
)
def kalender_region_neu(ctx: Kontext, region: str) -> Reply:
    return _benannt(ctx, FeedArt.REGION, region, neu=True)
