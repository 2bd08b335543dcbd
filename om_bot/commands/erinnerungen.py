"""`erinnerungen`, `infodienst`: what this room is reminded of, its offsets, the info service."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from om_bot.chat.registry import Familie, UsageError
from om_bot.chat.router import Kontext
from om_bot.domain.audit import AuditAktion
from om_bot.domain.erinnerungen import (
    WOCHENTAG_NAMEN,
    Einstellungen,
    ausgaben,
    lies_versaetze,
    versaetze_text,
    zeitpunkt_text,
)
from om_bot.domain.roles import Rolle
from om_bot.services.erinnerungsquellen import (
    KeineTermine,
    Planung,
    nach_raum,
    standard_quellen,
)
from om_bot.services.register import finde_region, rollen_von
from om_bot.storage.models import ErinnerungRaum, ErinnerungVersatz, InfodienstAbo
from om_bot.text.format import B, Code, I, Msg
from om_bot.text.messages import Reply

familie = Familie(
    "erinnerungen",
    "Erinnerungen und Infodienst",
    aliase=("erinnerung", "infodienst"),
)

MAX_LISTE = 10
# `/om erinnerungen` looks further ahead than the scheduler plans.
VORSCHAU = timedelta(days=60)
_BEISPIEL_VERSATZ = "erinnerungen 2h 1d"


def planung(ctx: Kontext) -> Planung:
    if (eigene := ctx.dienste.von(Planung)) is not None:
        return eigene
    leser = KeineTermine()
    e = Einstellungen(
        tz=ctx.dienste.tz,
        prefix=ctx.dienste.prefix,
        geschaeftsstelle_room=ctx.dienste.geschaeftsstelle_room,
    )
    return Planung(e, standard_quellen(leser), leser)


def _pruefe_recht(ctx: Kontext, was: str) -> None:
    """Room settings: the room's moderation, the coordination of its network, GS, admins."""
    raum = ctx.uow.raeume.get(ctx.nachricht.room_id)
    netzwerk = raum.netzwerk if raum is not None else None
    rollen = rollen_von(ctx.uow, netzwerk) if netzwerk is not None else None
    ctx.dienste.rollen.pruefe(ctx.akteur, Rolle.RAUM, rollen, was=was)


def _einstellung(ctx: Kontext) -> ErinnerungRaum:
    """This room's settings row, created (with the room's row) on first change."""
    room_id = ctx.nachricht.room_id
    ctx.uow.raeume.beigetreten(room_id, ctx.now())
    # The room's row first: the settings' foreign key needs it (no relationship orders them).
    ctx.uow.flush()
    einstellung = ctx.uow.erinnerungen.raum(room_id)
    if einstellung is None:
        einstellung = ErinnerungRaum(room_id=room_id, aktiv=True, geaendert=ctx.now())
        ctx.uow.erinnerungen.add_raum(einstellung)
        ctx.uow.flush()
    return einstellung


def _zustand(einstellung: ErinnerungRaum | None) -> dict[str, object]:
    if einstellung is None:
        return {"aktiv": True, "versaetze": None}
    minuten = [v.minuten for v in einstellung.versaetze] or None
    return {"aktiv": einstellung.aktiv, "versaetze": minuten}


def _versaetze(einstellung: ErinnerungRaum | None, e: Einstellungen) -> tuple[str, bool]:
    if einstellung is not None and einstellung.versaetze:
        werte = [timedelta(minutes=v.minuten) for v in einstellung.versaetze]
        return versaetze_text(sorted(werte, reverse=True)), True
    return versaetze_text(e.vor_termin), False


def _netzwerk_id(ctx: Kontext) -> int | None:
    raum = ctx.uow.raeume.get(ctx.nachricht.room_id)
    return raum.netzwerk_id if raum is not None else None


def _audit(
    ctx: Kontext, aktion: AuditAktion, vorher: dict[str, object], nachher: dict[str, object]
) -> None:
    ctx.audit(
        aktion,
        netzwerk_id=_netzwerk_id(ctx),
        objekt=ctx.nachricht.room_id,
        vorher=vorher,
        nachher=nachher,
    )


