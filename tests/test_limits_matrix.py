"""Limits against the real Synapse: a coordinator floods `kontakt`; the bot answers every
message in German, creates at most the configured number of open requests, cuts the flood off,
and the Geschäftsstelle's room gets a bounded number of notices (default limits)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from om_bot.domain.grenzwerte import Grenzwerte
from om_bot.storage.models import Kontakt, Netzwerk
from tests.conftest import ask, room_with_bot

pytestmark = pytest.mark.matrix

PARTNER = ("IHK", "HWK", "BDA", "DGB", "BA", "DGUV", "RKW", "IHK", "HWK", "VDBW", "BDA", "DGB")


async def _beigetreten(client: Any, room: str, user_id: str) -> None:
    for _ in range(300):
        if user_id in await client.joined_members(room):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{user_id} did not join {room}")


async def test_a_kontakt_flood_is_cut_off_and_the_geschaeftsstelle_gets_few_notices(
    make_bot: Any, chat: Any
) -> None:
    gs, koord = await chat("flutgs"), await chat("flutkoord")
    gs_raum = await gs.create_room(name="Geschäftsstelle")
    bot = await make_bot(geschaeftsstelle_users=[gs.user_id], geschaeftsstelle_room=gs_raum)
    await gs.invite(gs_raum, bot.user_id)
    await _beigetreten(gs, gs_raum, bot.user_id)
    raum = await room_with_bot(koord, bot)
    # Coordinator of the OM-Netzwerk Hamburg, its room linked – directly in the register.
    with bot.app.uow() as uow:
        kontakt = uow.session.scalar(select(Kontakt).where(Kontakt.name == "Max Mustermann"))
        assert kontakt is not None
        kontakt.matrix = koord.user_id
        hamburg = uow.session.scalar(select(Netzwerk).where(Netzwerk.name == "OM-Netzwerk Hamburg"))
        assert hamburg is not None
        uow.raeume.beigetreten(raum, bot.app.dienste.now()).netzwerk_id = hamburg.id
        uow.commit()

    standard = Grenzwerte()
    antworten = [
        (await ask(koord, raum, f"!om kontakt {p} – Flut {n}")).body for n, p in enumerate(PARTNER)
    ]
    for n, antwort in enumerate(antworten[: standard.offene_anfragen_je_netzwerk]):
        assert f"Anfrage {n + 1}: regionale Ansprechperson" in antwort
    for n in (5, 6, 9):  # new partners, but the network has as many open requests as it may
        assert "schon 5 offene Kontaktanfragen" in antworten[n]
        assert "Es wurde keine neue angelegt" in antworten[n]
    for n in (7, 8):
        assert "schon eine offene Anfrage" in antworten[n]
    for antwort in antworten[standard.kontakt_je_stunde :]:
        assert antwort.startswith("⏳") and "Kontaktanfragen in kurzer Zeit" in antwort
        assert "Bitte in" in antwort and "Es wurde nichts angelegt" in antwort

    # Everything the flood caused in the Geschäftsstelle's room has arrived once its own
    # command is answered there (one queue per room, in order).
    liste = await ask(gs, gs_raum, "!om anfragen")
    assert "Offene Anfragen (älteste zuerst) (5)" in liste.body
    hinweise = [m for m in await gs.history(gs_raum) if "Neue Kontaktanfrage" in m.body]
    assert len(hinweise) == standard.offene_anfragen_je_netzwerk
    with bot.app.uow() as uow:
        assert len(uow.anfragen.offene_des_netzwerks(hamburg.id)) == 5
