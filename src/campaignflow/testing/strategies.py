"""Hypothesis strategies for campaigns: valid plans by construction, and plans with one planted conflict.

Use them to property-test a plan's rules or the engine itself::

    from hypothesis import given
    import campaignflow
    from campaignflow.testing import strategies as cfst

    @given(cfst.campaigns(max_tasks=5))
    def test_valid_plans_have_no_findings(campaign):
        assert campaignflow.validate(campaign) == []

    @given(cfst.conflicts("CF401"))
    def test_mutual_solicitation_is_found(conflict):
        assert conflict.found_in(campaignflow.validate(conflict.campaign))

Every argument is keyword-only and checked when the strategy is created,
not when it is drawn from. Where an argument says so, it also accepts a
strategy (``calendar=st.just("cn-workdays")``). Examples shrink to few
units and tasks with short, readable ids; print a failing one as a plan
file with ``campaignflow.writer.to_toml``.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..findings import Finding
from ..model import Campaign
from ._atoms import (
    CALENDARS, as_strategy, calendars, campaign_ids, check_bool, check_int, checks_configs, durations, groups,
    lags, names, pairings, task_ids, tasks, unit_ids, units,
)
from ._build import Draft
from ._conflicts import PLANTERS
from ._draw import Spec, drafts

__all__ = [
    "CALENDARS",
    "CONFLICT_CODES",
    "Conflict",
    "calendars",
    "campaign_ids",
    "campaigns",
    "campaigns_with_conflict",
    "checks_configs",
    "conflicts",
    "durations",
    "groups",
    "lags",
    "names",
    "pairings",
    "task_ids",
    "tasks",
    "unit_ids",
    "units",
]

#: Every check code ``conflicts()`` can plant: the built-in catalog.
CONFLICT_CODES: tuple[str, ...] = tuple(PLANTERS)

# Codes whose conflict cannot exist on every calendar.
_NEEDS_DAYS_OFF = frozenset({"CF203"})
# Codes whose conflict needs a calendar that does not know every year.
_NEEDS_OFFICIAL_DATA = frozenset({"CF206"})


def campaigns(*, min_tasks: int = 1, max_tasks: int = 6, max_units: int = 5, templates: bool = False,
              repeat: bool = False, approvals: bool = True, solicitations: bool = False, capacity: bool = False,
              annotations: bool = False,
              calendar: str | st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Campaign]:
    """Valid campaigns, by construction.

    Every reference resolves (leads, partners, approvers, dependencies,
    pairings, group members), dependencies form no cycle, approvers stand
    above the lead, every unit takes part, and every deadline can be met:
    it lies after the latest its prerequisites may finish within their own
    deadlines, plus the task's pessimistic duration and its approval steps.
    The built-in checks of ``campaignflow.validate`` report nothing on them,
    not even at info level (tests/properties checks it).

    Args:
        min_tasks: fewest tasks (after expansion).
        max_tasks: most tasks (after expansion); keep it small, examples stay readable.
        max_units: most units.
        templates: include template instances (``T@unit``, with ``template`` set).
        repeat: include repeated tasks (``X#1``..``X#n``, with ``repeat`` set).
        approvals: give tasks approval steps by their lead's superiors.
        solicitations: include solicitations (donation drives) that are allowed.
        capacity: give some units a capacity, always enough for what they lead.
        annotations: fill optional texts (``title_en``, ``section``, ``doc`` ...).
        calendar: a calendar name or a strategy of names (default ``calendars()``).

    Example:
        >>> campaigns(max_tasks=3, approvals=True).example()  # doctest: +SKIP
        Campaign(id='demo', name='县扶贫办', start=datetime.date(2015, 1, 1), ...)
    """
    check_int("min_tasks", min_tasks)
    check_int("max_tasks", max_tasks, low=max(min_tasks, 1))
    check_int("max_units", max_units, low=1)
    for name, value in (("templates", templates), ("repeat", repeat), ("approvals", approvals),
                        ("solicitations", solicitations), ("capacity", capacity), ("annotations", annotations)):
        check_bool(name, value)
    cal = calendars() if calendar is None else as_strategy("calendar", calendar, kind=str)
    spec = Spec(min_tasks=min_tasks, max_tasks=max_tasks, max_units=max_units, templates=templates,
                repeat=repeat, approvals=approvals, solicitations=solicitations, capacity=capacity,
                annotations=annotations, calendar=cal)
    return drafts(spec).map(Draft.finish)


@attrs.frozen
class Conflict:
    """A campaign with exactly one planted conflict, and what it involves.

    Attributes:
        code: the check code the conflict is for.
        campaign: the campaign, valid but for the conflict.
        tasks: ids of the tasks involved (for a ``repeat``, the series id first).
        units: ids of the units (or groups) involved.
    """

    code: str
    campaign: Campaign
    tasks: tuple[str, ...] = ()
    units: tuple[str, ...] = ()

    def found_in(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings of ``code`` that name one of the conflict's tasks or units.

        A finding names what it lists in ``tasks`` and ``units``, and the
        table its location points at (``groups.<id>`` for a group).
        """
        involved = {*self.tasks, *self.units}

        def names(f: Finding) -> set[str]:
            table = f.location.key_path.split(".")
            return {*f.tasks, *f.units, *table[1:2]}

        return [f for f in findings if f.code == self.code and involved & names(f)]


def conflicts(code: str, *, max_tasks: int = 4, max_units: int = 4, templates: bool = False,
              repeat: bool = False, calendar: str | st.SearchStrategy[str] | None = None,
              ) -> st.SearchStrategy[Conflict]:
    """Campaigns with exactly one planted conflict of check ``code``, as ``Conflict`` values.

    The campaign is drawn as by ``campaigns()`` (with approvals, and with
    solicitations for the CF4xx codes), then one thing is broken: a
    dependency closes a cycle (CF101), a task is due before it can be done
    (CF202), two units solicit each other (CF401), and so on for every code
    in ``CONFLICT_CODES``. The check of ``code`` reports it once and other
    checks report nothing, except that a hierarchy cycle (CF102) leaves its
    units without ancestors, so CF303 (info) may call a former superior's
    approval misplaced. Conflicts are added rather than edited in where
    possible (a new task, a new unit), so the rest of the plan stays valid.

    Args:
        code: a code of ``CONFLICT_CODES``.
        max_tasks: most tasks before planting (the planted ones come on top).
        max_units: most units before planting.
        templates: include template instances around the conflict.
        repeat: include repeated tasks around the conflict.
        calendar: a calendar name or strategy of names (default: any; for
            CF203 one with days off).

    Example:
        >>> conflicts("CF202").example().tasks  # doctest: +SKIP
        ('rushed',)
    """
    if code not in PLANTERS:
        msg = f"no conflict strategy for {code!r}; known codes: {', '.join(CONFLICT_CODES)}"
        raise InvalidArgument(msg)
    check_int("max_tasks", max_tasks, low=1)
    check_int("max_units", max_units, low=1)
    check_bool("templates", templates)
    check_bool("repeat", repeat)
    if code in _NEEDS_OFFICIAL_DATA and calendar not in (None, "cn-workdays"):
        msg = f"{code} needs a calendar built on official data that ends somewhere: 'cn-workdays'"
        raise InvalidArgument(msg)
    if code in _NEEDS_OFFICIAL_DATA:
        cal = st.just("cn-workdays")
    elif calendar is None:
        cal = st.sampled_from(("weekdays", "cn-workdays")) if code in _NEEDS_DAYS_OFF else calendars()
    elif code in _NEEDS_DAYS_OFF and calendar == "all-days":
        msg = f"{code} needs a calendar with days off; 'all-days' has none"
        raise InvalidArgument(msg)
    else:
        cal = as_strategy("calendar", calendar, kind=str)
    spec = Spec(min_tasks=1, max_tasks=max_tasks, max_units=max_units, templates=templates, repeat=repeat,
                approvals=True, solicitations=code.startswith("CF4"), capacity=False, annotations=False,
                calendar=cal)
    planter = PLANTERS[code]

    @st.composite
    def planted(draw: st.DrawFn) -> Conflict:
        draft = draw(drafts(spec))
        what = planter(draw, draft)
        return Conflict(code=code, campaign=draft.finish(), tasks=what.tasks, units=what.units)

    return planted()


def campaigns_with_conflict(code: str, **kwargs: object) -> st.SearchStrategy[Campaign]:
    """Campaigns with exactly one planted conflict of ``code``: ``conflicts(code, ...)``'s campaigns.

    Example:
        >>> campaigns_with_conflict("CF401").example()  # doctest: +SKIP
        Campaign(id='demo', ...)
    """
    return conflicts(code, **kwargs).map(lambda c: c.campaign)  # type: ignore[arg-type]
