"""Microsoft Teams: staff ask and log requests, and new tickets reach a triage channel.

Built on the Microsoft 365 Agents SDK (docs/teams.md says why); bot.teams.mount.mount_teams adds
it to the one web application. Nothing is imported here, so `privacybot teams package` starts
without loading the SDK.
"""
