"""`kalender`, `kalender neu` and their named forms through the router (`tests/abo.py`): who sees
which link where, rotating, bad input, refusals that change nothing and leave an audit line,
and the German answer when ``[http]`` is off or has no public URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from om_bot.domain.audit import AuditAktion
from om_bot.domain.kalender import FeedArt
from om_bot.storage.models import KalenderFeed
from tests.abo import (
    ADMIN,
    DM,
    EVE,
    FREI,
    GS,
    GS_RAUM,
    HH,
    MAX,
    MORITZ,
    MUC,
    PETRA,
    abo_welt,
    abruf,
    token_aus,
)
from tests.chat import Welt


@pytest.fixture
def welt(beispiel_vorlage: Path, tmp_path: Path) -> Welt:
    return abo_welt(beispiel_vorlage, tmp_path / "abo.sqlite3")


def _feeds(welt: Welt) -> list[KalenderFeed]:
    return welt.db(select(KalenderFeed).order_by(KalenderFeed.id))


def _verweigert(welt: Welt) -> int:
    return len(welt.audit(AuditAktion.VERWEIGERT))


def test_im_netzwerkraum_sieht_jeder_dort_denselben_link(welt: Welt) -> None:
    antwort = welt.antwort(MAX, HH, "kalender")
    assert "OM-Termine von OM-Netzwerk Hamburg" in antwort
    assert "Outlook" in antwort and "!om kalender neu" in antwort
    token = token_aus(antwort)
    # Everyone in the network's room: a member without any role, the other coordinator.
    assert token_aus(welt.antwort(EVE, HH, "kalender")) == token
    assert token_aus(welt.antwort(PETRA, HH, "kalender")) == token
    [feed] = _feeds(welt)
    assert feed.art is FeedArt.NETZWERK and feed.netzwerk_id == welt.netzwerk_id(
        "OM-Netzwerk Hamburg"
    )
    assert feed.token == token and feed.erstellt_von == MAX
    # Made once, audited once – without the token.
    [angelegt] = welt.audit(AuditAktion.KALENDER_ANGELEGT)
    assert angelegt.akteur == MAX and token not in str(angelegt.nachher)
    assert abruf(welt, token) is not None


def test_geschaeftsstelle_raum_und_direktchat_zeigen_das_register(welt: Welt) -> None:
    im_raum = welt.antwort(EVE, GS_RAUM, "kalender")
    assert "OM-Termine in allen Regionen" in im_raum
    token = token_aus(im_raum)
    assert token_aus(welt.antwort(GS, DM, "kalender", direkt=True)) == token
    assert token_aus(welt.antwort(ADMIN, "!dm2", "kalender", direkt=True)) == token
    [feed] = _feeds(welt)
    assert feed.art is FeedArt.REGISTER
    # In the Geschäftsstelle's room any network's and region's link may be shown.
    assert "OM-Termine von OM-Netzwerk München" in welt.antwort(
        GS, GS_RAUM, "kalender netzwerk München"
    )
    assert "OM-Termine in Bayern" in welt.antwort(GS, GS_RAUM, "kalender region Bayern")


def test_direktchat_ohne_rolle_fragt_nach_dem_kalender(welt: Welt) -> None:
    antwort = welt.antwort(EVE, DM, "kalender", direkt=True)
    assert "welcher Kalender" in antwort and "kalender netzwerk Hamburg" in antwort
    assert _feeds(welt) == []


def test_koordination_im_direktchat_nur_fuer_das_eigene_netzwerk(welt: Welt) -> None:
    eigenes = welt.antwort(MORITZ, DM, "kalender netzwerk München", direkt=True)
    assert "OM-Termine von OM-Netzwerk München" in eigenes
    vorher = _verweigert(welt)
    fremd = welt.antwort(MORITZ, DM, "kalender netzwerk Hamburg", direkt=True)
    assert fremd.startswith("⛔") and "Es wurde nichts geändert" in fremd
    assert "Koordination von OM-Netzwerk Hamburg" in fremd
    assert _verweigert(welt) == vorher + 1
    assert [f.netzwerk_id for f in _feeds(welt)] == [welt.netzwerk_id("OM-Netzwerk München")]
    # Nobody else in a direct chat (everyone moderates their own).
    assert welt.antwort(EVE, DM, "kalender netzwerk Hamburg", 100, direkt=True).startswith("⛔")


def test_fremder_raum_und_fremdes_netzwerk_werden_abgelehnt(welt: Welt) -> None:
    vorher = _verweigert(welt)
    # A room linked to no network: not even the Geschäftsstelle or an admin shows links there.
    for wer in (EVE, MAX, GS, ADMIN):
        antwort = welt.antwort(wer, FREI, "kalender", 100)
        assert antwort.startswith("⛔") and "mit keinem Netzwerk verknüpft" in antwort
    assert welt.antwort(GS, FREI, "kalender netzwerk Hamburg").startswith("⛔")
    # München's coordinator in Hamburg's room asking for München's link, and the other way.
    fremd = welt.antwort(MORITZ, HH, "kalender netzwerk München")
    assert fremd.startswith("⛔") and "Raum von OM-Netzwerk Hamburg" in fremd
    assert welt.antwort(MAX, MUC, "kalender netzwerk Hamburg").startswith("⛔")
    # The register's link only in the Geschäftsstelle's room.
    assert _feeds(welt) == []
    assert _verweigert(welt) == vorher + 7
    zeile = welt.audit(AuditAktion.VERWEIGERT)[-1]
    assert zeile.erlaubt is False and zeile.objekt == "kalender netzwerk <netzwerk>"


def test_region_im_raum_eines_netzwerks_dort(welt: Welt) -> None:
    bayern = welt.antwort(EVE, MUC, "kalender region Bayern")
    assert "OM-Termine in Bayern" in bayern
    token_aus(bayern)
    # Hamburg does not lie in Bayern; Deutschland contains both.
    nein = welt.antwort(MAX, HH, "kalender region Bayern")
    assert nein.startswith("⛔") and "OM-Netzwerk Hamburg liegt nicht in Bayern" in nein
    assert "OM-Termine in Deutschland" in welt.antwort(MAX, HH, "kalender region Deutschland")
    assert [f.art for f in _feeds(welt)] == [FeedArt.REGION, FeedArt.REGION]
    # In a direct chat only the Geschäftsstelle and admins.
    assert welt.antwort(MAX, DM, "kalender region Hamburg", direkt=True).startswith("⛔")
    assert "OM-Termine in Hamburg" in welt.antwort(GS, DM, "kalender region Hamburg", direkt=True)


def test_neu_ersetzt_den_link_und_der_alte_ist_weg(welt: Welt) -> None:
    alt = token_aus(welt.antwort(MAX, HH, "kalender"))
    antwort = welt.antwort(PETRA, HH, "kalender neu")
    assert antwort.startswith("🔄") and "alte Link funktioniert nicht mehr" in antwort
    neu = token_aus(antwort)
    assert neu != alt
    assert abruf(welt, alt) is None and abruf(welt, neu) is not None
    assert token_aus(welt.antwort(EVE, HH, "kalender")) == neu
    [erneuert] = welt.audit(AuditAktion.KALENDER_ERNEUERT)
    assert erneuert.akteur == PETRA and erneuert.netzwerk_id == welt.netzwerk_id(
        "OM-Netzwerk Hamburg"
    )
    [feed] = _feeds(welt)
    assert feed.erneuert_von == PETRA and feed.erneuert is not None
    # From a direct chat by its coordination, and in the Geschäftsstelle's room.
    dritte = token_aus(welt.antwort(MAX, DM, "kalender netzwerk Hamburg neu", direkt=True))
    assert dritte != neu and abruf(welt, neu) is None
    assert token_aus(welt.antwort(GS, GS_RAUM, "kalender netzwerk Hamburg neu")) != dritte


def test_neu_ohne_bestehenden_link_legt_einen_an(welt: Welt) -> None:
    antwort = welt.antwort(MAX, HH, "kalender neu")
    assert antwort.startswith("📅")
    token = token_aus(antwort)
    assert len(welt.audit(AuditAktion.KALENDER_ANGELEGT)) == 1
    assert welt.audit(AuditAktion.KALENDER_ERNEUERT) == []
    assert abruf(welt, token) is not None


def test_neu_nur_fuer_die_die_fuer_das_netzwerk_sprechen(welt: Welt) -> None:
    token = token_aus(welt.antwort(MAX, HH, "kalender"))
    vorher = _verweigert(welt)
    # The room's moderator does not speak for the network; another network's coordinator
    # neither, even in its room; region and register only the Geschäftsstelle.
    abgelehnt = [
        welt.antwort(EVE, HH, "kalender neu", 100),
        welt.antwort(MORITZ, HH, "kalender neu"),
        welt.antwort(MORITZ, HH, "kalender netzwerk Hamburg neu"),
        welt.antwort(MAX, HH, "kalender region Hamburg neu"),
        welt.antwort(EVE, GS_RAUM, "kalender neu"),
        # The right person in the wrong place: the new link would show in a strange room.
        welt.antwort(MAX, FREI, "kalender netzwerk Hamburg neu"),
        welt.antwort(MAX, MUC, "kalender netzwerk Hamburg neu"),
    ]
    for antwort in abgelehnt:
        assert antwort.startswith("⛔") and "Es wurde nichts geändert" in antwort, antwort
    assert "Koordination von OM-Netzwerk Hamburg" in abgelehnt[0]
    assert _verweigert(welt) == vorher + len(abgelehnt)
    [feed] = _feeds(welt)
    assert feed.token == token and feed.erneuert is None
    assert abruf(welt, token) is not None
    assert welt.audit(AuditAktion.KALENDER_ERNEUERT) == []


def test_falsche_eingaben(welt: Welt) -> None:
    netz = welt.antwort(GS, GS_RAUM, "kalender netzwerk Atlantis")
    assert netz.startswith("⚠") and "Atlantis" in netz
    assert "!om kalender netzwerk <Netzwerk>" in netz and "!om kalender netzwerk Hamburg" in netz
    region = welt.antwort(GS, GS_RAUM, "kalender region Atlantis")
    assert region.startswith("⚠") and "!om kalender region <Region>" in region
    quatsch = welt.antwort(GS, GS_RAUM, "kalender abonnieren bitte")
    assert quatsch.startswith("⚠") and "!om kalender neu" in quatsch
    lang = welt.antwort(GS, GS_RAUM, "kalender netzwerk " + "x" * 1500)
    assert lang.startswith("⚠")
    assert _feeds(welt) == []


@pytest.mark.parametrize(
    ("http", "grund"),
    [
        ({"enabled": False, "public_url": "https://bot.example.org"}, "HTTP-Server ist aus"),
        ({"enabled": True, "port": 0}, "öffentliche Adresse"),
    ],
)
def test_ohne_http_server_oder_adresse_kein_toter_link(
    beispiel_vorlage: Path, tmp_path: Path, http: dict[str, object], grund: str
) -> None:
    welt = abo_welt(beispiel_vorlage, tmp_path / "aus.sqlite3", http=http)
    for wer, raum, text in (
        (MAX, HH, "kalender"),
        (MAX, HH, "kalender neu"),
        (GS, GS_RAUM, "kalender region Bayern"),
    ):
        antwort = welt.antwort(wer, raum, text)
        assert "noch nicht eingerichtet" in antwort and grund in antwort
        assert "Es wurde nichts geändert" in antwort and "kalender/" not in antwort
        assert "!om termine export" in antwort
    assert _feeds(welt) == []
    assert welt.audit(AuditAktion.KALENDER_ANGELEGT) == []
    # The place rule holds all the same.
    assert welt.antwort(EVE, FREI, "kalender").startswith("⛔")


def test_hilfe_nennt_den_kalender(welt: Welt) -> None:
    hilfe = welt.antwort(EVE, FREI, "hilfe kalender")
    assert "!om kalender neu" in hilfe and "!om kalender region <region>" in hilfe
