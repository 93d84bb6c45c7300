"""The conversation: the one handler, the request intake, hand-off to a person, and their state."""
