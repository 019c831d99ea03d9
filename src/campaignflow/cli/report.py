"""Rendering findings: compiler-style text, JSON, SARIF 2.1.0 and GitHub annotations."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from .. import __version__
from ..findings import Finding, Location, Severity, Text
from .output import t

if TYPE_CHECKING:
    from ..checks import Check
    from ..errors import Problem
    from ..model import Campaign

__all__ = ["LOAD_CODE", "load_findings", "render_text", "to_json", "to_sarif", "render_github", "summary_counts"]

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_SEVERITY_ZH = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}
_DOCS = "docs/checks/{code}.md"
# How a fix is labelled: what applies it.
_APPLICABILITY = (
    {"safe": "safe: --fix", "unsafe": "unsafe: --fix --unsafe-fixes", "display-only": "suggestion"},
    {"safe": "安全:--fix", "unsafe": "不安全:--fix --unsafe-fixes", "display-only": "建议"},
)


@functools.lru_cache(maxsize=64)
def _source_lines(file: str) -> tuple[str, ...]:
    try:
        return tuple(Path(file).read_text(encoding="utf-8-sig").splitlines())
    except (OSError, UnicodeDecodeError):
        return ()


def summary_counts(findings: Sequence[Finding]) -> dict[str, int]:
    counts = Counter(str(f.severity) for f in findings)
    return {"error": counts["error"], "warning": counts["warning"], "info": counts["info"]}


def _severity_label(severity: Severity, lang: str) -> str:
    return _SEVERITY_ZH[severity] if lang == "zh" else str(severity)


def render_text(findings: Sequence[Finding], campaign: Campaign | None, *, lang: str, color: bool) -> str:
    """One block per finding, like a compiler's, then a summary line."""

    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    out: list[str] = []
    for f in findings:
        loc = f.location
        head = f"{loc}: {style(f.code, bold=True)} " + style(_severity_label(f.severity, lang),
                                                                fg=_COLOURS[f.severity], bold=True)
        out.append(f"{head}: {f.message.get(lang)}")
        if loc.file and loc.line:
            lines = _source_lines(loc.file)
            if 0 < loc.line <= len(lines):
                gutter = f"{loc.line:>5} | "
                out.append(gutter + lines[loc.line - 1])
                col = max((loc.column or 1) - 1, 0)
                out.append(" " * (len(gutter) - 2) + "| " + " " * col + style("^", fg=_COLOURS[f.severity]))
        if len(f.tasks) > 1:
            # A set, not a chain: checks that have a chain or a cycle say it in the message.
            out.append(f"      {t(lang, 'tasks', '任务')}: " + ", ".join(f.tasks))
        if f.units:
            out.append(f"      {t(lang, 'units', '单位')}: " + ", ".join(f.units))
        for rel in f.related:
            out.append(f"      {t(lang, 'see also', '另见')}: {rel}" + (f" ({rel.key_path})" if rel.key_path else ""))
        if f.hint is not None:
            out.append(f"      {style(t(lang, 'hint', '建议'), bold=True)}: {f.hint.get(lang)}")
        for fix in f.fixes:
            label = t(lang, "fix", "修复") + f" [{_APPLICABILITY[lang == 'zh'][str(fix.applicability)]}]"
            out.append(f"      {style(label, bold=True)}: {fix.title.get(lang)}")
        out.append("")
    counts = summary_counts(findings)
    name = campaign.source if campaign is not None and campaign.source else "plan"
    if lang == "zh":
        line = f"{name}:{counts['error']} 个错误,{counts['warning']} 个警告,{counts['info']} 条提示"
    else:
        line = (f"{name}: {counts['error']} error(s), {counts['warning']} warning(s), "
                f"{counts['info']} info")
    out.append(style(line, bold=True))
    return "\n".join(out)


#: The code of a finding that is a load problem: the plan did not load, so no check ran.
LOAD_CODE = "CF000"


