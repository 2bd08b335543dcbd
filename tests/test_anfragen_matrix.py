"""The contact procedure against the real Synapse: separate users for the coordinator, the
Geschäftsstelle (two members, for the concurrent release) and the IHK's national contact."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import select

from om_bot.matrix.chatclient import ChatClient, ReceivedMessage
from om_bot.storage.models import Kontakt, Partner
from tests.conftest import ask, room_with_bot

pytestmark = pytest.mark.matrix

ERIKA = "Erika Musterfrau, erika@example.org, 0421 123456"
GEHEIM = ("Musterfrau", "erika@example.org", "0421 123456")


async def warte(client: ChatClient, room: str, enthaelt: str, timeout: float = 15) -> Any:
    """The next message in `room` that contains `enthaelt` (others in the room are skipped)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        message = await client.next_message(max(remaining, 0.01), room)
        if enthaelt in message.body:
            return message


async def antwort_auf(client: ChatClient, room: str, event_id: str) -> ReceivedMessage:
    deadline = asyncio.get_running_loop().time() + 15
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        message = await client.next_message(max(remaining, 0.01), room)
        if message.in_reply_to == event_id:
            return message


async def _beigetreten(client: ChatClient, room: str, user_id: str) -> None:
    for _ in range(300):
        if user_id in await client.joined_members(room):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{user_id} did not join {room}")


def _register(bot: Any, *, koordination: dict[str, str], ihk: str) -> None:
    """Make test users the coordinators and the IHK's national contact (the sample data's
    Matrix ids live on om.example, which does not exist here)."""
    with bot.app.uow() as uow:
        for name, user_id in koordination.items():
            kontakt = uow.session.scalar(select(Kontakt).where(Kontakt.name == name))
            assert kontakt is not None
            kontakt.matrix = user_id
        partner = uow.session.scalar(select(Partner).where(Partner.kurz == "IHK"))
        assert partner is not None
        partner.nationaler_kontakt = ihk
        uow.commit()


async def _welt(make_bot: Any, chat: Any, prefix: str) -> dict[str, Any]:
    gs, gs2 = await chat(f"{prefix}gs"), await chat(f"{prefix}gs2")
    gs_raum = await gs.create_room(invite=[gs2.user_id], name="Geschäftsstelle")
    await gs2.join(gs_raum)
    bot = await make_bot(
        geschaeftsstelle_users=[gs.user_id, gs2.user_id], geschaeftsstelle_room=gs_raum
    )
    await gs.invite(gs_raum, bot.user_id)
    await _beigetreten(gs, gs_raum, bot.user_id)
    return {"bot": bot, "gs": gs, "gs2": gs2, "gs_raum": gs_raum}


