"""Alembic migrations for the ticket database; run them with `privacybot db upgrade`."""
