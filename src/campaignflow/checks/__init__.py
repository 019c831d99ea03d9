"""Checks: the ``Check`` base class, the shared analysis, and ``run_checks``.

Every check, built-in ones included, is a class registered by a plugin
through ``campaignflow_register_checks``. A check reads the campaign (and the
lazily computed analysis shared by all checks of one run) and yields findings.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from ..calendar import Calendar, WorkAxis
from ..findings import Finding, Fix, Location, Severity, Text
from ..model import Campaign, start_instant

if TYPE_CHECKING:
    from ..graph import CriticalPath
    from ..plugins.manager import Plugins
    from ._hierarchy import Hierarchy
    from ._solicit import Solicitations

__all__ = ["Check", "CheckContext", "Analysis", "run_checks", "validate", "CRASH_CODE", "code_matches"]

#: Code of the finding reported when a check raises instead of returning.
CRASH_CODE = "CF001"

_CODE_RE = re.compile(r"[A-Z]{2,}[0-9]{3,}")


class Check:
    """Base of every check. Subclass, set the class attributes, implement ``run``.

    The class docstring is the check's documentation page: what triggers it
    and how to fix it, with TOML examples.
    """

    #: Stable code, e.g. ``CF202``. Built-in checks own ``CF``; plugins use their own prefix.
    code: ClassVar[str] = ""
    #: Stable dotted name, e.g. ``time.deadline-unmeetable``.
    name: ClassVar[str] = ""
    #: Severity unless the plan's ``[checks]`` says otherwise.
    default_severity: ClassVar[Severity] = Severity.ERROR
    #: One line saying what the check finds, in English and Chinese.
    summary: ClassVar[Text] = Text("")
    #: Options the check accepts under ``[checks.options.CODE]``, with their defaults.
    options: ClassVar[Mapping[str, Any]] = {}
    #: Other codes or names that select this check.
    aliases: ClassVar[tuple[str, ...]] = ()
    #: An opt-in check runs only on plans that configure it: ``[checks.options.CODE]``
    #: or its code in ``[checks] select``. A plugin's rules for its own document
    #: set this, so they follow that plan (and copies of it) and leave others alone.
    opt_in: ClassVar[bool] = False

    @classmethod
    def applies_to(cls, campaign: Campaign) -> bool:
        """Whether the check runs on ``campaign`` (see ``opt_in``)."""
        config = campaign.checks
        return not cls.opt_in or cls.code in config.options or cls.code in config.select

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        """Yield the findings for ``ctx.campaign``."""
        raise NotImplementedError


class Analysis:
    """Computations several checks need, done at most once per validation run."""

    def __init__(self, campaign: Campaign, calendar: Calendar) -> None:
        self.campaign = campaign
        self.calendar = calendar

    @functools.cached_property
    def axis(self) -> WorkAxis:
        """Working time on the campaign calendar, with day 0 at the campaign's start."""
        return WorkAxis(self.calendar, start_instant(self.campaign.start).date())

    @functools.cached_property
    def cpm(self) -> CriticalPath | None:
        """The critical path method's result, or ``None`` when the dependencies form a
        cycle (CF101 reports it; time checks have nothing to measure). Computed once."""
        from ..errors import CycleError
        from ..graph import critical_path

        try:
            return critical_path(self.campaign, calendar=self.calendar, axis=self.axis)
        except CycleError:
            return None

    @functools.cached_property
    def hierarchy(self) -> Hierarchy:
        """The unit hierarchy numbered for O(1) ancestor tests (``checks._hierarchy``)."""
        from ._hierarchy import Hierarchy

        return Hierarchy(self.campaign)

    @functools.cached_property
    def solicitations(self) -> Solicitations:
        """Who solicits whom, by reference (``checks._solicit``), for CF401 and CF402."""
        from ._solicit import Solicitations

        return Solicitations(self.campaign)


