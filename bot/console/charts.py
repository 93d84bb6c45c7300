"""The dashboard's charts, drawn on the server as SVG: no chart library, no script, no CDN.

Each chart is an image with a title and a description for screen readers; the page puts the
same numbers in a table beside it. Colours come from classes in console.css (the CSP forbids
inline styles), and every bar has a tooltip with its number. Titles, descriptions and tooltips
are the school's words (`charts.*` in answers/console_labels.yaml).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from bot.console.figures import Month, Overdue
from bot.content.wordbook import Wordbook
from bot.rules.deadlines import TicketKind

_WIDTH = 720
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 12, 16, 44


def _svg(chart_id: str, height: int, title: str, desc: str, body: list[str]) -> Markup:
    head = (
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {height}" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _nice_top(value: int) -> tuple[int, int]:
    """Return an axis maximum at or above `value` and a whole-number step that divides it."""
    step = max(1, math.ceil(max(value, 1) / 4))
    return step * max(1, math.ceil(max(value, 1) / step)), step


def _month_label(month: Month, first: bool) -> tuple[str, str]:
    year = str(month.start.year) if first or month.start.month == 1 else ""
    return month.start.strftime("%b"), year


def _x_axis(months: Sequence[Month], slot: float, height: int) -> list[str]:
    parts = []
    for i, month in enumerate(months):
        x = _LEFT + slot * (i + 0.5)
        name, year = _month_label(month, i == 0)
        parts.append(
            f'<text class="axis" x="{x:.1f}" y="{height - _BOTTOM + 16}" '
            f'text-anchor="middle">{name}</text>'
        )
        if year:
            parts.append(
                f'<text class="axis" x="{x:.1f}" y="{height - _BOTTOM + 32}" '
                f'text-anchor="middle">{year}</text>'
            )
    return parts


def _y_grid(top: int, step: int, plot_height: float, height: int, percent: bool) -> list[str]:
    parts = []
    for value in range(0, top + 1, step):
        y = height - _BOTTOM - plot_height * value / top
        label = f"{value}%" if percent else str(value)
        parts.append(
            f'<line class="grid" x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    return parts


def requests_by_month(
    months: Sequence[Month],
    kind_label: Callable[[TicketKind], str],
    labels: Wordbook,
    chart_id: str = "per-month",
) -> Markup:
    """Stacked bars: requests received each month, one colour per kind."""
    height = 280
    top, step = _nice_top(max((m.total for m in months), default=0))
    plot_height = height - _TOP - _BOTTOM
    slot = (_WIDTH - _LEFT - _RIGHT) / max(len(months), 1)
    body = _y_grid(top, step, plot_height, height, percent=False)
    for i, month in enumerate(months):
        x = _LEFT + slot * i + slot * 0.2
        y = float(height - _BOTTOM)
        for kind in TicketKind:
            count = month.by_kind.get(kind, 0)
            if not count:
                continue
            bar = plot_height * count / top
            y -= bar
            label = labels.say_counted(
                "charts.per_month_bar",
                count,
                month=f"{month.start:%B %Y}",
                count=count,
                kind=kind_label(kind),
            )
            body.append(
                f'<rect class="bar k-{kind.value}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{slot * 0.6:.1f}" height="{bar:.1f}"><title>{escape(label)}</title></rect>'
            )
    body += _x_axis(months, slot, height)
    total = sum(m.total for m in months)
    busiest = max(months, key=lambda m: m.total, default=None)
    if busiest and busiest.total:
        desc = labels.say_counted(
            "charts.per_month_busiest",
            total,
            total=total,
            months=len(months),
            month=f"{busiest.start:%B %Y}",
            busiest=busiest.total,
        )
    else:
        desc = labels.say_counted(
            "charts.per_month_summary", total, total=total, months=len(months)
        )
    return _svg(chart_id, height, labels.say("charts.per_month_title"), desc, body)


def on_time_by_month(
    months: Sequence[Month], labels: Wordbook, chart_id: str = "on-time"
) -> Markup:
    """Bars: the share of each month's requests answered by the due date."""
    height = 240
    plot_height = height - _TOP - _BOTTOM
    slot = (_WIDTH - _LEFT - _RIGHT) / max(len(months), 1)
    body = _y_grid(100, 25, plot_height, height, percent=True)
    judged = 0
    for i, month in enumerate(months):
        share = month.on_time_share
        x = _LEFT + slot * i + slot * 0.2
        if share is None:
            body.append(
                f'<text class="axis" x="{x + slot * 0.3:.1f}" y="{height - _BOTTOM - 6}" '
                'text-anchor="middle">&#8211;</text>'
            )
            continue
        judged += 1
        bar = plot_height * share
        y = height - _BOTTOM - bar
        label = labels.say(
            "charts.on_time_bar",
            month=f"{month.start:%B %Y}",
            share=f"{share:.0%}",
            on_time=month.on_time,
            judged=month.on_time + month.late,
        )
        body.append(
            f'<rect class="bar on-time" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" '
            f'height="{bar:.1f}"><title>{escape(label)}</title></rect>'
            f'<text class="value" x="{x + slot * 0.3:.1f}" y="{max(y - 4, _TOP + 10):.1f}" '
            f'text-anchor="middle">{share:.0%}</text>'
        )
    body += _x_axis(months, slot, height)
    desc = labels.say("charts.on_time_summary", judged=judged, months=len(months))
    return _svg(chart_id, height, labels.say("charts.on_time_title"), desc, body)


def overdue_now(overdue: Sequence[Overdue], labels: Wordbook, chart_id: str = "overdue") -> Markup:
    """Horizontal bars: each overdue ticket and how many days past its due date it is."""
    row = 28
    label_width = 150
    height = _TOP + row * max(len(overdue), 1) + 8
    longest = max((o.days for o in overdue), default=1)
    span = _WIDTH - label_width - _RIGHT - 70
    body = []
    for i, item in enumerate(overdue):
        y = _TOP + row * i
        bar = max(span * item.days / longest, 2)
        days = labels.say_counted("charts.overdue_days", item.days, count=item.days)
        tooltip = labels.say("charts.overdue_bar", reference=item.reference, days=days)
        body.append(
            f'<text class="axis" x="{label_width - 8}" y="{y + 17}" '
            f'text-anchor="end">{escape(item.reference)}</text>'
            f'<rect class="bar overdue" x="{label_width}" y="{y + 4}" width="{bar:.1f}" '
            f'height="{row - 8}"><title>{escape(tooltip)}</title></rect>'
            f'<text class="value" x="{label_width + bar + 6:.1f}" y="{y + 17}">'
            f"{escape(days)}</text>"
        )
    if overdue:
        by = labels.say_counted("charts.overdue_days", longest, count=longest)
        desc = labels.say_counted(
            "charts.overdue_summary", len(overdue), count=len(overdue), longest=by
        )
    else:
        desc = labels.say("charts.overdue_none")
    return _svg(chart_id, height, labels.say("charts.overdue_title"), desc, body)
