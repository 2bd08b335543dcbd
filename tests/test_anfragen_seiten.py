"""`anfragen [alle] [seite N]` with hundreds of requests: fixed pages, the way to the next one,
and every reply far below Matrix's event size limit – also with the longest names the
register allows, made of characters that are large in JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from om_bot.chat.seiten import BUDGET, EREIGNIS_GRENZE, SEITENGROESSE, Seite, groesse, kuerzen
from om_bot.domain.grenzwerte import Grenzwerte
from om_bot.domain.kontaktverfahren import Zustand
from om_bot.domain.netzwerk import Art, Dach, Status
from om_bot.storage.models import Anfrage, Netzwerk, Partner, Raum
from om_bot.storage.uow import UnitOfWork
from om_bot.text.messages import Reply
from tests.welt_grenzen import GS, GS_RAUM, HH, MARTINA, MAX, T0, Welt, netzwerk_id, welt

# 200 characters, the column's maximum: markup to escape, and emoji (12 bytes each in JSON).
LANG = "🦄<&>" * 50
EMOJI = "🦄" * 200
LANG_RAUM = "!lang"


def _utf8(reply: Reply) -> int:
    """The content as canonical JSON (UTF-8) counts it, the way the homeserver measures."""
    content = {"body": reply.text, "formatted_body": reply.html}
    return len(json.dumps(content, ensure_ascii=False).encode())


def _viele(uow: Callable[[], UnitOfWork], n: int) -> None:
    """`n` requests: a third closed, spread over the Hamburg networks and a long-named one."""
    with uow() as u:
        hamburg = u.netzwerke.get(netzwerk_id(u, "OM-Netzwerk Hamburg"))
        assert hamburg is not None
        lang = Netzwerk(
            name=EMOJI,
            schluessel="lang",
            region_id=hamburg.region_id,
            dach=Dach.OM,
            art=Art.REGIONAL,
            status=Status.ANERKANNT,
        )
        u.netzwerke.add(lang)
        partner = Partner(kurz="🦄" * 40, name=LANG, nationaler_kontakt=MARTINA)
        u.partner.add(partner)
        u.flush()
        u.session.add(Raum(room_id=LANG_RAUM, beigetreten=T0, netzwerk_id=lang.id))
        netzwerke = [netzwerk_id(u, "OM-Netzwerk Hamburg"), lang.id]
        partner_ids = list(u.session.scalars(select(Partner.id)))
        for i in range(n):
            zeit = T0 - timedelta(days=n - i)
            u.anfragen.add(
                Anfrage(
                    netzwerk_id=netzwerke[i % 2],
                    partner_id=partner_ids[i % len(partner_ids)],
                    region_id=hamburg.region_id,
                    status=Zustand.ABGELEHNT if i % 3 == 0 else Zustand.EINGEGANGEN,
                    version=1,
                    erstellt=zeit,
                    geaendert=zeit,
                    angefragt_von=MAX,
                    notiz="",
                )
            )
        u.commit()


@pytest.fixture
def viele(neue_welt: Callable[..., Welt]) -> Welt:
    w = welt(neue_welt, Grenzwerte.keine())
    _viele(w.uow, 450)
    return w


def _passt(reply: Reply) -> None:
    assert groesse(reply) <= BUDGET
    assert _utf8(reply) < EREIGNIS_GRENZE // 2


def test_all_requests_in_pages_with_the_next_one_named(viele: Welt) -> None:
    [r] = viele.sag(GS, GS_RAUM, "anfragen alle")
    assert r.text.startswith("Alle Anfragen (neueste zuerst) (450)")
    assert r.text.count("• Nr.") == SEITENGROESSE
    assert "Seite 1 von 23 – weiter: `!om anfragen alle seite 2`" in r.text
    assert "Nr. 450 ·" in r.text  # the newest first
    _passt(r)
    gesehen: set[str] = set()
    for nummer in range(1, 24):
        [r] = viele.sag(GS, GS_RAUM, f"anfragen alle seite {nummer}")
        _passt(r)
        zeilen = [z for z in r.text.splitlines() if z.startswith("• Nr.")]
        assert len(zeilen) == (10 if nummer == 23 else 20)
        gesehen |= {z.split(" ·")[0] for z in zeilen}
    assert len(gesehen) == 450
    assert "Seite 23 von 23" in r.text and "– weiter:" not in r.text


def test_open_requests_oldest_first_in_pages(viele: Welt) -> None:
    [r] = viele.sag(GS, GS_RAUM, "anfragen")
    assert r.text.startswith("Offene Anfragen (älteste zuerst) (300)")
    assert "Seite 1 von 15 – weiter: `!om anfragen seite 2`" in r.text
    assert "• Nr. 2 ·" in r.text.splitlines()[1]  # 1 is closed; 2 is the oldest open one
    assert "abgelehnt" not in r.text
    _passt(r)
    [r] = viele.sag(GS, GS_RAUM, "Anfragen Seite 15")
    assert "Seite 15 von 15" in r.text and "– weiter:" not in r.text


def test_long_names_are_cut_and_the_page_still_fits(viele: Welt) -> None:
    [r] = viele.sag(GS, LANG_RAUM, "anfragen")
    assert r.text.startswith("Anfragen von " + kuerzen(EMOJI, 60))
    assert "Seite 1 von 12 – weiter: `!om anfragen seite 2`" in r.text
    # Names of emoji only are too large for 60 characters each: the shorter cut was taken.
    assert f" · {kuerzen(EMOJI, 20)} · " in r.text
    _passt(r)
    # The same network's requests are also on the Geschäftsstelle's pages (mixed names).
    for nummer in (1, 2, 23):
        _passt(viele.sag(GS, GS_RAUM, f"anfragen alle seite {nummer}")[0])


def test_participants_see_their_requests_in_pages(viele: Welt) -> None:
    [r] = viele.sag(MAX, "!irgendwo", "anfragen")
    assert r.text.startswith("Ihre Anfragen (225)")
    assert "Seite 1 von 12" in r.text
    _passt(r)
    # The national contact of the long-named partner: only its open requests, plus the IHK's.
    [r] = viele.sag(MARTINA, "!dm-martina", "anfragen", direkt=True)
    assert r.text.startswith("Ihre Anfragen (")
    _passt(r)
    [r] = viele.sag(MAX, HH, "anfragen seite 12")
    assert "Seite 12 von 12" in r.text


@pytest.mark.parametrize(
    ("befehl", "text"),
    [
        ("anfragen seite 16", "Seite 16 gibt es nicht, es gibt 15 Seiten."),
        ("anfragen alle seite 0", "Seiten zählen ab 1."),
        ("anfragen seite zwei", "So verstehe ich"),
    ],
)
def test_bad_page_numbers(viele: Welt, befehl: str, text: str) -> None:
    [r] = viele.sag(GS, GS_RAUM, befehl)
    assert r.text.startswith("⚠") and text in r.text
    assert "!om anfragen" in r.text


def test_a_short_list_has_no_pages(neue_welt: Callable[..., Welt]) -> None:
    w = welt(neue_welt)
    [r] = w.sag(GS, GS_RAUM, "anfragen")
    assert r.text == "Offene Anfragen (älteste zuerst): keine."
    w.sag(MAX, HH, "kontakt IHK")
    [r] = w.sag(GS, GS_RAUM, "anfragen")
    assert "Seite" not in r.text and "Nr. 1 · IHK · OM-Netzwerk Hamburg" in r.text
    [r] = w.sag(GS, GS_RAUM, "anfragen seite 2")
    assert "gibt es nicht, es gibt nur 1 Seite" in r.text
    [r] = w.sag("@eve:test", "!x", "anfragen")
    assert "Für Sie gibt es hier keine Anfragen" in r.text


def test_page_arithmetic() -> None:
    assert Seite(1, 0).anzahl == 1
    assert Seite(1, 20).anzahl == 1 and Seite(1, 21).anzahl == 2
    assert Seite(3, 450).ab == 40 and not Seite(24, 450).gibt_es
    assert kuerzen("Hamburg", 10) == "Hamburg" and kuerzen("Hamburg", 4) == "Ham…"
