"""The content of the bot's messages (`om_bot.matrix.inhalte`, `adapter.notice_content`):
answers vs. messages that notify, mentions and pills, @room only with the power for it,
replies as the current spec (v1.13+) has them, and HTML that every client renders (no tables).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import nio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from om_bot.domain.erinnerungen import Abo, infodienst_inhalt
from om_bot.matrix.adapter import MAX_NAMENSVERGLEICH, notice_content
from om_bot.matrix.inhalte import inhalt, permalink, textregeln_moeglich
from om_bot.text.format import B, Code, I, Msg
from om_bot.text.messages import Erwaehnung, Reply
from tests.chat import Welt
from tests.test_erinnerungen import NEUIGKEITEN, TERMINE, E

BOT = "@bot:test"
MAX = Erwaehnung("@max.mustermann:om.example", "Max Mustermann")
PETRA = Erwaehnung("@petra.beispiel:om.example", "Petra Beispiel")
# What Element X renders of the formatted body (org.matrix.custom.html) – no tables.
TAGS = {"p", "b", "i", "code", "ul", "li", "br", "a"}


def _reply(**felder: object) -> Reply:
    msg = Msg("⏰ Erinnerung: Treffen").line("Morgen ", B("14:00"))
    reply = msg.reply("!hh")
    return Reply(reply.text, reply.html, reply.room_id, **felder)  # type: ignore[arg-type]


def _raum(level: int, *, noetig: int | None = None) -> nio.MatrixRoom:
    room = nio.MatrixRoom("!hh:test", BOT)
    room.power_levels.users[BOT] = level
    if noetig is not None:
        room.power_levels.defaults.notifications["room"] = noetig
    return room


# --- answers and replies -----------------------------------------------------------------------


def test_an_answer_is_a_notice_that_mentions_nobody() -> None:
    content = inhalt(_reply(), None)
    assert content["msgtype"] == "m.notice"
    assert content["m.mentions"] == {}
    assert content["body"] == "⏰ Erinnerung: Treffen\nMorgen 14:00"
    assert "m.relates_to" not in content


def test_a_reply_carries_the_relation_only_as_the_spec_has_it_since_v1_13() -> None:
    """Reply fallbacks are gone from the spec (v1.13): no quoted body ("> <@user> …"), no
    <mx-reply> block; the relation is m.relates_to.m.in_reply_to and nothing else."""
    for reply in (_reply(), _reply(benachrichtigen=True, erwaehnt=(MAX,))):
        content = inhalt(reply, "$befehl")
        assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$befehl"}}
        assert not content["body"].startswith(">")
        assert "> <" not in content["body"]
        assert "mx-reply" not in content["formatted_body"]
        assert "In reply to" not in content["formatted_body"]
    # An answer does not mention the command's sender either (the spec's SHOULD for replies
    # would only add a ping that m.notice never rings anyway).
    assert inhalt(_reply(), "$befehl")["m.mentions"] == {}


def test_an_answer_carries_m_mentions_only_where_a_legacy_rule_could_match() -> None:
    """Without m.mentions Synapse applies the legacy rules (names and "@room" in the body) –
    for someone who let bot messages notify; with it, it validates a JSON schema per event."""
    reply = _reply()  # "⏰ Erinnerung: Treffen\nMorgen 14:00"
    assert "m.mentions" not in inhalt(reply, "$befehl", namen=["Petra Beispiel", "petra"])
    # A member's display name or localpart in the text, in any case: sent, empty.
    assert inhalt(reply, None, namen=["Petra", "TREFFEN"])["m.mentions"] == {}
    # Members not known: sent.
    assert inhalt(reply, None)["m.mentions"] == {}
    raumruf = Reply("Termin „@Room-Party“ eingetragen", "Termin „@Room-Party“ eingetragen")
    assert inhalt(raumruf, None, namen=[])["m.mentions"] == {}
    # A message meant to reach people always has it (its mentions, or none on purpose).
    assert inhalt(_reply(benachrichtigen=True), None, namen=[])["m.mentions"] == {}


def test_the_adapter_compares_the_other_members_names() -> None:
    room = _raum(0)
    room.add_member(BOT, "Treffen", None)  # the bot's own name does not count
    room.add_member("@petra.beispiel:om.example", "Petra Beispiel", None)
    assert "m.mentions" not in notice_content(_reply(), "$befehl", room)
    room.add_member("@morgen:om.example", None, None)  # its localpart is in the text
    assert notice_content(_reply(), "$befehl", room)["m.mentions"] == {}
    # Unknown room, or too many members to compare on every answer: sent.
    assert notice_content(_reply(), None, None)["m.mentions"] == {}
    gross = _raum(0)
    for i in range(MAX_NAMENSVERGLEICH + 1):
        gross.add_member(f"@m{i}:om.example", f"Mitglied {i}", None)
    assert notice_content(_reply(), None, gross)["m.mentions"] == {}


@given(
    vorne=st.text(max_size=30),
    name=st.text(min_size=1, max_size=12),
    hinten=st.text(max_size=30),
    gross=st.booleans(),
)
def test_the_name_check_finds_every_word_match_the_push_rules_could(
    vorne: str, name: str, hinten: str, gross: bool
) -> None:
    """Never a false "no": wherever the name stands in the text (the rules want a word, in any
    case), the check says the rules could match."""
    text = vorne + (name.upper() if gross else name) + hinten
    if re.search(re.escape(name), text, re.IGNORECASE):
        assert textregeln_moeglich(text, ["x", name])


# --- messages that notify -----------------------------------------------------------------------


def test_a_message_meant_to_reach_people_is_text_with_mentions_and_pills() -> None:
    content = inhalt(_reply(benachrichtigen=True, erwaehnt=(MAX, PETRA, MAX)), None)
    assert content["msgtype"] == "m.text"
    assert content["m.mentions"] == {"user_ids": [MAX.user_id, PETRA.user_id]}
    assert content["body"].endswith("\nAn: Max Mustermann, Petra Beispiel")
    assert content["body"].startswith("⏰ Erinnerung: Treffen")  # the notification's preview
    html = content["formatted_body"]
    assert html.endswith(
        '<p>An: <a href="https://matrix.to/#/@max.mustermann:om.example">Max Mustermann</a>, '
        '<a href="https://matrix.to/#/@petra.beispiel:om.example">Petra Beispiel</a></p>'
    )


def test_names_and_ids_in_pills_are_escaped() -> None:
    boese = Erwaehnung('@x"y/z:test', "<script>Eve</script>\nVorstand")
    content = inhalt(_reply(benachrichtigen=True, erwaehnt=(boese,)), None)
    assert "<script>" not in content["formatted_body"]
    assert "&lt;script&gt;Eve&lt;/script&gt;" in content["formatted_body"]
    assert 'href="https://matrix.to/#/@x%22y%2Fz:test"' in content["formatted_body"]
    # The name cannot start a line of its own in the plain body.
    assert content["body"].endswith("An: <script>Eve</script> Vorstand")
    assert permalink("@a:b") == "https://matrix.to/#/@a:b"


def test_a_notifying_message_without_anyone_to_name_still_has_mentions_present() -> None:
    content = inhalt(_reply(benachrichtigen=True), None)
    assert content["msgtype"] == "m.text" and content["m.mentions"] == {}
    assert "An:" not in content["body"]


@pytest.mark.parametrize(
    ("level", "noetig", "raumruf"),
    [(0, None, False), (49, None, False), (50, None, True), (50, 100, False), (100, 100, True)],
)
def test_room_ping_only_with_the_bots_power_for_it(
    level: int, noetig: int | None, raumruf: bool
) -> None:
    reply = _reply(benachrichtigen=True, erwaehnt=(MAX,), raumruf=True)
    content = notice_content(reply, None, _raum(level, noetig=noetig))
    assert content["m.mentions"].get("room", False) is raumruf
    assert content["body"].endswith(
        "An: @room, Max Mustermann" if raumruf else "An: Max Mustermann"
    )
    # Not asked for: never, whatever the power.
    ohne = notice_content(_reply(benachrichtigen=True, erwaehnt=(MAX,)), None, _raum(100))
    assert "room" not in ohne["m.mentions"]
    # Unknown room (a DM just opened): no @room.
    assert "room" not in notice_content(reply, None, None)["m.mentions"]


def test_a_v12_room_creator_bot_has_the_power() -> None:
    room = _raum(0)
    room.room_version = "12"
    reply = _reply(benachrichtigen=True, raumruf=True)
    assert notice_content(reply, None, room, creators={BOT})["m.mentions"] == {"room": True}
    assert notice_content(reply, None, room, creators={"@x:test"})["m.mentions"] == {}


# --- HTML every client renders ------------------------------------------------------------------


def _tags(html: str) -> set[str]:
    return {m.lower() for m in re.findall(r"</?([a-zA-Z][a-zA-Z0-9-]*)", html)}


def test_the_formatter_uses_only_lists_and_inline_markup() -> None:
    reply = (
        Msg("Titel", B(" fett"))
        .line("Zeile ", I("kursiv"), " ", Code("!om hilfe"))
        .bullet("eins")
        .bullet("zwei\nzweite Zeile")
        .line("danach")
        .reply()
    )
    assert _tags(reply.html) <= TAGS and "<ul><li>eins</li>" in reply.html
    assert reply.text.splitlines() == [
        "Titel fett",
        "Zeile kursiv `!om hilfe`",
        "• eins",
        "• zwei",
        "  zweite Zeile",
        "danach",
    ]


def test_the_weekly_digest_has_no_table_and_a_readable_plain_body() -> None:
    abo = Abo("!p", datetime(2027, 1, 1, tzinfo=UTC))
    reply = infodienst_inhalt(abo, datetime(2027, 3, 8, 7, 0, tzinfo=UTC), TERMINE, NEUIGKEITEN, E)
    digest = reply.reply()
    assert _tags(digest.html) <= TAGS
    assert "<table" not in digest.html and "<ul>" in digest.html and "<b>" in digest.html
    zeilen = digest.text.splitlines()
    # One event per line as a bullet, under its region; no markup, no table pipes.
    assert any(z.startswith("• ") and "Frühjahrstreffen" in z for z in zeilen)
    assert zeilen[zeilen.index("Hamburg") + 1].startswith("• ")
    assert not re.search(r"<[a-z/]", digest.text) and "|" not in digest.text
    # What notifies: the digest goes out as m.text and keeps its body first.
    content = inhalt(digest.to("!p").benachrichtigend((MAX,)), None)
    assert content["msgtype"] == "m.text" and content["body"].startswith("📰 OM-Infodienst")


def test_lists_the_bot_answers_with_are_table_free(neue_welt: Callable[..., Welt]) -> None:
    welt = neue_welt()
    welt.raum("!hh", "OM-Netzwerk Hamburg")
    max_ = MAX.user_id
    welt.sag(max_, "!hh", "termin Netzwerktreffen am 12.03.2027 um 14:00 bis 16:00")
    befehle = (
        "hilfe",
        "netzwerke Hamburg",
        "netzwerke",
        "netzwerk Hamburg",
        "kriterien",
        "prüfen Hamburg",
        "termine",
        "erinnerungen",
        "anfragen",
        "netzwerk Hamburg räume",
    )
    gesehen = 0
    for befehl in befehle:
        for reply in welt.sag(max_, "!hh", befehl):
            assert _tags(reply.html) <= TAGS, (befehl, _tags(reply.html) - TAGS)
            gesehen += "<li>" in reply.html
    assert gesehen >= 5  # lists really were rendered (as <ul>, not as tables)
