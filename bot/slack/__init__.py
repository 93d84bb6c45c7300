"""Slack: staff ask and log requests, triage tickets, and answer parents' handed-off chats."""
