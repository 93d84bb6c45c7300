"""privacybot: answers questions about a school's pupil privacy notice and logs formal requests."""

__version__ = "0.1.0"
