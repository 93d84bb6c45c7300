"""Pure domain rules: statutory deadlines, the ticket lifecycle, the school's time zone."""
