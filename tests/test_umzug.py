"""Moving an installation (`om-bot migrate-db`, `om_bot.services.umzug`) on real databases:
a SQLite file with the sample register and a row in every table → PostgreSQL → SQLite again,
counts and checksums equal on every leg; a non-empty target is refused and left as it was.

PostgreSQL runs in a database of its own (`om_bot_umzug_<random>`, dropped afterwards), never in
the `test` database the other tests reset; without a reachable server the tests are skipped.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Table, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from om_bot.cli import main
from om_bot.domain.kalender import FeedArt
from om_bot.services import umzug
from om_bot.services.umzug import Tabelle, UmzugFehler, bestand, tabellen, ziehe_um
from om_bot.storage.db import make_engine
from om_bot.storage.models import (
    Anfrage,
    Ansprache,
    AuditEintrag,
    BotZustand,
    Erinnerung,
    ErinnerungRaum,
    ErinnerungVersatz,
    InfodienstAbo,
    KalenderFeed,
    Netzwerk,
    Partner,
    Raum,
    RaumBenachrichtigung,
    RegionalerKontakt,
    Termin,
    TerminAusnahme,
    TerminVorkommen,
    VerarbeitetesEvent,
    Verknuepfung,
    VerknuepfungStatus,
)
from om_bot.storage.uow import uow_factory
from om_bot.text.messages import Attachment, IncomingMessage, Reply
from tests.conftest import POSTGRES_ENV, sqlite_kopie

POSTGRES_STANDARD = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
T0 = datetime(2027, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
BERLIN = timezone(timedelta(hours=1))


def _erster(spalte: Any) -> Any:
    """The first member of an enum column's enum (the tests need any valid value)."""
    return next(iter(spalte.type.enum_class))


