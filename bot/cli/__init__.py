"""The `privacybot` command, split by area."""
