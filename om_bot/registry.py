"""The command registry: every chat command declared once, with syntax, help and role.

A command family (one module in `commands/`) declares its commands with `Familie.befehl`:

    familie = Familie("netzwerke", "Netzwerke und Regionen")

    @familie.befehl("netzwerke [<region>]", hilfe="Netzwerke einer Region zeigen")
    def netzwerke(ctx: Kontext, region: str | None) -> Reply: ...

The syntax is also the usage line shown to users. Its grammar: literal words (matched case- and
umlaut-insensitively; ``a|b`` for alternatives), ``<name>`` for free text of one or more words,
``<name:zahl>`` for a whole number, ``<name:wort>`` for a single word, ``[ … ]`` for an optional
part. The handler's parameter names must be the argument names (checked when registering), and
everything `/om hilfe` and `docs/befehle.md` say is generated from these declarations.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from om_bot.matching import fold, meinten_sie, suggest
from om_bot.roles import Rolle

_TOKEN = re.compile(r"\[|\]|<[^>]+>|[^\s\[\]<>]+")
_UMLAUT_ALTERNATIVES = {"ä": "(?:ä|ae)", "ö": "(?:ö|oe)", "ü": "(?:ü|ue)", "ß": "(?:ß|ss)"}


class UsageError(ValueError):
    """A command was used wrongly: a German message plus the usage line and an example."""

    def __init__(self, meldung: str, usage: str = "", beispiel: str = "") -> None:
        super().__init__(meldung)
        self.meldung = meldung
        self.usage = usage
        self.beispiel = beispiel


def _literal_pattern(word: str) -> str:
    alternatives = []
    for alternative in word.split("|"):
        alternatives.append(
            "".join(_UMLAUT_ALTERNATIVES.get(c, re.escape(c)) for c in alternative.lower())
        )
    return "(?:" + "|".join(alternatives) + ")"


@dataclass(frozen=True)
class Argument:
    name: str
    typ: str  # "text", "zahl" or "wort"


def _compile(syntax: str) -> tuple[re.Pattern[str], tuple[Argument, ...], tuple[str, ...]]:
    """Turn a syntax line into a regex, its arguments and its leading literal words."""
    pieces: list[str] = []
    arguments: list[Argument] = []
    leading: list[str] = []
    depth = 0
    seen_argument = False

    def separator() -> str:
        # Words are separated by whitespace, so "in" never matches inside "Berlin".
        return r"\s+" if pieces and pieces != ["(?:"] * len(pieces) else r"\s*"

    for token in _TOKEN.findall(syntax):
        if token == "[":
            pieces.append("(?:")
            depth += 1
            continue
        if token == "]":
            pieces.append(")?")
            depth -= 1
            continue
        if token.startswith("<"):
            name, _, typ = token[1:-1].partition(":")
            typ = typ or "text"
            if typ not in {"text", "zahl", "wort"}:
                raise ValueError(f"unknown argument type in {syntax!r}: {typ}")
            body = {"text": r".+?", "zahl": r"\d{1,9}", "wort": r"\S+"}[typ]
            pieces.append(rf"{separator()}(?P<{name}>{body})")
            arguments.append(Argument(name, typ))
            seen_argument = True
        else:
            pieces.append(rf"{separator()}{_literal_pattern(token)}(?=\s|$)")
            if not seen_argument and depth == 0:
                leading.append(token)
    if depth != 0:
        raise ValueError(f"unbalanced brackets in {syntax!r}")
    pattern = re.compile(r"^" + "".join(pieces) + r"\s*$", re.IGNORECASE | re.DOTALL)
    return pattern, tuple(arguments), tuple(leading)


Handler = Callable[..., Any]


@dataclass(frozen=True)
class Befehl:
    syntax: str
    hilfe: str
    handler: Handler
    rolle: Rolle = Rolle.JEDER
    beispiele: tuple[str, ...] = ()
    details: str = ""
    # Who may use it, in words, for commands whose handler checks the person itself (rolle
    # JEDER): help then says this instead of "alle".
    wer: str = ""
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    argumente: tuple[Argument, ...] = field(init=False, compare=False)
    woerter: tuple[str, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        pattern, arguments, leading = _compile(self.syntax)
        object.__setattr__(self, "pattern", pattern)
        object.__setattr__(self, "argumente", arguments)
        object.__setattr__(self, "woerter", leading)
        params = inspect.signature(self.handler).parameters
        names = [p for p in params if p != "ctx"]
        if sorted(names) != sorted(a.name for a in arguments):
            raise ValueError(
                f"handler {self.handler.__name__} takes {names}, syntax {self.syntax!r} "
                f"declares {[a.name for a in arguments]}"
            )

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

    def parse(self, text: str) -> dict[str, Any] | None:
        """The handler's arguments if `text` (without prefix) fits this command, else None."""
        match = self.pattern.match(text)
        if match is None:
            return None
        values: dict[str, Any] = {}
        for argument in self.argumente:
            raw = match.group(argument.name)
            if raw is None:
                values[argument.name] = None
            elif argument.typ == "zahl":
                values[argument.name] = int(raw)
            else:
                values[argument.name] = raw.strip()
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
        wer: str = "",
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
        word = fold(text.split(maxsplit=1)[0]) if text.strip() else ""
        candidates = self._by_word.get(word)
        if not candidates:
            first = text.split(maxsplit=1)[0] if text.strip() else ""
            hint = meinten_sie(suggest(first, self.command_words(), cutoff=0.5))
            raise UsageError(
                f"Unbekannter Befehl „{first[:40]}“. {hint}".strip(),
                usage=f"{self.prefix} hilfe",
            )
        for befehl in candidates:
            values = befehl.parse(text)
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
