"""`python -m om_bot` is the same as the `om-bot` console script."""

from om_bot.cli import main

raise SystemExit(main())
