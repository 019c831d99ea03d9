"""Assertions for plan tests: a plan is valid, or has exactly the findings expected.

Failures read like ``campaignflow validate``'s output, so a broken plan test
says what is wrong with the plan and where, not which list differed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Union

from ..checks import code_matches, validate
from ..findings import Finding, Severity
from ..model import Campaign

if TYPE_CHECKING:
    from ..plugins.manager import Plugins

__all__ = ["assert_plan_valid", "assert_findings", "Expected"]

#: What ``assert_findings`` expects: a code (``"CF203"``), ``(code, where)``
#: where ``where`` is a task id, a unit id or a key path of the finding, or
#: ``(code, file, line)``.
Expected = Union[str, tuple[str, str], tuple[str, str, int]]


def _campaign(plan: Campaign | str | PathLike[str]) -> Campaign:
    if isinstance(plan, Campaign):
        return plan
    from ..load import load_plan

    return load_plan(plan)


def _render(findings: Sequence[Finding], campaign: Campaign) -> str:
    from ..cli.report import render_text

    return render_text(findings, campaign, lang="en", color=False)


def assert_plan_valid(plan: Campaign | str | PathLike[str], *, allow: Iterable[str] = (),
                      severity: Severity | str = Severity.WARNING, plugins: Plugins | None = None) -> list[Finding]:
    """Fail unless the plan has no finding at ``severity`` or above, apart from ``allow``.

    Args:
        plan: a loaded campaign, or a plan file to load.
        allow: codes or code prefixes (``"CF203"``, ``"CF2"``) that may be reported.
        severity: the least severity that fails; ``"error"`` lets warnings pass.
        plugins: the plugins whose checks run (default: the process default).

    Returns:
        Every finding, allowed ones and those below ``severity`` included.

    Raises:
        AssertionError: listing the offending findings as ``validate`` prints them.

    Example:
        >>> assert_plan_valid(campaign, allow=["CF203"])  # doctest: +SKIP
    """
    __tracebackhide__ = True
    campaign = _campaign(plan)
    least = Severity.parse(severity)
    allowed = tuple(allow)
    findings = validate(campaign, plugins=plugins)
    bad = [f for f in findings if f.severity >= least and not code_matches(f.code, allowed)]
    if bad:
        head = f"plan {campaign.id!r} is not valid: {len(bad)} finding(s) at {least} or above"
        if allowed:
            head += f" (allowed: {', '.join(allowed)})"
        raise AssertionError(f"{head}\n\n{_render(bad, campaign)}")
    return findings


def _matches(finding: Finding, expected: Expected) -> bool:
    if isinstance(expected, str):
        return finding.code == expected
    code, *where = expected
    if finding.code != code:
        return False
    if len(where) == 2:
        file, line = where
        loc = finding.location
        return loc.line == line and (loc.file or "").replace("\\", "/").endswith(str(file))
    (what,) = where
    return what in finding.tasks or what in finding.units or finding.location.key_path == what


def _describe(expected: Expected) -> str:
    if isinstance(expected, str):
        return expected
    code, *where = expected
    return f"{code} at {':'.join(str(w) for w in where)}"


def assert_findings(plan: Campaign | str | PathLike[str], expected: Iterable[Expected], *, exact: bool = True,
                    severity: Severity | str = Severity.INFO, plugins: Plugins | None = None) -> list[Finding]:
    """Fail unless the plan's findings are the ``expected`` ones.

    Each expected item matches one finding (a code listed twice needs two).
    With ``exact`` (the default) every finding at ``severity`` or above must
    be matched too; without it, other findings are allowed.

    Args:
        plan: a loaded campaign, or a plan file to load.
        expected: codes, ``(code, task/unit id or key path)`` or ``(code, file, line)``.
        exact: also fail on findings nobody expected.
        severity: findings below this are ignored (default: none are).
        plugins: the plugins whose checks run (default: the process default).

    Returns:
        The findings at ``severity`` or above.

    Example:
        >>> assert_findings(campaign, ["CF203", ("CF202", "report")])  # doctest: +SKIP
    """
    __tracebackhide__ = True
    campaign = _campaign(plan)
    least = Severity.parse(severity)
    findings = [f for f in validate(campaign, plugins=plugins) if f.severity >= least]
    unmatched = list(findings)
    missing: list[Expected] = []
    # Specific expectations first, so that a bare code does not take the finding a located one needs.
    for item in sorted(expected, key=lambda e: isinstance(e, str)):
        hit = next((f for f in unmatched if _matches(f, item)), None)
        if hit is None:
            missing.append(item)
        else:
            unmatched.remove(hit)
    extra = unmatched if exact else []
    if missing or extra:
        lines = [f"findings of plan {campaign.id!r} differ from those expected"]
        if missing:
            lines.append("missing: " + ", ".join(_describe(m) for m in missing))
        if extra:
            counts = Counter(f.code for f in extra)
            lines.append("not expected: " + ", ".join(f"{c}" + (f" x{n}" if n > 1 else "") for c, n in counts.items()))
        lines.append("")
        lines.append(_render(findings, campaign))
        raise AssertionError("\n".join(lines))
    return findings
