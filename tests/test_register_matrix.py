"""Register, recognition workflow, criteria and stages against the real Synapse."""

from __future__ import annotations

import pytest

from tests.conftest import ask, room_with_bot

pytestmark = pytest.mark.matrix


async def test_register_workflow_through_the_homeserver(make_bot, chat, users) -> None:
    gs = users.get("geschaeftsstelle")
    bot = await make_bot(geschaeftsstelle_users=[gs.user_id])
    client = await chat("geschaeftsstelle")
    room = await room_with_bot(client, bot)

    angelegt = await ask(client, room, "/om netzwerk anlegen Netzwerk Lüneburg in Lüneburg")
    assert angelegt.sender == bot.user_id
    assert angelegt.msgtype == "m.notice"
    assert "✅ Angelegt: Netzwerk Lüneburg" in angelegt.body
    assert "<b>Netzwerk Lüneburg</b>" in angelegt.formatted_body

    status = await ask(client, room, "/om netzwerk Hannover status leitungskreis")
    assert "OM-Netzwerk Hannover: beantragt → leitungskreis" in status.body
    assert gs.user_id in status.body

    verlauf = await ask(client, room, "!om verlauf Hannover")
    assert "Status: beantragt → leitungskreis" in verlauf.body
    assert gs.user_id in verlauf.body

    pruefung = await ask(client, room, "/om prüfen Hamburg")
    assert "Prüfung: OM-Netzwerk Hamburg" in pruefung.body
    assert "✅ Mindestens drei intermediäre Organisationen" in pruefung.body
    assert "❔ Tagt mindestens zweimal im Jahr" in pruefung.body
    assert "Umsetzungsstadium" in pruefung.body
    assert "<li>" in pruefung.formatted_body

    selbst = await ask(client, room, "/om kriterien selbsterklärung")
    assert "Die Selbsterklärung gilt für zwei Jahre." in selbst.body
    treffen = await ask(client, room, "!om kriterien treffen")
    assert "tagt mindestens zweimal im Jahr." in treffen.body

    stadien = await ask(client, room, "/om stadien")
    assert "Stadium 1 (" in stadien.body and "Stadium 4 (" in stadien.body
    assert "OM-Netzwerk Bremen" in stadien.body
    assert "Netzwerk Lüneburg (beantragt)" in stadien.body


async def test_bad_input_is_answered_with_help(make_bot, chat, users) -> None:
    gs = users.get("geschaeftsstelle")
    bot = await make_bot(geschaeftsstelle_users=[gs.user_id])
    client = await chat("geschaeftsstelle")
    room = await room_with_bot(client, bot)

    unbekannt = await ask(client, room, "!om prüfen Hamberg")
    assert "kenne ich nicht" in unbekannt.body
    assert "Meinten Sie „Hamburg“" in unbekannt.body

    verboten = await ask(client, room, "!om netzwerk Hannover status anerkannt")
    assert "steht auf „beantragt“" in verboten.body
    assert "Erlaubt ist: „leitungskreis“" in verboten.body
    assert "!om netzwerk OM-Netzwerk Hannover status leitungskreis" in verboten.body

    doppelt = await ask(client, room, "!om netzwerk anlegen Zweites Netz in Hamburg")
    assert "„OM-Netzwerk Hamburg“" in doppelt.body

    status = await ask(client, room, "!om netzwerk Hannover status")
    assert "Status: beantragt" in status.body


async def test_admin_commands_need_the_geschaeftsstelle(make_bot, chat, users) -> None:
    gs = users.get("geschaeftsstelle")
    bot = await make_bot(geschaeftsstelle_users=[gs.user_id])
    alice = await chat("alice")
    room = await room_with_bot(alice, bot)

    refused = await ask(alice, room, "!om netzwerk Hannover status leitungskreis")
    assert "⛔" in refused.body
    assert "Geschäftsstelle" in refused.body
    also = await ask(alice, room, "!om netzwerk anlegen Netzwerk Lüneburg in Lüneburg")
    assert "⛔" in also.body

    status = await ask(alice, room, "!om netzwerk Hannover status")
    assert "Status: beantragt" in status.body
    keins = await ask(alice, room, "!om netzwerk Lüneburg")
    assert "kenne ich nicht" in keins.body

    assert bot.app is not None
    with bot.app.uow() as uow:
        verweigert = [a for a in uow.audit.alle() if not a.erlaubt]
        assert [(a.akteur, a.aktion) for a in verweigert] == [
            (alice.user_id, "verweigert"),
            (alice.user_id, "verweigert"),
        ]
        assert all(a.erlaubt is False for a in verweigert)
        assert not [a for a in uow.audit.alle() if a.aktion == "status_geaendert"]
