"""The recognition workflow of seed 001 as a state machine: which status may follow which.

"Neue Netzwerke und Fachgruppen werden beim Leitungskreis beantragt und stellen sich
anschließend auf der AG Transfer vor. Auf Vorschlag der AG Transfer und des Leitungskreises
stellt sich das Netzwerk bzw. die Fachgruppe dem Plenum vor. Das Plenum stimmt über die
Anerkennung ab." – and "Es ist möglich, dass das Plenum … die Berechtigung entzieht".

    beantragt → leitungskreis → ag_transfer → plenum → anerkannt → entzogen → beantragt

Besides the forward steps, an application under way can go back to `beantragt` (the
Leitungskreis, the AG Transfer or the Plenum sends it back, e.g. the Plenum votes against it),
and a revoked network may apply anew (`entzogen → beantragt`; the seeds do not forbid it and a
new application goes through the whole procedure again). Revoking and sending back need a
reason.
Plain Python; `om_bot.services.register_pflege.status_aendern` applies it and writes the audit
log, `om_bot/commands/register.py` words the answer.
"""

from __future__ import annotations

from om_bot.domain.matching import fold
from om_bot.domain.netzwerk import Status

NAECHSTE: dict[Status, tuple[Status, ...]] = {
    Status.BEANTRAGT: (Status.LEITUNGSKREIS,),
    Status.LEITUNGSKREIS: (Status.AG_TRANSFER, Status.BEANTRAGT),
    Status.AG_TRANSFER: (Status.PLENUM, Status.BEANTRAGT),
    Status.PLENUM: (Status.ANERKANNT, Status.BEANTRAGT),
    Status.ANERKANNT: (Status.ENTZOGEN,),
    Status.ENTZOGEN: (Status.BEANTRAGT,),
}

# Steps that must say why: revoking (seed 001: "auf Vorschlag der Leitung") and sending back.
MIT_GRUND: frozenset[tuple[Status, Status]] = frozenset(
    {(Status.ANERKANNT, Status.ENTZOGEN)}
    | {(s, Status.BEANTRAGT) for s in (Status.LEITUNGSKREIS, Status.AG_TRANSFER, Status.PLENUM)}
)

SCHRITT = {
    Status.BEANTRAGT: "Antrag beim Leitungskreis gestellt",
    Status.LEITUNGSKREIS: "Antrag liegt beim Leitungskreis",
    Status.AG_TRANSFER: "stellt sich der AG Transfer vor",
    Status.PLENUM: "stellt sich dem Plenum vor, das über die Anerkennung abstimmt",
    Status.ANERKANNT: "vom Plenum anerkannt",
    Status.ENTZOGEN: "Berechtigung vom Plenum entzogen",
}

_WOERTER = {
    Status.BEANTRAGT: ("beantragt", "antrag", "beantragen", "neuantrag"),
    Status.LEITUNGSKREIS: ("leitungskreis", "lk"),
    Status.AG_TRANSFER: ("ag transfer", "agtransfer", "transfer", "ag"),
    Status.PLENUM: ("plenum",),
    Status.ANERKANNT: ("anerkannt", "anerkennen", "anerkennung"),
    Status.ENTZOGEN: ("entzogen", "entziehen", "entzug"),
}


def schritt_text(von: Status, nach: Status) -> str:
    """What the step `von → nach` means, for answers and help."""
    if nach is Status.BEANTRAGT:
        if von is Status.ENTZOGEN:
            return "neuer Antrag beim Leitungskreis"
        return "zurück an die Antragsteller, Antrag überarbeiten"
    return SCHRITT[nach]


class UebergangFehler(ValueError):
    """A status change that the workflow does not allow; the German message says why."""

    def __init__(self, meldung: str, erlaubt: tuple[Status, ...]) -> None:
        super().__init__(meldung)
        self.meldung = meldung
        self.erlaubt = erlaubt


def status_aus_text(text: str) -> Status | None:
    """The status a user means: its value or a common word for it ("ag transfer", "entziehen")."""
    key = fold(text)
    for status, woerter in _WOERTER.items():
        if key == fold(status.value) or key in woerter:
            return status
    return None


def naechste(von: Status) -> tuple[Status, ...]:
    return NAECHSTE[von]


def braucht_grund(von: Status, nach: Status) -> bool:
    return (von, nach) in MIT_GRUND


def pruefe_uebergang(von: Status, nach: Status, grund: str | None) -> None:
    """Raise `UebergangFehler` unless `von → nach` is allowed (with a reason where needed)."""
    erlaubt = naechste(von)
    if nach is von:
        raise UebergangFehler(f"Der Status ist schon „{von.value}“.", erlaubt)
    if nach not in erlaubt:
        raise UebergangFehler(f"Von „{von.value}“ geht es nicht direkt zu „{nach.value}“.", erlaubt)
    if braucht_grund(von, nach) and not (grund and grund.strip()):
        raise UebergangFehler(
            f"Für „{von.value}“ → „{nach.value}“ bitte einen Grund angeben.", (nach,)
        )
