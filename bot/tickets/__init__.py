"""Formal requests as tickets: the request service, the triage feed and deadline reminders."""