@attrs.define
class CheckContext:
    """What a check gets: the campaign, its options and severity, the shared analysis."""

    campaign: Campaign
    analysis: Analysis
    code: str
    severity: Severity
    options: Mapping[str, Any]

    @property
    def calendar(self) -> Calendar:
        return self.analysis.calendar

    def locate(self, key_path: str) -> Location:
        return self.campaign.locate(key_path)

    def finding(
        self,
        message: Text | str,
        *,
        key_path: str,
        tasks: Sequence[str] = (),
        units: Sequence[str] = (),
        hint: Text | str | None = None,
        related: Sequence[str] = (),
        fixes: Sequence[Fix] = (),
    ) -> Finding:
        """A finding of this check, located at ``key_path`` (and ``related`` key paths).

        ``fixes`` are offered to ``validate --fix``; their edits are given the file of the key they change.
        """
        return Finding(
            code=self.code,
            severity=self.severity,
            message=message,
            location=self.locate(key_path),
            tasks=tuple(tasks),
            units=tuple(units),
            hint=hint,
            related=tuple(self.locate(k) for k in related),
            fixes=tuple(attrs.evolve(f, edits=[e if e.file else attrs.evolve(e, file=self.locate(e.key_path).file)
                                                for e in f.edits]) for f in fixes),
        )


def code_matches(code: str, patterns: Iterable[str]) -> bool:
    """Whether ``code`` is selected by any pattern: a code or a prefix (``CF2``, ``CF``)."""
    return any(code.startswith(p) for p in patterns)


def _enabled(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    if select and not code_matches(code, select):
        return False
    return not code_matches(code, ignore)


def run_checks(
    campaign: Campaign,
    *,
    plugins: Plugins | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    severity: Mapping[str, Severity | str] | None = None,
) -> list[Finding]:
    """Run every enabled check on ``campaign`` and return the findings, sorted.

    Which checks run: the plan's ``[checks] select/ignore`` then the
    arguments (command-line ``--select/--ignore``), codes or prefixes.
    Severity: the check's default, then the plan's ``[checks.severity]``,
    then ``severity``. A check that raises becomes a ``CF001`` error finding
    naming the check and its plugin; the other checks still run.
    """
    from ..plugins.manager import default_plugins

    plugins = plugins or default_plugins()
    config = campaign.checks
    from ..calendar import campaign_calendar

    calendar = campaign_calendar(campaign, plugins)
    analysis = Analysis(campaign, calendar)
    overrides: dict[str, Severity] = {k: Severity.parse(v) for k, v in config.severity.items()}
    overrides.update({k: Severity.parse(v) for k, v in (severity or {}).items()})

    findings: list[Finding] = []
    for code, cls in sorted(plugins.checks().items()):
        if not _enabled(code, config.select, config.ignore) or not _enabled(code, select, ignore):
            continue
        if not cls.applies_to(campaign):
            continue
        options = {**cls.options, **config.options_for(code)}
        level = overrides.get(code, cls.default_severity)
        ctx = CheckContext(campaign=campaign, analysis=analysis, code=code, severity=level, options=options)
        try:
            findings.extend(_tagged(cls().run(ctx), code, level))
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
            plugin = plugins.check_plugin(code)
            findings.append(Finding(
                code=CRASH_CODE,
                severity=Severity.ERROR,
                message=Text(f"check {code} (plugin {plugin!r}) crashed: {type(exc).__name__}: {exc}",
                             f"检查 {code}(插件 {plugin!r})运行出错:{type(exc).__name__}: {exc}"),
                location=Location(file=campaign.source),
                hint=Text("this is a bug in the check, not in the plan; please report it to the plugin's authors",
                          "这是检查程序的缺陷而非方案的问题,请向插件作者报告"),
            ))
    findings.sort(key=Finding.key)
    return findings


def _tagged(found: Iterable[Finding], code: str, level: Severity) -> Iterator[Finding]:
    # A check may build findings by hand; make sure code and severity follow the config.
    for f in found:
        if f.code == code and f.severity != level:
            f = attrs.evolve(f, severity=level)
        yield f


def validate(
    campaign: Campaign,
    *,
    plugins: Plugins | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> list[Finding]:
    """Every finding of every enabled check on ``campaign``, sorted by location.

    The public entry point; see ``run_checks`` for how checks are selected.
    """
    return run_checks(campaign, plugins=plugins, select=select, ignore=ignore)
