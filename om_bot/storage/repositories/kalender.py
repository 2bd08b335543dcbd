"""Calendar feeds: one per network, region or the register, found by the hash of its token.

Repositories never commit; the unit of work around them decides (`om_bot.storage.uow`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from om_bot.domain.kalender import FeedArt
from om_bot.storage.models import KalenderFeed
from om_bot.storage.repositories.basis import _Repo


class KalenderFeedRepo(_Repo):
    def add(self, feed: KalenderFeed) -> None:
        self.session.add(feed)

    def fuer(
        self, art: FeedArt, netzwerk_id: int | None = None, region_id: int | None = None
    ) -> KalenderFeed | None:
        """The feed of that network, region or (art REGISTER) the register, if it has one."""
        query = select(KalenderFeed).where(KalenderFeed.art == art)
        if art is FeedArt.NETZWERK:
            query = query.where(KalenderFeed.netzwerk_id == netzwerk_id)
        elif art is FeedArt.REGION:
            query = query.where(KalenderFeed.region_id == region_id)
        return self.session.scalar(query)

    def nach_token_hash(self, token_sha256: str) -> KalenderFeed | None:
        """The feed whose token hashes to `token_sha256` (the network or region loaded)."""
        return self.session.scalar(
            select(KalenderFeed)
            .options(selectinload(KalenderFeed.netzwerk), selectinload(KalenderFeed.region))
            .where(KalenderFeed.token_sha256 == token_sha256)
        )
