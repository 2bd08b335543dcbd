"""The base of every repository: a shared session, no commits."""

from __future__ import annotations

from sqlalchemy.orm import Session


class _Repo:
    def __init__(self, session: Session) -> None:
        self.session = session
