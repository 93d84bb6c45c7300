"""ID or a fee asked for after the due date has passed cannot make a late request on time.

UK GDPR Art. 12A lets the month start again when ID or a fee the school reasonably asked for
arrives. Asked for once the month is over, the request is already late: the clock keeps the due
date that was missed, and the request log and the figures count it as late.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from bot.rules.deadlines import ClockPause, PauseReason

RESTARTING_REASONS = frozenset({PauseReason.AWAITING_ID, PauseReason.AWAITING_FEE})


def is_late_restart(reason: PauseReason, started: date, due: date) -> bool:
    """Return whether a pause asked on `started` came after `due`, too late to restart the clock."""
    return reason in RESTARTING_REASONS and started > due


def counted_pauses(
    pauses: Sequence[ClockPause], due_with: Callable[[Sequence[ClockPause]], date]
) -> tuple[ClockPause, ...]:
    """Return the pauses that move the clock: all but ID or fee requests made after the due date.

    `due_with(pauses)` gives the due date with those pauses counted; each pause is judged against
    the due date that stood when it was asked for, so the order of the pauses matters.
    """
    kept: list[ClockPause] = []
    for pause in sorted(pauses, key=lambda p: p.started):
        if is_late_restart(pause.reason, pause.started, due_with(kept)):
            continue
        kept.append(pause)
    return tuple(kept)
