"""Help texts generated from the command registry: `/om hilfe` and `docs/befehle.md`.

Nothing here is written by hand per command, so help, docs and behaviour cannot drift apart.
"""

from __future__ import annotations

from om_bot.chat.registry import Befehl, Familie, Registry
from om_bot.domain.roles import Wer, beschreibe
from om_bot.text.format import B, Code, I, Msg
from om_bot.text.messages import Reply

PREFIX_NOTE = (
    "Jeder Befehl beginnt mit `!om` (oder `/om`, wo der Client das durchlässt); im Direktchat "
    "mit dem Bot geht es auch ohne."
)


def _rolle(befehl: Befehl) -> str:
    if Wer.ALLE in befehl.berechtigt:
        return ""
    return f" (nur {beschreibe(befehl.berechtigt)})"


def uebersicht(registry: Registry) -> Reply:
    p = registry.prefix
    msg = Msg("Befehle des OM-Bots")
    for familie in registry.familien:
        for befehl in familie.befehle:
            msg.bullet(Code(f"{p} {befehl.anzeige}"), " – ", befehl.hilfe, _rolle(befehl))
    msg.line(
        "Mehr zu einem Thema: ",
        Code(f"{p} hilfe <Thema>"),
        " – Themen: ",
        ", ".join(registry.topics()),
        ".",
    )
    msg.line(I(f"Tipp: {p} funktioniert in jedem Client; /om nicht überall (Element)."))
    return msg.reply()


def thema(registry: Registry, familie: Familie) -> Reply:
    p = registry.prefix
    msg = Msg(familie.titel)
    for befehl in familie.befehle:
        msg.line(B(f"{p} {befehl.anzeige}"))
        msg.bullet(befehl.hilfe, _rolle(befehl))
        if befehl.details:
            msg.bullet(befehl.details)
        for beispiel in befehl.beispiele:
            msg.bullet("Beispiel: ", Code(f"{p} {beispiel}"))
    return msg.reply()


def markdown(registry: Registry) -> str:
    """The command reference for `docs/befehle.md`."""
    p = registry.prefix
    out = [
        "# Befehlsreferenz",
        "",
        "<!-- Erzeugt mit `om-bot befehle > docs/befehle.md`; nicht von Hand bearbeiten. -->",
        "",
        PREFIX_NOTE,
        "",
    ]
    for familie in registry.familien:
        out += [f"## {familie.titel} (`{p} hilfe {familie.name}`)", ""]
        for befehl in familie.befehle:
            out.append(f"### `{p} {befehl.anzeige}`")
            out.append("")
            out.append(befehl.hilfe + ".")
            if befehl.details:
                out += ["", befehl.details]
            out += ["", f"Wer: {beschreibe(befehl.berechtigt)}."]
            if befehl.beispiele:
                out += ["", "Beispiele:", ""]
                out += [f"- `{p} {b}`" for b in befehl.beispiele]
            out.append("")
    return "\n".join(out + rechte(registry))


_SPALTEN = {
    Wer.ALLE: "alle",
    Wer.NETZWERKRAUM: "im Raum des Netzwerks",
    Wer.MODERATION: "Moderation des Raums",
    Wer.KOORDINATION: "Koordination",
    Wer.NATIONALER_KONTAKT: "nationale Ansprechperson",
    Wer.GESCHAEFTSSTELLE: "Geschäftsstelle",
    Wer.ADMIN: "Admin",
}


def rechte(registry: Registry) -> list[str]:
    """The command × role table (docs/rechte.md explains it), from the same declarations."""
    p = registry.prefix
    out = [
        "## Rechte: Befehl × Rolle",
        "",
        "Erzeugt aus der Befehlsregistratur und `om_bot/domain/roles.py`; die Regeln dahinter "
        "stehen in [`rechte.md`](rechte.md). „Koordination“ heißt: des Netzwerks, für das der "
        "Befehl handelt (bei Raumeinstellungen: des Netzwerks, mit dem der Raum verknüpft "
        "ist). ✓ = darf; „alle“ schließt jeden ein. Die Moderation eines Raums darf bei "
        "`raum <netzwerk>` nur beantragen; wer einen Termin eingetragen hat, darf ihn auch "
        "ändern und absagen. Jede Ablehnung ändert nichts und wird protokolliert.",
        "",
        "| Befehl | " + " | ".join(_SPALTEN.values()) + " |",
        "|---|" + "---|" * len(_SPALTEN),
    ]
    for befehl in registry:
        wer = set(befehl.berechtigt)
        zellen = ["✓" if w in wer else "" for w in _SPALTEN]
        out.append(f"| `{p} {befehl.anzeige}` | " + " | ".join(zellen) + " |")
    out.append("")
    return out
