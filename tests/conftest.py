"""Shared fixtures: the shipped content (tests/content_fixtures.py)."""

pytest_plugins = ["tests.content_fixtures"]