async def test_the_whole_procedure_through_the_homeserver(make_bot, chat, caplog) -> None:
    caplog.set_level(logging.INFO)
    w = await _welt(make_bot, chat, "kva")
    bot, gs, gs2, gs_raum = w["bot"], w["gs"], w["gs2"], w["gs_raum"]
    koord, nk, eve = await chat("kvakoord"), await chat("kvank"), await chat("kvaeve")
    _register(bot, koordination={"Max Mustermann": koord.user_id}, ihk=nk.user_id)

    # Refused before anything exists: no linked room, then someone who is not a coordinator.
    raum = await room_with_bot(koord, bot)
    r = await ask(koord, raum, "!om kontakt IHK")
    assert "keinem Netzwerk verknüpft" in r.body and "!om raum Hamburg" in r.body
    r = await ask(koord, raum, "!om raum OM-Netzwerk Hamburg")
    assert "verknüpft" in r.body
    await koord.invite(raum, eve.user_id)
    await eve.join(raum)
    await _beigetreten(koord, raum, eve.user_id)
    r = await ask(eve, raum, "!om kontakt IHK")
    assert "⛔" in r.body
    r = await ask(koord, raum, "!om kontakt IKH")
    assert "kenne ich nicht" in r.body and "„IHK“" in r.body

    # 1. eingegangen
    r = await ask(koord, raum, "!om kontakt IHK – Thema Fachkräftesicherung")
    assert "Anfrage 1" in r.body and "Kontaktdaten hier in den Raum" in r.body
    notiz = await warte(gs, gs_raum, "Neue Kontaktanfrage 1")
    assert "OM-Netzwerk Hamburg" in notiz.body and "!om anfrage 1 weiterleiten" in notiz.body
    r = await ask(koord, raum, "!om kontakt IHK")
    assert "schon eine offene Anfrage" in r.body and "Nr. 1" in r.body

    # Out of order, wrong person: refused with state and next step.
    r = await ask(gs, gs_raum, "!om anfrage 1 freigeben")
    assert "erst „eingegangen“" in r.body and "!om anfrage 1 weiterleiten" in r.body
    r = await ask(koord, raum, "!om anfrage 1 weiterleiten")
    assert "⛔" in r.body and "eingegangen" in r.body and "nichts geändert" in r.body
    eves_raum = await room_with_bot(eve, bot)
    r = await ask(eve, eves_raum, "!om anfrage 1")
    assert "⛔" in r.body

    # 2. angefragt: the national contact gets a direct message and accepts the invitation.
    r = await ask(gs, gs_raum, "!om anfrage 1 weiterleiten")
    assert "weitergeleitet" in r.body and "Direktnachricht" in r.body
    dm = await nk.join_invited()
    anleitung = await warte(nk, dm, "Anfrage 1 der OM-Geschäftsstelle")
    assert "OM-Netzwerk Hamburg" in anleitung.body and "anfrage 1 benennen" in anleitung.body
    await warte(koord, raum, "weitergeleitet")

    # 3. benannt – in the direct chat, without prefix; a bad address first.
    r = await ask(nk, dm, "anfrage 1 freigeben")
    assert "⛔" in r.body and "angefragt" in r.body
    r = await ask(nk, dm, "anfrage 1 benennen Erika Musterfrau, erika@example")
    assert "keine gültige E-Mail-Adresse" in r.body
    r = await ask(nk, dm, f"anfrage 1 benennen {ERIKA}")
    assert "erika@example.org" in r.body and "anfrage 1 informiert" in r.body
    await warte(gs, gs_raum, "Regionale Ansprechperson benannt")
    await warte(koord, raum, "hat eine regionale Ansprechperson benannt")
    r = await ask(koord, raum, "!om anfrage 1")
    assert "erst nach der Freigabe" in r.body
    r = await ask(gs, gs_raum, "!om anfrage 1")
    assert "erika@example.org" in r.body

    # 4. informiert
    r = await ask(nk, dm, "anfrage 1 informiert")
    assert "bestätigt" in r.body
    await warte(gs, gs_raum, "!om anfrage 1 freigeben")

    # 5. Both members of the Geschäftsstelle press "freigeben" at once: one release.
    e1, e2 = await asyncio.gather(
        gs.send(gs_raum, "!om anfrage 1 freigeben"), gs2.send(gs_raum, "!om anfrage 1 freigeben")
    )
    a1, a2 = await asyncio.gather(antwort_auf(gs, gs_raum, e1), antwort_auf(gs2, gs_raum, e2))
    bodies = sorted([a1.body, a2.body], key=lambda b: "ist freigegeben" not in b)
    assert "ist freigegeben" in bodies[0] and "im Register" in bodies[0]
    assert "freigegeben" in bodies[1] and "nichts geändert" in bodies[1]
    daten = await warte(koord, raum, "erika@example.org")
    for geheim in GEHEIM:
        assert geheim in daten.body

    # Every message the requesting room ever received: nothing before the release leaked,
    # and the release was posted exactly once.
    await asyncio.sleep(2)
    verlauf = await koord.history(raum)
    freigaben = [i for i, m in enumerate(verlauf) if "erika@example.org" in m.body]
    assert len(freigaben) == 1, [m.body[:60] for m in verlauf]
    assert verlauf[freigaben[0]].event_id == daten.event_id
    vorher = verlauf[: freigaben[0]]
    assert len(vorher) >= 10
    for message in vorher:
        for geheim in GEHEIM:
            assert geheim not in message.body and geheim not in message.formatted_body

    r = await ask(koord, raum, "!om anfrage 1")
    assert "erika@example.org" in r.body and "informiert → freigegeben" in r.body
    # The bot's log at INFO never carried the contact data (the bot runs in this process).
    assert "refused" in caplog.text  # the log was captured
    for geheim in GEHEIM:
        assert geheim not in caplog.text


async def test_parallelansprache_and_ablehnen_through_the_homeserver(make_bot, chat) -> None:
    w = await _welt(make_bot, chat, "kvb")
    bot, gs, gs_raum = w["bot"], w["gs"], w["gs_raum"]
    om, ogb = await chat("kvbom"), await chat("kvbogb")
    _register(
        bot,
        koordination={"Max Mustermann": om.user_id, "Olaf Mustermann": ogb.user_id},
        ihk="@niemand:om.example",
    )
    om_raum, ogb_raum = await room_with_bot(om, bot), await room_with_bot(ogb, bot)
    assert "verknüpft" in (await ask(om, om_raum, "!om raum OM-Netzwerk Hamburg")).body
    assert "verknüpft" in (await ask(ogb, ogb_raum, "!om raum OGB-Netzwerk Hamburg")).body

    r = await ask(om, om_raum, "!om kontakt IHK")
    assert "Parallelansprache" not in r.body
    r = await ask(ogb, ogb_raum, "!om kontakt IHK")
    assert "⚠ Parallelansprache" in r.body and "OM-Netzwerk Hamburg" in r.body
    hinweis = await warte(om, om_raum, "Parallelansprache")
    assert "OGB-Netzwerk Hamburg" in hinweis.body
    assert "Parallelansprache" in (await warte(gs, gs_raum, "Neue Kontaktanfrage 2")).body

    r = await ask(gs, gs_raum, "!om anfrage 2 ablehnen Bitte mit dem OM-Netzwerk abstimmen.")
    assert "abgelehnt" in r.body
    abgelehnt = await warte(ogb, ogb_raum, "abgelehnt")
    assert "Bitte mit dem OM-Netzwerk abstimmen." in abgelehnt.body
    r = await ask(gs, gs_raum, "!om anfrage 2 löschen")
    assert "personenbezogene Daten gelöscht" in r.body
    r = await ask(gs, gs_raum, "!om anfragen")
    assert "Nr. 1" in r.body and "Nr. 2" not in r.body
