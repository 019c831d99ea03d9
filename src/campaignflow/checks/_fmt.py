"""Wording shared by the built-in checks: lists, days, dates, amounts of working time.

Every helper returns a ``Text`` (or an ``(en, zh)`` pair) so that a message
reads naturally in both languages; the checks only assemble sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from ..findings import Text

_WEEKDAY_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAY_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

#: How many names a message lists before it says "and N more".
LIST_LIMIT = 6


def listing(items: Sequence[str], limit: int = LIST_LIMIT, *, quote: bool = True, total: int | None = None) -> Text:
    """``'a', 'b', 'c' and 4 more`` / ``“a”、“b”、“c”等7项``.

    ``total`` is the size of the whole list when ``items`` holds only its beginning.
    """
    shown = [f"'{i}'" if quote else str(i) for i in items[:limit]]
    shown_zh = [f"“{i}”" if quote else str(i) for i in items[:limit]]
    total = len(items) if total is None else max(total, len(shown))
    rest = total - len(shown)
    if not shown:
        return Text("(none)", "(无)")
    if rest > 0:
        return Text(f"{', '.join(shown)} and {rest} more", f"{'、'.join(shown_zh)}等{total}项")
    if len(shown) == 1:
        return Text(shown[0], shown_zh[0])
    return Text(f"{', '.join(shown[:-1])} and {shown[-1]}", "、".join(shown_zh))


def chain(items: Sequence[str], limit: int = 12) -> str:
    """``a → b → c``, eliding the middle of a long chain."""
    if len(items) > limit:
        head, tail = items[: limit // 2], items[-(limit // 2):]
        return " → ".join([*head, f"…({len(items) - len(head) - len(tail)})…", *tail])
    return " → ".join(items)


def day(d: date) -> Text:
    """``2020-10-17 (Sat)`` / ``2020-10-17(星期六)``."""
    return Text(f"{d.isoformat()} ({_WEEKDAY_EN[d.weekday()]})", f"{d.isoformat()}({_WEEKDAY_ZH[d.weekday()]})")


def moment(m: date | datetime) -> str:
    """A date or datetime as the plan would write it."""
    if isinstance(m, datetime):
        return m.strftime("%Y-%m-%d %H:%M")
    return m.isoformat()


def finish(instant: datetime) -> Text:
    """An instant something is finished by: midnight reads as the end of the day before."""
    if instant.time() == time():
        d = (instant - timedelta(days=1)).date()
        return Text(f"the end of {d.isoformat()}", f"{d.isoformat()}日终")
    s = instant.strftime("%Y-%m-%d %H:%M")
    return Text(s, s)


def start(instant: datetime) -> str:
    """An instant something starts at: midnight reads as the day itself."""
    if instant.time() == time():
        return instant.date().isoformat()
    return instant.strftime("%Y-%m-%d %H:%M")


def amount(days: float) -> str:
    """``3``, ``1.5``, ``0.25``: working days without noise."""
    r = round(days, 2)
    return str(int(r)) if float(r).is_integer() else f"{r:g}"


def working_days(days: float) -> Text:
    """``3 working days`` / ``3个工作日``."""
    n = amount(days)
    return Text(f"{n} working day{'' if n == '1' else 's'}", f"{n}个工作日")


def calendar_days(days: int) -> Text:
    """``3 days`` / ``3天``."""
    return Text(f"{days} day{'' if days == 1 else 's'}", f"{days}天")


def instances(count: int, template: str | None) -> Text:
    """`` (and the same in 3 more instances of template 'T')``, or nothing for one task."""
    if count <= 0:
        return Text("", "")
    what = f"template '{template}'" if template else "this task"
    what_zh = f"模板“{template}”" if template else "该任务"
    return Text(f" (and the same in {count} more instance{'' if count == 1 else 's'} of {what})",
                f"({what_zh}的另外{count}个实例同样如此)")
