"""`termin`, `termine`, `termine export`, `kalender`, `ansprache`: events with clash warnings,
calendar export and feeds, Parallelansprachen (seed 000) – one command family, `familie`, in
these parts:

* ``basis``: the family, syntax and examples, the prefix, the actor, the lookup by number;
* ``eingabe``: reading the input (options, region and network after the date, kind, lengths)
  and the use cases' errors in the command's words;
* ``wortlaut``: an event described, clash warnings and the notices to other networks;
* ``befehle``: `termin <text>`, `termin <nr>`, `termin ändern`, `termin absagen`;
* ``liste``: `termine [<auswahl>]`, `termine export [<auswahl>]`;
* ``kalender``: `kalender [neu]`, `kalender netzwerk|region <Name> [neu]` (feed links);
* ``ansprache``: `ansprache <institution> [– <person>]`.

Registering: ``termin [<Art>] <Titel> <Datum> [in <Region>] [für <Netzwerk>] [art:<Art>]
[ort:<Ort>]``. The date phrase is read by `om_bot.domain.dates.find_when` (German, refuses
instead of guessing); the text before it is the title, after it come region and network. In a
room linked to a network that network and its region are the default; elsewhere
``in <Region>`` names the region and the event belongs to the region's network if it has
exactly one, otherwise to none (an event of the Geschäftsstelle or a partner) unless
``für <Netzwerk>`` names one. The kind is the first word of the title when that is a kind
(„Netzwerktreffen …“, „Infostand …“), else a Veranstaltung; ``art:`` overrides it.

Who may, the invariants (no past date, at most 14 days long, at most ``horizont_tage`` ahead),
the audit and the commit are the use cases' (`om_bot.services.termine`, on top of
`om_bot.services.terminverwaltung`: occurrences, clash marks, the change hook;
`om_bot.services.ansprachen` for the approaches); reading the input and the wording of answers,
warnings and notices are here.
"""

from __future__ import annotations

from om_bot.commands.termine.basis import familie

# The command modules register their commands with `familie` when imported, in this order: the
# order of the help (so not sorted).
# isort: off
from om_bot.commands.termine import befehle  # noqa: F401
from om_bot.commands.termine import liste  # noqa: F401
from om_bot.commands.termine import kalender  # noqa: F401
from om_bot.commands.termine import ansprache  # noqa: F401

# isort: on

__all__ = ["familie"]