@pytest.fixture
def postgres_url() -> Iterator[str]:
    basis = make_url(os.environ.get(POSTGRES_ENV) or POSTGRES_STANDARD)
    wartung = create_engine(
        basis.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    name = f"om_bot_umzug_{secrets.token_hex(4)}"
    try:
        with wartung.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        wartung.dispose()
        pytest.skip(f"PostgreSQL not reachable at {basis.host}:{basis.port}: {exc.orig}")
    try:
        yield basis.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with wartung.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        wartung.dispose()


def _fuelle(engine: Engine) -> None:
    """A row (at least) in every table besides the sample register: an event with an
    exception and occurrences, a request and what hangs on it, audit rows (JSON, refused),
    a reminder, the sync token, a linked room with reminder settings and a subscription."""
    with uow_factory(engine)() as uow:
        s = uow.session
        netzwerk = s.scalars(select(Netzwerk).order_by(Netzwerk.id)).first()
        partner = s.scalars(select(Partner).order_by(Partner.id)).first()
        assert netzwerk is not None and partner is not None
        region_id = netzwerk.region_id
        raum = Raum(
            room_id="!hh:test", beigetreten=T0, netzwerk_id=netzwerk.id, verknuepft_von="@max:test"
        )
        s.add_all([raum, Raum(room_id="!dm:test", beigetreten=T0, direkt=True, direkt_mit="@a:t")])
        s.flush()
        s.add(
            Verknuepfung(
                room_id=raum.room_id,
                netzwerk_id=netzwerk.id,
                status=VerknuepfungStatus.AKTIV,
                beantragt_von="@max:test",
                beantragt=T0,
                entschieden_von="@gs:test",
                entschieden=T0 + timedelta(minutes=5),
            )
        )
        termin = Termin(
            titel="Netzwerktreffen „Grün“ – Ärger & <b>",
            art=_erster(Termin.__table__.c.art),
            netzwerk_id=netzwerk.id,
            region_id=region_id,
            start=datetime(2027, 3, 10, 18, 0, tzinfo=BERLIN),
            ende=datetime(2027, 3, 10, 20, 0, tzinfo=BERLIN),
            rrule="FREQ=WEEKLY;COUNT=3",
            zeitzone="Europe/Berlin",
            erstellt=T0,
            geaendert=T0,
            expandiert_bis=T0 + timedelta(days=60),
        )
        s.add(termin)
        s.flush()
        s.add(TerminAusnahme(termin_id=termin.id, tag=date(2027, 3, 17), abgesagt=T0, von="@gs:t"))
        for woche in range(3):
            beginn = termin.start + timedelta(weeks=woche)
            s.add(
                TerminVorkommen(
                    termin_id=termin.id,
                    region_id=region_id,
                    start=beginn,
                    ende=beginn + timedelta(hours=2),
                    abgesagt=T0 if woche == 1 else None,
                    kollision=woche == 2,
                )
            )
        anfrage = Anfrage(
            netzwerk_id=netzwerk.id,
            partner_id=partner.id,
            region_id=region_id,
            status=_erster(Anfrage.__table__.c.status),
            erstellt=T0,
            geaendert=T0,
            angefragt_von="@max:test",
            notiz="bitte bis Freitag",
        )
        s.add(anfrage)
        s.flush()
        s.add(
            RegionalerKontakt(
                partner_id=partner.id,
                region_id=region_id,
                name="Erika Muster",
                email="erika@example.org",
                anfrage_id=anfrage.id,
                freigegeben=T0,
            )
        )
        s.add(
            Ansprache(
                netzwerk_id=netzwerk.id,
                region_id=region_id,
                institution="Stadtwerke",
                institution_schluessel="stadtwerke",
                partner_id=partner.id,
                zeit=T0,
                quelle=_erster(Ansprache.__table__.c.quelle),
                anfrage_id=anfrage.id,
            )
        )
        for nr in range(3):
            s.add(
                AuditEintrag(
                    zeit=T0 + timedelta(seconds=nr),
                    akteur="@gs:test",
                    aktion="netzwerk.geaendert",
                    netzwerk_id=netzwerk.id,
                    objekt=f"netzwerk:{netzwerk.id}",
                    vorher={"thema": "alt", "liste": [1, 2], "z": None},
                    nachher={"thema": "neu – ü", "offen": True, "a": {"b": 1.5}},
                    erlaubt=nr != 2,
                )
            )
        s.add(
            Erinnerung(
                schluessel=f"termin:{termin.id}:1440",
                art=_erster(Erinnerung.__table__.c.art),
                room_id=raum.room_id,
                faellig=T0 + timedelta(days=8),
                gueltig_bis=T0 + timedelta(days=9),
                titel="Morgen",
                text="Morgen: Netzwerktreffen",
                html="<b>Morgen</b>",
                angelegt=T0,
            )
        )
        einstellung = ErinnerungRaum(room_id=raum.room_id, aktiv=False, geaendert=T0)
        s.add(einstellung)
        s.flush()
        s.add_all(
            [
                ErinnerungVersatz(room_id=raum.room_id, minuten=1440),
                ErinnerungVersatz(room_id=raum.room_id, minuten=60),
            ]
        )
        s.add(
            RaumBenachrichtigung(
                room_id=raum.room_id,
                erwaehnungen=False,
                raumruf=True,
                geaendert=T0,
                geaendert_von="@max:test",
            )
        )
        s.add(InfodienstAbo(room_id=raum.room_id, region_id=region_id, seit=T0))
        s.add(InfodienstAbo(room_id="!dm:test", region_id=None, seit=T0))
        s.add(BotZustand(schluessel="sync_token", wert="s1234_5678_9"))
        s.add(VerarbeitetesEvent(event_id="$abc:test", room_id=raum.room_id, verarbeitet=T0))
        for nr, (art, ziel) in enumerate(
            [
                (FeedArt.NETZWERK, {"netzwerk_id": netzwerk.id}),
                (FeedArt.REGION, {"region_id": region_id}),
                (FeedArt.REGISTER, {}),
            ]
        ):
            s.add(
                KalenderFeed(
                    art=art,
                    token=f"t{nr}" * 20,
                    token_sha256=f"{nr:064x}",
                    erstellt=T0,
                    erstellt_von="@gs:test",
                    erneuert=T0 + timedelta(hours=nr) if nr else None,
                    inhalt_sha256="ab" * 32,
                    stand=T0.replace(microsecond=0),
                    **ziel,
                )
            )
        # An answer left in the outbox (hot standby), with a file.
        befehl = IncomingMessage("$befehl:test", "!hh:test", "@max:test", "", T0)
        anhang = Attachment("termine.ics", "text/calendar", b"BEGIN:VCALENDAR")
        uow.ausgang.add([("om-bot-0123", befehl, Reply("ok", "<b>ok</b>", attachment=anhang), T0)])
        uow.commit()


def _alembic(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


@pytest.fixture
def quelle(beispiel_vorlage: Path, tmp_path: Path) -> str:
    url = sqlite_kopie(beispiel_vorlage, tmp_path / "quelle.sqlite3")
    engine = make_engine(url)
    _fuelle(engine)
    engine.dispose()
    return url


def _mit(url: str, tun: Callable[[Engine], Any]) -> Any:
    engine = make_engine(url)
    try:
        return tun(engine)
    finally:
        engine.dispose()


def test_sqlite_to_postgresql_and_back(
    quelle: str, postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    soll = _mit(quelle, bestand)
    assert set(soll) == {t.name for t in tabellen()}
    leer = [name for name, tabelle in soll.items() if tabelle.zeilen == 0]
    assert not leer, f"the test data leaves tables empty: {leer}"

    assert main(["migrate-db", "--from", quelle, "--to", postgres_url]) == 0
    ausgabe = capsys.readouterr().out
    for name, tabelle in soll.items():
        assert f"  {name} " in ausgabe and f" {tabelle.zeilen} Zeilen" in ausgabe
    assert f"{len(soll)} Tabellen, {sum(t.zeilen for t in soll.values())} Zeilen" in ausgabe

    assert _mit(postgres_url, bestand) == soll
    assert _mit(postgres_url, _alembic) == _mit(quelle, _alembic)

    # The sequences were set past the copied ids: the bot's next rows get fresh ones.
    def neue_zeilen(engine: Engine) -> tuple[int, int]:
        with uow_factory(engine)() as uow:
            eintrag = AuditEintrag(zeit=T0, akteur="@gs:test", aktion="x", vorher=None)
            anfrage = uow.session.scalars(select(Anfrage)).one()
            kopie = Anfrage(
                netzwerk_id=anfrage.netzwerk_id,
                partner_id=anfrage.partner_id,
                region_id=anfrage.region_id,
                status=anfrage.status,
                erstellt=T0,
                geaendert=T0,
            )
            uow.session.add_all([eintrag, kopie])
            uow.commit()
            return eintrag.id, kopie.id

    assert _mit(postgres_url, neue_zeilen) == (
        soll["audit"].zeilen + 1,
        soll["anfrage"].zeilen + 1,
    )

    # And back: PostgreSQL → a new SQLite file holds what PostgreSQL holds.
    zurueck = f"sqlite:///{tmp_path / 'zurueck' / 'om-bot.sqlite3'}"
    ergebnis = ziehe_um(postgres_url, zurueck)
    jetzt = _mit(postgres_url, bestand)
    assert {t.name: t for t in ergebnis.tabellen} == jetzt == _mit(zurueck, bestand)
    assert jetzt["audit"].zeilen == soll["audit"].zeilen + 1
    assert jetzt["netzwerk"] == soll["netzwerk"]

    # What was copied reads back as the bot reads it: aware UTC times, JSON, booleans.
    def eintraege(engine: Engine) -> list[tuple[Any, ...]]:
        with uow_factory(engine)() as uow:
            rows = uow.session.scalars(select(AuditEintrag).order_by(AuditEintrag.id)).all()
            return [(a.zeit, a.vorher, a.nachher, a.erlaubt) for a in rows]

    assert _mit(zurueck, eintraege) == _mit(postgres_url, eintraege)
    assert _mit(zurueck, eintraege)[0][0] == T0


def test_a_non_empty_target_is_refused_and_left_alone(
    quelle: str, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ziehe_um(quelle, postgres_url)
    vorher = _mit(postgres_url, bestand)

    # The source changes (one more audit row); copying again without --force is refused.
    def noch_ein_eintrag(engine: Engine) -> None:
        with uow_factory(engine)() as uow:
            uow.session.add(AuditEintrag(zeit=T0, akteur="@gs:test", aktion="y"))
            uow.commit()

    _mit(quelle, noch_ein_eintrag)
    with pytest.raises(UmzugFehler, match="nicht leer"):
        ziehe_um(quelle, postgres_url)
    assert main(["migrate-db", "--from", quelle, "--to", postgres_url]) == 1
    fehler = capsys.readouterr().err
    assert "Umzug abgebrochen" in fehler and "nichts geändert" in fehler and "--force" in fehler
    assert _mit(postgres_url, bestand) == vorher

    # With --force the target's rows are replaced by the source's.
    assert main(["migrate-db", "--from", quelle, "--to", postgres_url, "--force"]) == 0
    assert "vorherige Daten des Ziels ersetzt" in capsys.readouterr().out
    nachher = _mit(postgres_url, bestand)
    assert nachher == _mit(quelle, bestand)
    assert nachher["audit"].zeilen == vorher["audit"].zeilen + 1


def test_a_non_empty_sqlite_target_is_refused_too(
    quelle: str, beispiel_vorlage: Path, tmp_path: Path
) -> None:
    ziel = sqlite_kopie(beispiel_vorlage, tmp_path / "ziel.sqlite3")
    vorher = _mit(ziel, bestand)
    with pytest.raises(UmzugFehler, match="nicht leer"):
        ziehe_um(quelle, ziel)
    assert _mit(ziel, bestand) == vorher
    with pytest.raises(UmzugFehler, match="dieselbe"):
        ziehe_um(quelle, quelle)


def test_a_source_without_schema_is_refused(tmp_path: Path) -> None:
    (tmp_path / "leer.sqlite3").touch()
    leer = f"sqlite:///{tmp_path / 'leer.sqlite3'}"
    ziel = tmp_path / "ziel.sqlite3"
    with pytest.raises(UmzugFehler, match="keine om-bot-Datenbank"):
        ziehe_um(leer, f"sqlite:///{ziel}")
    assert not ziel.exists() or _mit(f"sqlite:///{ziel}", _tabellen_anzahl) == 0


def _tabellen_anzahl(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(text("sqlite_master")).where(text("type='table'"))
            ).scalar_one()
        )


def test_a_failed_check_copies_nothing(
    quelle: str, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table whose copy does not check out rolls the whole copy back."""
    echt = umzug.pruefsumme
    aufrufe: dict[str, int] = {}

    def verfaelscht(tabelle: Table, zeilen: Iterable[Sequence[Any]]) -> Tabelle:
        ergebnis = echt(tabelle, zeilen)
        aufrufe[tabelle.name] = aufrufe.get(tabelle.name, 0) + 1
        if tabelle.name == "audit" and aufrufe[tabelle.name] == 2:  # the target's side
            return dataclasses.replace(ergebnis, pruefsumme="0" * 64)
        return ergebnis

    monkeypatch.setattr(umzug, "pruefsumme", verfaelscht)
    with pytest.raises(UmzugFehler, match="Prüfung fehlgeschlagen bei audit"):
        ziehe_um(quelle, postgres_url)
    monkeypatch.undo()
    assert all(t.zeilen == 0 for t in _mit(postgres_url, bestand).values())
    # Nothing half done: the move can simply be run again.
    assert ziehe_um(quelle, postgres_url).tabellen == tuple(_mit(quelle, bestand).values())


def test_an_unreachable_target_is_a_plain_error(quelle: str) -> None:
    with pytest.raises(UmzugFehler, match="Datenbankfehler"):
        ziehe_um(quelle, "postgresql+psycopg://postgres@127.0.0.1:1/nirgends")
