"""Persistence of om-bot: SQLAlchemy models, repositories, the unit of work and migrations."""