def _hinweis_ohne_netzwerk(ctx: Kontext, msg: Msg) -> None:
    if _netzwerk_id(ctx) is None:
        msg.line(
            I(
                "Dieser Raum ist mit keinem Netzwerk verknüpft; Termin- und Pflichterinnerungen "
                "kommen erst nach "
            ),
            Code(f"{ctx.dienste.prefix} raum <Netzwerk>"),
            I("."),
        )


# --- erinnerungen ----------------------------------------------------------------------------


@familie.befehl(
    "erinnerungen|erinnerung",
    hilfe="Was in diesem Raum als Nächstes erinnert wird, und wie er eingestellt ist",
    details=(
        "Erinnert wird vor jedem Termin des verknüpften Netzwerks (auch jedem Vorkommen einer "
        "Serie; Standard: 1 Tag und 1 Stunde vorher), an die Jahrespflichten anerkannter "
        "OM-Netzwerke (zwei Netzwerktreffen im Jahr, jährlicher Bericht an das Plenum, "
        "Selbsterklärung zwei Jahre gültig), im Raum der Geschäftsstelle an Anfragen ohne "
        "Schritt, und mit dem Infodienst wöchentlich. Wird ein Termin abgesagt, kommt statt "
        "der Erinnerung ein kurzer Hinweis."
    ),
    beispiele=("erinnerungen",),
)
def erinnerungen(ctx: Kontext) -> Reply:
    p = ctx.dienste.prefix
    plan = planung(ctx)
    e = plan.einstellungen
    room_id = ctx.nachricht.room_id
    einstellung = ctx.uow.erinnerungen.raum(room_id)
    aktiv = einstellung is None or einstellung.aktiv
    jetzt = ctx.now()
    gewuenscht = plan.gewuenscht(ctx.uow, jetzt, replace(e, vorschau=VORSCHAU))
    im_raum = nach_raum(gewuenscht, room_id)
    gespeichert = ctx.uow.erinnerungen.nach_schluessel(g.schluessel for g in im_raum)
    kommend = [
        g
        for g in im_raum
        if not (g.faellig <= jetzt and g.verpasst())
        and (
            (row := gespeichert.get(g.schluessel)) is None
            or (row.gesendet is None and row.verworfen is None)
        )
    ]
    raum = ctx.uow.raeume.get(room_id)
    titel = "Erinnerungen in diesem Raum"
    if raum is not None and raum.netzwerk is not None:
        titel += f" ({raum.netzwerk.name})"
    msg = Msg(titel)
    versaetze, eigene = _versaetze(einstellung, e)
    if aktiv:
        msg.line(
            "Status: ",
            B("an"),
            f" · vor Terminen: {versaetze} vorher",
            " (für diesen Raum eingestellt)" if eigene else " (Standard)",
        )
    else:
        msg.line(
            "Status: ",
            B("aus"),
            " – Termin-, Pflicht- und Anfrageerinnerungen sind abgeschaltet. Einschalten: ",
            Code(f"{p} erinnerungen an"),
        )
    abo = ctx.uow.erinnerungen.abo(room_id)
    if abo is not None:
        msg.line(
            "Infodienst: abonniert",
            f" ({abo.region.name})" if abo.region is not None else " (alle Regionen)",
        )
    if kommend:
        msg.line(B("Als Nächstes:"))
        for g in kommend[:MAX_LISTE]:
            wann = "jetzt" if g.faellig <= jetzt else zeitpunkt_text(g.faellig, e.tz)
            msg.bullet(f"{wann} – {g.titel}")
        if len(kommend) > MAX_LISTE:
            msg.line(I(f"… und {len(kommend) - MAX_LISTE} weitere."))
    else:
        msg.line(f"In den nächsten {VORSCHAU.days} Tagen ist hier nichts geplant.")
    _hinweis_ohne_netzwerk(ctx, msg)
    msg.line(
        "Einstellen: ",
        Code(f"{p} {_BEISPIEL_VERSATZ}"),
        " · ",
        Code(f"{p} erinnerungen standard"),
        " · ",
        Code(f"{p} erinnerungen {'aus' if aktiv else 'an'}"),
        " · Infodienst: ",
        Code(f"{p} infodienst an"),
    )
    return msg.reply()


