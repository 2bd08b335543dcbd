"""Trust against the real Synapse: who may make a room speak for a network, and where contact
data may appear (docs/rechte.md). Real users, real rooms; Eve is a stranger with rooms of her
own, where she has power level 100."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from om_bot.matrix.chatclient import ChatClient
from tests.conftest import ask, room_with_bot
from tests.test_anfragen_matrix import ERIKA, GEHEIM, _beigetreten, _register, _welt, warte

pytestmark = pytest.mark.matrix


def _sauber(verlauf: list[Any]) -> None:
    for message in verlauf:
        for geheim in GEHEIM:
            assert geheim not in message.body and geheim not in message.formatted_body


async def _mitglied(owner: ChatClient, room: str, gast: ChatClient) -> None:
    await owner.invite(room, gast.user_id)
    await gast.join(room)
    await _beigetreten(owner, room, gast.user_id)


async def test_a_stranger_asks_and_the_coordinator_decides(make_bot, chat) -> None:
    w = await _welt(make_bot, chat, "tra")
    bot, gs, gs_raum = w["bot"], w["gs"], w["gs_raum"]
    koord, ogb, eve = await chat("trakoord"), await chat("traogb"), await chat("traeve")
    _register(
        bot,
        koordination={"Max Mustermann": koord.user_id, "Olaf Mustermann": ogb.user_id},
        ihk="@niemand:om.example",
    )

    # Her direct chat with the bot: refused, nothing requested.
    eve_dm = await room_with_bot(eve, bot, direct=True)
    r = await ask(eve, eve_dm, "raum Hamburg")
    assert r.body.startswith("⛔") and "Direktchat" in r.body
    # Her own room (power level 100): only a request; the room does not speak for Hamburg.
    eve_raum = await room_with_bot(eve, bot)
    r = await ask(eve, eve_raum, "!om raum Hamburg")
    assert "beantragt (Nr. 1)" in r.body and "erst, wenn" in r.body
    r = await ask(eve, eve_raum, "!om kontakt IHK")
    assert "keinem Netzwerk verknüpft" in r.body
    r = await ask(eve, eve_raum, "!om termin Übernahme am 12.03.2030 um 10 Uhr")
    assert "Es wurde nichts gespeichert" in r.body or "nichts geändert" in r.body

    # The coordinator gets a direct message with the command, the Geschäftsstelle a notice.
    dm = await koord.join_invited()
    antrag = await warte(koord, dm, "Verknüpfungsantrag Nr. 1")
    assert "!om raum bestätigen 1" in antrag.body and eve.user_id in antrag.body
    await warte(gs, gs_raum, "Verknüpfungsantrag Nr. 1")

    # Another network's coordinator cannot decide for Hamburg; Eve cannot confirm herself.
    ogb_dm = await room_with_bot(ogb, bot, direct=True)
    r = await ask(ogb, ogb_dm, "raum bestätigen 1")
    assert r.body.startswith("⛔")
    r = await ask(eve, eve_raum, "!om raum bestätigen 1")
    assert r.body.startswith("⛔")
    r = await ask(eve, eve_raum, "!om raum")
    assert "keinem Netzwerk verknüpft" in r.body and "Beantragt (Nr. 1" in r.body

    # The coordinator confirms in the direct chat; Eve's room is told.
    r = await ask(koord, dm, "raum bestätigen 1")
    assert "Antrag 1 bestätigt" in r.body
    await warte(eve, eve_raum, "ist bestätigt")
    r = await ask(koord, dm, "netzwerk Hamburg räume")
    assert eve_raum in r.body and f"beantragt von {eve.user_id}" in r.body
    # Linked now, but moderating the room still does not make her speak for the network.
    r = await ask(eve, eve_raum, "!om kontakt IHK")
    assert r.body.startswith("⛔") and "Koordination des Netzwerks" in r.body
    # The coordinator unlinks it remotely.
    r = await ask(koord, dm, "raum lösen 1")
    assert "aufgehoben" in r.body
    await warte(eve, eve_raum, "aufgehoben")


async def test_relinking_another_networks_room_is_refused(make_bot, chat) -> None:
    w = await _welt(make_bot, chat, "trb")
    bot = w["bot"]
    koord, ogb = await chat("trbkoord"), await chat("trbogb")
    _register(
        bot,
        koordination={"Max Mustermann": koord.user_id, "Olaf Mustermann": ogb.user_id},
        ihk="@niemand:om.example",
    )
    raum = await room_with_bot(koord, bot)
    assert "jetzt mit" in (await ask(koord, raum, "!om raum OM-Netzwerk Hamburg")).body
    await _mitglied(koord, raum, ogb)
    r = await ask(ogb, raum, "!om raum OGB-Netzwerk Hamburg")
    assert r.body.startswith("⛔") and "Recht für OM-Netzwerk Hamburg" in r.body
    r = await ask(ogb, raum, "!om raum")
    assert "OM-Netzwerk Hamburg" in r.body


async def test_contact_data_reaches_only_the_allowed_rooms(make_bot, chat) -> None:
    w = await _welt(make_bot, chat, "trc")
    bot, gs, gs_raum = w["bot"], w["gs"], w["gs_raum"]
    koord, nk, eve = await chat("trckoord"), await chat("trcnk"), await chat("trceve")
    _register(bot, koordination={"Max Mustermann": koord.user_id}, ihk=nk.user_id)
    netz = await room_with_bot(koord, bot)
    assert "jetzt mit" in (await ask(koord, netz, "!om raum OM-Netzwerk Hamburg")).body
    # Eve's room asked to be linked (never confirmed); a lobby where everyone meets.
    eve_raum = await room_with_bot(eve, bot)
    assert "beantragt" in (await ask(eve, eve_raum, "!om raum Hamburg")).body

    await ask(koord, netz, "!om kontakt IHK")
    await ask(gs, gs_raum, "!om anfrage 1 weiterleiten")
    dm = await nk.join_invited()
    lobby = await room_with_bot(eve, bot)
    for gast in (gs, nk, koord):
        await _mitglied(eve, lobby, gast)
    r = await ask(nk, dm, f"anfrage 1 benennen {ERIKA}")
    assert "erika@example.org" in r.body
    # Asked for in the lobby, by the Geschäftsstelle and the national contact: no data there.
    for wer in (gs, nk):
        r = await ask(wer, lobby, "!om anfrage 1")
        assert "Anfrage 1" in r.body and "Raum der Geschäftsstelle" in r.body
    r = await ask(gs, lobby, f"!om anfrage 1 benennen {ERIKA}")
    assert "nicht in diesen Raum" in r.body
    r = await ask(gs, gs_raum, "!om anfrage 1")
    assert "erika@example.org" in r.body
    await ask(nk, dm, "anfrage 1 informiert")
    r = await ask(gs, gs_raum, "!om anfrage 1 freigeben")
    assert "ist freigegeben" in r.body
    await warte(koord, netz, "erika@example.org")
    for wer in (gs, koord):
        r = await ask(wer, lobby, "!om anfrage 1")
        assert "erika" not in r.body.lower()

    # The whole history of the stranger's room and of the lobby: none of it, ever.
    await asyncio.sleep(1)
    _sauber(await eve.history(eve_raum))
    lobby_verlauf = await eve.history(lobby)
    assert sum("Anfrage 1" in m.body for m in lobby_verlauf) >= 4
    _sauber([m for m in lobby_verlauf if m.sender == bot.user_id])
