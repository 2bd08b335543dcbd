"""The command registry: every chat command declared once, with syntax, help and role.

A command family (one module in `om_bot/commands/`) declares its commands with `Familie.befehl`:

    familie = Familie("netzwerke", "Netzwerke und Regionen")

    @familie.befehl("netzwerke [<region>]", hilfe="Netzwerke einer Region zeigen")
    def netzwerke(ctx: Kontext, region: str | None) -> Reply: ...

The syntax is also the usage line shown to users. Its grammar: literal words (matched case- and
umlaut-insensitively; ``a|b`` for alternatives), ``<name>`` for free text of one or more words,
``<name:zahl>`` for a whole number, ``<name:wort>`` for a single word, ``[ … ]`` for an optional
part. The handler's parameter names must be the argument names (checked when registering), and
everything `/om hilfe` and `docs/befehle.md` say is generated from these declarations.

Matching works on words, not characters: a command text is split at whitespace (`Woerter`),
and a syntax becomes a small program (`_compile`) that a backtracking search with a memo of
visited states runs over those words (`Befehl._passt`). It picks the same reading a regex
with lazy text and greedy optional parts would (text arguments as short as possible, optional
parts taken when they fit), but visits each (instruction, word) pair at most once, so no text –
runs of spaces, a keyword repeated a thousand times – can make it slow. Text arguments come
out with whitespace normalised: words joined by one space, or by one line break where the
text had one (so notes may span lines).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from om_bot.domain.fehler import UsageError
from om_bot.domain.matching import fold, meinten_sie, suggest
from om_bot.domain.roles import Rolle, Wer

# Re-exported: command modules raise it as part of the chat framework.
__all__ = ["Argument", "Befehl", "Familie", "Registry", "Treffer", "UsageError", "help_prefix"]

_TOKEN = re.compile(r"\[|\]|<[^>]+>|[^\s\[\]<>]+")
_UMLAUTE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_ZAHL = re.compile(r"\d{1,9}")


def _schluessel(word: str) -> str:
    """How literal words compare: case-insensitive, „ä“ = „ae“, „ß“ = „ss“."""
    return word.lower().translate(_UMLAUTE)


@dataclass(frozen=True)
class Woerter:
    """A command text split into words; `umbruch[i]`: a line break came before word i."""

    roh: tuple[str, ...]
    schluessel: tuple[str, ...]
    umbruch: tuple[bool, ...]
    alle: frozenset[str]  # the keys, to rule commands out at once

    @classmethod
    def aus(cls, text: str) -> Woerter:
        roh: list[str] = []
        umbruch: list[bool] = []
        for zeile in text.splitlines():
            words = zeile.split()
            if words:
                umbruch += [bool(roh)] + [False] * (len(words) - 1)
                roh += words
        keys = tuple(_schluessel(w) for w in roh)
        return cls(tuple(roh), keys, tuple(umbruch), frozenset(keys))

    def text(self, von: int, bis: int) -> str:
        """Words von..bis-1, joined by one space or, where the text had one, a line break."""
        parts = [self.roh[von]]
        for i in range(von + 1, bis):
            parts += ["\n" if self.umbruch[i] else " ", self.roh[i]]
        return "".join(parts)


# The instructions of a compiled syntax. Those up to _TEXT consume one word.
_WORT_FEST, _ZAHL_ARG, _WORT_ARG, _TEXT, _MEHR, _WAHL, _ENDE = range(7)


@dataclass(frozen=True)
class _Schritt:
    art: int
    # _WORT_FEST: the keys of the alternatives; arguments: their index in `argumente`.
    woerter: frozenset[str] = frozenset()
    argument: int = -1
    # Where to go on: `weiter` first; _MEHR and _WAHL try `sonst` if that fails.
    weiter: int = -1
    sonst: int = -1


@dataclass(frozen=True)
class Argument:
    name: str
    typ: str  # "text", "zahl" or "wort"


@dataclass(frozen=True)
class _Programm:
    schritte: tuple[_Schritt, ...]
    argumente: tuple[Argument, ...]
    woerter: tuple[str, ...]  # the leading literal words
    # What every match needs, to rule a command out without running it: the literal words
    # outside optional parts, and how many words there are at least and (without text) at most.
    pflicht: tuple[frozenset[str], ...]
    mindestens: int
    hoechstens: int | None


def _compile(syntax: str) -> _Programm:
    """Turn a syntax line into the program that matches it.

    A text argument is _TEXT (its first word) followed by _MEHR, which prefers to stop and
    otherwise goes back to _TEXT for one more word – a lazy ``.+?`` over words. ``[`` is a
    _WAHL that prefers to enter the part – a greedy ``(…)?``. Words are whole words, so "in"
    never matches inside "Berlin".
    """
    schritte: list[_Schritt] = []
    offen: list[int] = []  # the _WAHL of each open "["
    arguments: list[Argument] = []
    leading: list[str] = []
    pflicht: list[frozenset[str]] = []
    mindestens = hoechstens = 0
    text = False
    for token in _TOKEN.findall(syntax):
        pc = len(schritte)
        if token == "[":
            offen.append(pc)
            schritte.append(_Schritt(_WAHL, weiter=pc + 1))
            continue
        if token == "]":
            if not offen:
                raise ValueError(f"unbalanced brackets in {syntax!r}")
            wahl = offen.pop()
            schritte[wahl] = _Schritt(_WAHL, weiter=wahl + 1, sonst=pc)
            continue
        hoechstens += 1
        mindestens += not offen
        if token.startswith("<"):
            name, _, typ = token[1:-1].partition(":")
            typ = typ or "text"
            if typ not in {"text", "zahl", "wort"}:
                raise ValueError(f"unknown argument type in {syntax!r}: {typ}")
            index = len(arguments)
            arguments.append(Argument(name, typ))
            if typ == "text":
                text = True
                schritte.append(_Schritt(_TEXT, argument=index, weiter=pc + 1))
                schritte.append(_Schritt(_MEHR, argument=index, weiter=pc + 2, sonst=pc))
            else:
                art = _ZAHL_ARG if typ == "zahl" else _WORT_ARG
                schritte.append(_Schritt(art, argument=index, weiter=pc + 1))
        else:
            keys = frozenset(_schluessel(w) for w in token.split("|"))
            schritte.append(_Schritt(_WORT_FEST, woerter=keys, weiter=pc + 1))
            if not offen:
                pflicht.append(keys)
                if not arguments:
                    leading.append(token)
    if offen:
        raise ValueError(f"unbalanced brackets in {syntax!r}")
    schritte.append(_Schritt(_ENDE))
    return _Programm(
        tuple(schritte),
        tuple(arguments),
        tuple(leading),
        tuple(pflicht),
        mindestens,
        None if text else hoechstens,
    )


Handler = Callable[..., Any]


@dataclass(frozen=True)
class Befehl:
    syntax: str
    hilfe: str
    handler: Handler
    rolle: Rolle = Rolle.JEDER
    beispiele: tuple[str, ...] = ()
    details: str = ""
    # Who may use it, for commands whose handler checks the person itself against the state
    # of what it acts on (the contact procedure): help and the rights table then name these
    # principals instead of the role's.
    wer: tuple[Wer, ...] = ()
    programm: _Programm = field(init=False, repr=False, compare=False)
    argumente: tuple[Argument, ...] = field(init=False, compare=False)
    woerter: tuple[str, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        programm = _compile(self.syntax)
        object.__setattr__(self, "programm", programm)
        object.__setattr__(self, "argumente", programm.argumente)
        object.__setattr__(self, "woerter", programm.woerter)
        params = inspect.signature(self.handler).parameters
        names = [p for p in params if p != "ctx"]
        if sorted(names) != sorted(a.name for a in programm.argumente):
            raise ValueError(
                f"handler {self.handler.__name__} takes {names}, syntax {self.syntax!r} "
                f"declares {[a.name for a in programm.argumente]}"
            )

    @property
    def berechtigt(self) -> tuple[Wer, ...]:
        """Who may use it: the declared principals, else the role's (the rights table)."""
        return self.wer or self.rolle.wer

    @property
    def name(self) -> str:
        return self.woerter[0].split("|")[0]

    @property
    def anzeige(self) -> str:
        """The syntax as users should type it: first of each set of alternative words."""
        return " ".join(
            w if w.startswith("<") or "|" not in w else w.split("|")[0]
            for w in self.syntax.split(" ")
        )

    def parse(self, text: str | Woerter) -> dict[str, Any] | None:
        """The handler's arguments if `text` (without prefix) fits this command, else None."""
        woerter = text if isinstance(text, Woerter) else Woerter.aus(text)
        p = self.programm
        n = len(woerter.roh)
        if n < p.mindestens or (p.hoechstens is not None and n > p.hoechstens):
            return None
        if not all(keys & woerter.alle for keys in p.pflicht):
            return None
        pfad = self._passt(woerter)
        return None if pfad is None else self._werte(pfad, woerter)

    def _passt(self, woerter: Woerter) -> list[list[int]] | None:
        """The path [instruction, word, choice] of the first match in priority order, or None.

        A depth-first search that tries the preferred choice first and never enters an
        (instruction, word) state twice: a state seen before failed (else the search would
        have ended), and it fails the same way whatever path leads to it. So the work is at
        most instructions × words, however the text is shaped.
        """
        schritte = self.programm.schritte
        keys, roh = woerter.schluessel, woerter.roh
        n = len(roh)
        breite = n + 1
        besucht = {0}
        pfad = [[0, 0, 0]]
        while pfad:
            rahmen = pfad[-1]
            pc, t, wahl = rahmen
            schritt = schritte[pc]
            art = schritt.art
            if art == _ENDE:
                if t == n:
                    return pfad
                pfad.pop()
                continue
            if art <= _TEXT:
                # One word; a second visit of this frame means what followed failed.
                if (
                    wahl == 0
                    and t < n
                    and (
                        art >= _WORT_ARG
                        or (art == _WORT_FEST and keys[t] in schritt.woerter)
                        or (art == _ZAHL_ARG and _ZAHL.fullmatch(roh[t]) is not None)
                    )
                ):
                    rahmen[2] = 1
                    ziel, weiter_bei = schritt.weiter, t + 1
                else:
                    pfad.pop()
                    continue
            elif wahl < 2:
                rahmen[2] = wahl + 1
                ziel, weiter_bei = (schritt.weiter if wahl == 0 else schritt.sonst), t
            else:
                pfad.pop()
                continue
            zustand = ziel * breite + weiter_bei
            if zustand not in besucht:
                besucht.add(zustand)
                pfad.append([ziel, weiter_bei, 0])
        return None

    def _werte(self, pfad: list[list[int]], woerter: Woerter) -> dict[str, Any]:
        schritte = self.programm.schritte
        values: dict[str, Any] = {a.name: None for a in self.argumente}
        anfang: dict[int, int] = {}
        for pc, t, wahl in pfad:
            schritt = schritte[pc]
            argument = self.argumente[schritt.argument] if schritt.argument >= 0 else None
            if argument is None:
                continue
            if schritt.art == _ZAHL_ARG:
                values[argument.name] = int(woerter.roh[t])
            elif schritt.art == _WORT_ARG:
                values[argument.name] = woerter.roh[t]
            elif schritt.art == _TEXT:
                anfang.setdefault(schritt.argument, t)
            elif schritt.art == _MEHR and wahl == 1:  # stopped here
                values[argument.name] = woerter.text(anfang[schritt.argument], t)
        return values


@dataclass
class Familie:
    """The commands of one module, e.g. everything about networks."""

    name: str
    titel: str
    aliase: tuple[str, ...] = ()
    befehle: list[Befehl] = field(default_factory=list)

    def befehl(
        self,
        syntax: str,
        *,
        hilfe: str,
        rolle: Rolle = Rolle.JEDER,
        beispiele: Iterable[str] = (),
        details: str = "",
        wer: tuple[Wer, ...] = (),
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.befehle.append(
                Befehl(syntax, hilfe, handler, rolle, tuple(beispiele), details, wer)
            )
            return handler

        return register


@dataclass(frozen=True)
class Treffer:
    befehl: Befehl
    argumente: dict[str, Any]


def help_prefix(prefixes: Iterable[str]) -> str:
    """The prefix help texts show: ``!om`` works in every client, ``/om`` not in all."""
    choices = list(prefixes)
    return next((p for p in choices if p.startswith("!")), choices[0])


class Registry:
    """All command families; finds the command a text means."""

    def __init__(self, familien: Iterable[Familie], prefix: str = "!om") -> None:
        self.familien = list(familien)
        self.prefix = prefix
        self._by_word: dict[str, list[Befehl]] = {}
        for familie in self.familien:
            for befehl in familie.befehle:
                for word in befehl.woerter[0].split("|"):
                    self._by_word.setdefault(fold(word), []).append(befehl)
        for commands in self._by_word.values():
            # More fixed words first, so "netzwerk anlegen …" wins over "netzwerk <name>".
            commands.sort(key=lambda b: (-len(b.woerter), -len(b.syntax)))

    def __iter__(self) -> Iterator[Befehl]:
        for familie in self.familien:
            yield from familie.befehle

    def command_words(self) -> list[str]:
        return sorted(self._by_word)

    def usage(self, befehl: Befehl) -> str:
        return f"{self.prefix} {befehl.anzeige}"

    def find(self, text: str) -> Treffer:
        """The command `text` means; `UsageError` with usage lines or suggestions otherwise."""
        woerter = Woerter.aus(text)
        first = woerter.roh[0] if woerter.roh else ""
        word = fold(first)
        candidates = self._by_word.get(word)
        if not candidates:
            hint = meinten_sie(suggest(first, self.command_words(), cutoff=0.5))
            raise UsageError(
                f"Unbekannter Befehl „{first[:40]}“. {hint}".strip(),
                usage=f"{self.prefix} hilfe",
            )
        for befehl in candidates:
            values = befehl.parse(woerter)
            if values is not None:
                return Treffer(befehl, values)
        usages = "\n".join(self.usage(b) for b in candidates)
        examples = [e for b in candidates for e in b.beispiele]
        raise UsageError(
            f"So verstehe ich „{fold(word)}“ nicht.",
            usage=usages,
            beispiel=f"{self.prefix} {examples[0]}" if examples else "",
        )

    def familie(self, word: str) -> Familie | None:
        """The family a help topic names: by family name, alias or one of its command words."""
        key = fold(word)
        for familie in self.familien:
            if key in {fold(familie.name), *(fold(a) for a in familie.aliase)}:
                return familie
        for familie in self.familien:
            for befehl in familie.befehle:
                if key in {fold(w) for w in befehl.woerter[0].split("|")}:
                    return familie
        return None

    def topics(self) -> list[str]:
        return [f.name for f in self.familien]
