"""What the bot understands and says: intents, normalising, matching, answers, markup."""
