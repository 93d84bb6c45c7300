"""The parents' web chat: the page, the embeddable widget, the JSON API and their guards."""
