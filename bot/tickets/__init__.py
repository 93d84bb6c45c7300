"""Formal requests as tickets: the request service (service, work, clockwork), its views and list
queries, the request-log export, retention, the triage feed and deadline reminders."""