@familie.befehl(
    "erinnerungen|erinnerung aus",
    hilfe="Erinnerungen in diesem Raum abschalten: Termine, Jahrespflichten, Anfragen (der "
    "Infodienst bleibt)",
    rolle=Rolle.RAUM,
    beispiele=("erinnerungen aus",),
)
def erinnerungen_aus(ctx: Kontext) -> Reply:
    return _schalten(ctx, aktiv=False)


@familie.befehl(
    "erinnerungen|erinnerung an|ein",
    hilfe="Erinnerungen in diesem Raum wieder einschalten",
    rolle=Rolle.RAUM,
    beispiele=("erinnerungen an",),
)
def erinnerungen_an(ctx: Kontext) -> Reply:
    return _schalten(ctx, aktiv=True)


def _schalten(ctx: Kontext, aktiv: bool) -> Reply:
    _pruefe_recht(ctx, "Erinnerungen dieses Raums einstellen")
    p = ctx.dienste.prefix
    e = planung(ctx).einstellungen
    vorher_row = ctx.uow.erinnerungen.raum(ctx.nachricht.room_id)
    vorher = _zustand(vorher_row)
    if vorher["aktiv"] == aktiv:
        wort = "an" if aktiv else "aus"
        return Msg().line(f"Die Erinnerungen in diesem Raum sind schon {wort}.").reply()
    einstellung = _einstellung(ctx)
    einstellung.aktiv = aktiv
    einstellung.geaendert = ctx.now()
    einstellung.geaendert_von = ctx.nachricht.sender
    _audit(ctx, AuditAktion.ERINNERUNGEN_GEAENDERT, vorher, _zustand(einstellung))
    ctx.uow.commit()
    if not aktiv:
        return (
            Msg()
            .line("🔕 Die Erinnerungen in diesem Raum sind aus (ein Infodienst-Abo bleibt).")
            .line("Wieder einschalten: ", Code(f"{p} erinnerungen an"))
            .reply()
        )
    versaetze, _ = _versaetze(einstellung, e)
    msg = Msg().line(f"🔔 Erinnerungen in diesem Raum sind an: {versaetze} vor jedem Termin.")
    _hinweis_ohne_netzwerk(ctx, msg)
    return msg.reply()


@familie.befehl(
    "erinnerungen|erinnerung standard|zurücksetzen",
    hilfe="Die Zeitpunkte vor Terminen wieder auf die Voreinstellung setzen",
    rolle=Rolle.RAUM,
    beispiele=("erinnerungen standard",),
)
def erinnerungen_standard(ctx: Kontext) -> Reply:
    _pruefe_recht(ctx, "Erinnerungen dieses Raums einstellen")
    e = planung(ctx).einstellungen
    einstellung = ctx.uow.erinnerungen.raum(ctx.nachricht.room_id)
    if einstellung is None or not einstellung.versaetze:
        return (
            Msg()
            .line(f"Dieser Raum nutzt schon die Voreinstellung: {versaetze_text(e.vor_termin)}.")
            .reply()
        )
    vorher = _zustand(einstellung)
    einstellung.versaetze.clear()
    einstellung.geaendert = ctx.now()
    einstellung.geaendert_von = ctx.nachricht.sender
    ctx.uow.flush()
    _audit(ctx, AuditAktion.ERINNERUNGEN_GEAENDERT, vorher, _zustand(einstellung))
    ctx.uow.commit()
    return (
        Msg()
        .line(
            "✅ Erinnerungen vor Terminen wieder wie voreingestellt: "
            f"{versaetze_text(e.vor_termin)} vorher."
        )
        .reply()
    )