def load_findings(problems: Sequence[Problem], plan: str) -> list[Finding]:
    """The problems of a plan that did not load, as error findings (``CF000``) at their locations.

    The problem's own kind (``toml-syntax``, ``unknown-key`` ...) leads the message.
    """
    out = []
    for p in problems:
        loc = p.location if p.location.file else attrs.evolve(p.location, file=plan)
        path = f"`{loc.key_path}`: " if loc.key_path else ""
        fixes = [attrs.evolve(f, edits=[e if e.file else attrs.evolve(e, file=loc.file) for e in f.edits])
                 for f in p.fixes]
        out.append(Finding(code=LOAD_CODE, severity=Severity.ERROR, location=loc, hint=p.hint, fixes=fixes,
                           related=p.related,
                           message=Text(f"{p.code}: {path}{p.message.en}", f"{p.code}:{path}{p.message.get('zh')}")))
    return out


def to_json(findings: Sequence[Finding], campaign: Campaign | None, *, lang: str,
            file: str | None = None) -> dict[str, Any]:
    """The stable ``validate --format json`` document (docs/cli.md); ``campaign`` is ``None`` if it did not load."""
    plan = ({"id": campaign.id, "name": campaign.name, "file": campaign.source} if campaign is not None
            else {"id": None, "name": None, "file": file})
    return {
        "format_version": 1,
        "campaignflow_version": __version__,
        "loaded": campaign is not None,
        "plan": plan,
        "findings": [f.to_dict(lang) for f in findings],
        "summary": summary_counts(findings),
    }


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def to_sarif(results: Sequence[tuple[Campaign | None, Sequence[Finding]]], checks: dict[str, type[Check]],
             *, lang: str) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run, so code-scanning tools show findings on the plan's lines."""
    used = sorted({f.code for _, fs in results for f in fs})
    rules = []
    for code in used:
        cls = checks.get(code)
        rule: dict[str, Any] = {"id": code, "helpUri": _DOCS.format(code=code)}
        if code == LOAD_CODE:
            rule["helpUri"] = "docs/cli.md"
            rule["name"] = "plan-does-not-load"
            rule["shortDescription"] = {"text": t(lang, "The plan file does not load", "方案文件无法载入")}
            rule["defaultConfiguration"] = {"level": "error"}
        elif cls is not None:
            rule["name"] = cls.name
            rule["shortDescription"] = {"text": cls.summary.get(lang) or cls.name}
            rule["defaultConfiguration"] = {"level": _SARIF_LEVEL[cls.default_severity]}
        rules.append(rule)
    index = {code: i for i, code in enumerate(used)}
    sarif_results = []
    for _campaign, findings in results:
        for f in findings:
            message = f.message.get(lang) + (f" ({f.hint.get(lang)})" if f.hint else "")
            result: dict[str, Any] = {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": message},
                "locations": [{"physicalLocation": _physical(f.location),
                               "logicalLocations": [{"fullyQualifiedName": f.location.key_path}]}],
            }
            if f.related:
                # The other end of a cycle, the unit that solicits back: shown beside the result.
                result["relatedLocations"] = [
                    {"id": i, "physicalLocation": _physical(rel), "message": {"text": rel.key_path or str(rel)},
                     "logicalLocations": [{"fullyQualifiedName": rel.key_path}]}
                    for i, rel in enumerate(f.related)]
            sarif_results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "campaignflow", "version": __version__,
                                "informationUri": "https://pypi.org/project/campaignflow/", "rules": rules}},
            "results": sarif_results,
        }],
    }


def _physical(loc: Location) -> dict[str, Any]:
    region: dict[str, int] = {}
    if loc.line:
        region["startLine"] = loc.line
        if loc.column:
            region["startColumn"] = loc.column
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(loc.file)}}
    if region:
        physical["region"] = region
    return physical


def _uri(file: str | None) -> str:
    if not file:
        return "plan.toml"
    path = Path(file)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _gh_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_escape(text).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: Sequence[Finding], *, lang: str) -> str:
    """GitHub Actions workflow commands: ``::error file=...,line=...::message``."""
    lines = []
    for f in findings:
        props = [f"file={_gh_prop(_uri(f.location.file))}"]
        if f.location.line:
            props.append(f"line={f.location.line}")
            if f.location.column:
                props.append(f"col={f.location.column}")
        props.append(f"title={_gh_prop(f.code)}")
        lines.append(f"::{_GITHUB_LEVEL[f.severity]} {','.join(props)}::{_gh_escape(f.message.get(lang))}")
    return "\n".join(lines)