@familie.befehl(
    "erinnerungen|erinnerung <zeitpunkte>",
    hilfe="Für diesen Raum festlegen, wie lange vor einem Termin erinnert wird",
    rolle=Rolle.RAUM,
    details=(
        "Bis zu fünf Zeitpunkte, kurz (d = Tage, h = Stunden, m = Minuten, mit Leerzeichen "
        "getrennt) oder ausgeschrieben mit Komma („2 Stunden, 1 Tag“); höchstens 30 Tage "
        "vorher. Ganze Tage zählen im Kalender: „1d“ vor einem Termin um 10 Uhr ist 10 Uhr am "
        "Vortag, auch über die Zeitumstellung."
    ),
    beispiele=(_BEISPIEL_VERSATZ, "erinnerungen 30m", "erinnerungen 2 Stunden, 3 Tage"),
)
def erinnerungen_setzen(ctx: Kontext, zeitpunkte: str) -> Reply:
    p = ctx.dienste.prefix
    try:
        versaetze = lies_versaetze(zeitpunkte)
    except ValueError as fehler:
        raise UsageError(
            str(fehler),
            usage=f"{p} erinnerungen <Zeitpunkte>",
            beispiel=f"{p} {_BEISPIEL_VERSATZ}",
        ) from None
    _pruefe_recht(ctx, "Erinnerungen dieses Raums einstellen")
    einstellung = _einstellung(ctx)
    vorher = _zustand(einstellung)
    einstellung.versaetze.clear()
    # Flush the old rows away first: the new ones may have the same primary keys.
    ctx.uow.flush()
    for versatz in versaetze:
        einstellung.versaetze.append(ErinnerungVersatz(minuten=int(versatz.total_seconds() // 60)))
    einstellung.geaendert = ctx.now()
    einstellung.geaendert_von = ctx.nachricht.sender
    ctx.uow.flush()
    _audit(ctx, AuditAktion.ERINNERUNGEN_GEAENDERT, vorher, _zustand(einstellung))
    ctx.uow.commit()
    msg = Msg().line(
        f"✅ Erinnerungen vor Terminen in diesem Raum: {versaetze_text(versaetze)} vorher."
    )
    if not einstellung.aktiv:
        msg.line(
            "Die Erinnerungen sind in diesem Raum aber aus. Einschalten: ",
            Code(f"{p} erinnerungen an"),
        )
    _hinweis_ohne_netzwerk(ctx, msg)
    msg.line("Zurück zur Voreinstellung: ", Code(f"{p} erinnerungen standard"))
    return msg.reply()


# --- infodienst ------------------------------------------------------------------------------


def _rhythmus(e: Einstellungen) -> str:
    return f"jeden {WOCHENTAG_NAMEN[e.infodienst_wochentag]} um {e.infodienst_uhrzeit:%H:%M} Uhr"


@familie.befehl(
    "infodienst",
    hilfe="Ob dieser Raum den wöchentlichen OM-Infodienst bekommt, und wann die nächste Ausgabe "
    "kommt",
    beispiele=("infodienst",),
)
def infodienst(ctx: Kontext) -> Reply:
    p = ctx.dienste.prefix
    e = planung(ctx).einstellungen
    abo = ctx.uow.erinnerungen.abo(ctx.nachricht.room_id)
    _, naechste = ausgaben(ctx.now(), e)
    if abo is None:
        return (
            Msg("OM-Infodienst")
            .line(
                f"Der „Regelmäßige Infodienst für Partner“ kommt {_rhythmus(e)}: die Termine der "
                f"nächsten {e.infodienst_wochen} Wochen nach Region, neue Netzwerke und "
                "Statusänderungen."
            )
            .line(
                "Dieser Raum hat ihn nicht abonniert. Abonnieren: ",
                Code(f"{p} infodienst an [<Region>]"),
            )
            .reply()
        )
    bereich = abo.region.name if abo.region is not None else "alle Regionen"
    return (
        Msg("OM-Infodienst")
        .line(f"Dieser Raum bekommt den Infodienst ({bereich}) {_rhythmus(e)}.")
        .line(f"Nächste Ausgabe: {zeitpunkt_text(naechste, e.tz)}.")
        .line("Abbestellen: ", Code(f"{p} infodienst aus"))
        .reply()
    )


@familie.befehl(
    "infodienst an|ein|abonnieren [<region>]",
    hilfe="Den wöchentlichen Infodienst in diesem Raum abonnieren, für eine Region oder alle",
    rolle=Rolle.RAUM,
    details=(
        "Seed 004: „Regelmäßiger Infodienst für Partner“. Ohne Region: die Region des "
        "verknüpften Netzwerks, sonst ganz Deutschland. Eine Region umfasst die Regionen darin "
        "und Termine der Regionen, in denen sie liegt (ein bayernweiter Termin steht auch im "
        "Infodienst für München)."
    ),
    beispiele=("infodienst an", "infodienst an Hamburg", "infodienst an Deutschland"),
)
def infodienst_an(ctx: Kontext, region: str | None) -> Reply:
    p = ctx.dienste.prefix
    ort = None
    if region:
        try:
            ort = finde_region(ctx.uow, region)
        except UsageError as fehler:
            raise UsageError(
                fehler.meldung,
                usage=f"{p} infodienst an [<Region>]",
                beispiel=f"{p} infodienst an Hamburg",
            ) from None
    _pruefe_recht(ctx, "den Infodienst für diesen Raum bestellen")
    if ort is None:
        raum = ctx.uow.raeume.get(ctx.nachricht.room_id)
        if raum is not None and raum.netzwerk is not None:
            ort = raum.netzwerk.region
    e = planung(ctx).einstellungen
    room_id = ctx.nachricht.room_id
    ctx.uow.raeume.beigetreten(room_id, ctx.now())
    ctx.uow.flush()
    abo = ctx.uow.erinnerungen.abo(room_id)
    vorher = None if abo is None else {"region": abo.region.name if abo.region else None}
    if abo is None:
        abo = InfodienstAbo(room_id=room_id, seit=ctx.now(), von=ctx.nachricht.sender)
        ctx.uow.erinnerungen.add_abo(abo)
    abo.region_id = ort.id if ort is not None else None
    abo.region = ort
    _audit(
        ctx,
        AuditAktion.INFODIENST_BESTELLT,
        {"abo": vorher},
        {"abo": {"region": ort.name if ort is not None else None}},
    )
    ctx.uow.commit()
    _, naechste = ausgaben(ctx.now(), e)
    bereich = ort.name if ort is not None else "alle Regionen"
    return (
        Msg()
        .line(f"📰 Dieser Raum bekommt jetzt den OM-Infodienst ({bereich}) {_rhythmus(e)}.")
        .line(
            f"Darin: die Termine der nächsten {e.infodienst_wochen} Wochen nach Region, neue "
            "Netzwerke und Statusänderungen."
        )
        .line(f"Nächste Ausgabe: {zeitpunkt_text(naechste, e.tz)}.")
        .line("Abbestellen: ", Code(f"{p} infodienst aus"))
        .reply()
    )


@familie.befehl(
    "infodienst aus|abbestellen",
    hilfe="Den Infodienst in diesem Raum abbestellen",
    rolle=Rolle.RAUM,
    beispiele=("infodienst aus",),
)
def infodienst_aus(ctx: Kontext) -> Reply:
    p = ctx.dienste.prefix
    abo = ctx.uow.erinnerungen.abo(ctx.nachricht.room_id)
    if abo is None:
        raise UsageError(
            "Dieser Raum hat den Infodienst nicht abonniert.",
            usage=f"{p} infodienst an [<Region>]",
            beispiel=f"{p} infodienst an Hamburg",
        )
    _pruefe_recht(ctx, "den Infodienst für diesen Raum abbestellen")
    vorher = {"region": abo.region.name if abo.region is not None else None}
    ctx.uow.erinnerungen.loesche_abo(abo)
    _audit(ctx, AuditAktion.INFODIENST_ABBESTELLT, {"abo": vorher}, {"abo": None})
    ctx.uow.commit()
    return (
        Msg()
        .line("Der Infodienst ist für diesen Raum abbestellt.")
        .line("Wieder bestellen: ", Code(f"{p} infodienst an"))
        .reply()
    )
