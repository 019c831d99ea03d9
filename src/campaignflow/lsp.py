"""``campaignflow lsp``: a language server for plan files (extra ``lsp``, pygls 2).

As the author types, the server loads the buffer (with its includes from
disk) and runs the checks, and answers:

- diagnostics located to the key or value (the loader's problems and the checks'
  findings, one per problem, with related locations);
- hover: a key's meaning in English and Chinese (from the JSON Schema), a check's
  documentation over its diagnostic, a unit's, group's, task's or named date's details;
- completion: keys of the table at the cursor, unit and group ids, task ids, ``@date`` names;
- code actions: the fixes of the diagnostics under the cursor (safe ones preferred),
  and "fix all safe" as a source action.

The analysis (:class:`Analysis`, :func:`analyse`) does not need pygls; only
:func:`create_server` does.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import attrs

from .errors import PlanError
from .findings import Applicability, Edit, Fix, Location, Severity, Text
from .fix import apply_edits

if TYPE_CHECKING:
    from .model import Campaign
    from .plugins.manager import Plugins

__all__ = ["Analysis", "Item", "analyse", "create_server", "key_doc_at", "section_at"]

# -- what the server reports ----------------------------------------------------------


@attrs.frozen
class Item:
    """One diagnostic: a load problem or a check's finding, in one shape."""

    code: str
    severity: Severity
    message: Text
    location: Location
    hint: Text | None = None
    related: tuple[Location, ...] = ()
    fixes: tuple[Fix, ...] = ()
    #: Whether it comes from a check (hover shows the check's documentation).
    check: bool = False


@attrs.frozen
class Analysis:
    """What the server knows of one buffer: its diagnostics and the names it can complete."""

    path: str
    text: str
    items: tuple[Item, ...]
    campaign: Campaign | None = None
    units: dict[str, str] = attrs.field(factory=dict)
    groups: dict[str, str] = attrs.field(factory=dict)
    tasks: dict[str, str] = attrs.field(factory=dict)
    templates: dict[str, str] = attrs.field(factory=dict)
    dates: dict[str, str] = attrs.field(factory=dict)


# Load problems about references a file included by another plan cannot judge alone.
_FRAGMENT_SKIPS = ("missing-format", "missing-campaign")


def _fragment_skip(code: str) -> bool:
    return code in _FRAGMENT_SKIPS or (code.startswith("unknown-") and code != "unknown-key")


def analyse(text: str, path: str, plugins: Plugins, *, previous: Analysis | None = None) -> Analysis:
    """Load ``text`` (as the file ``path``: includes are read from beside it) and run the checks."""
    from .checks import run_checks
    from .load import loads

    raw: dict[str, Any] | None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raw = None
    # A file with no [campaign] is one a plan includes: judged for its shape only.
    fragment = raw is not None and "campaign" not in raw and "format" not in raw
    items: list[Item] = []
    campaign = None
    try:
        campaign = loads(text, filename=path, plugins=plugins)
    except PlanError as exc:
        for p in exc.problems:
            if fragment and _fragment_skip(p.code):
                continue
            items.append(Item(p.code, Severity.ERROR, p.message, p.location, p.hint, p.related, p.fixes))
    else:
        for f in run_checks(campaign, plugins=plugins):
            items.append(Item(f.code, f.severity, f.message, f.location, f.hint, f.related, f.fixes, check=True))
    names = _names(raw, campaign, previous)
    if campaign is None and raw is not None:
        # The plan does not load yet: the names of its includes still complete.
        for extra in _included(raw, path):
            more = _names(extra, None, None)
            for key, values in more.items():
                names[key] = {**values, **names[key]}
    return Analysis(path=path, text=text, items=tuple(items), campaign=campaign, **names)


def _names(raw: dict[str, Any] | None, campaign: Campaign | None,
           previous: Analysis | None) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {k: {} for k in ("units", "groups", "tasks", "templates", "dates")}
    if previous is not None:
        # While the buffer does not parse, what was known a keystroke ago still completes.
        for key in out:
            out[key].update(getattr(previous, key))
    if campaign is not None:
        out["units"].update({u.id: u.name for u in campaign.units.values()})
        out["groups"].update({g.id: g.name or "" for g in campaign.groups.values()})
        out["tasks"].update({t.id: t.title for t in campaign.tasks.values() if t.template is None
                             and t.occurrence is None})
        out["dates"].update({k: str(v) for k, v in campaign.dates.items()})
    if raw is not None:
        for section, key, field in (("units", "units", "name"), ("groups", "groups", "name"),
                                    ("tasks", "tasks", "title"), ("templates", "templates", "for_each")):
            table = raw.get(section)
            if isinstance(table, dict):
                for ident, body in table.items():
                    out[key][ident] = str(body.get(field, "")) if isinstance(body, dict) else ""
        dates = raw.get("campaign", {}).get("dates") if isinstance(raw.get("campaign"), dict) else None
        if isinstance(dates, dict):
            out["dates"].update({k: str(v) for k, v in dates.items()})
    return out


def _included(raw: dict[str, Any], path: str) -> list[dict[str, Any]]:
    head = raw.get("campaign")
    include = head.get("include") if isinstance(head, dict) else None
    files = [include] if isinstance(include, str) else include if isinstance(include, list) else []
    out = []
    for name in files[:50]:
        if not isinstance(name, str):
            continue
        try:
            out.append(tomllib.loads((Path(path).parent / name).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
    return out


# -- positions -------------------------------------------------------------------------

_TOKEN = re.compile(r"[\w.\-@#{}+]+")


def token_span(lines: Sequence[str], line: int | None, column: int | None) -> tuple[int, int, int]:
    """The 0-based line and the start and end columns of the key or value at a 1-based location."""
    if not line or line > len(lines):
        return 0, 0, 0
    text = lines[line - 1]
    start = max((column or 1) - 1, 0)
    if start >= len(text):
        return line - 1, len(text), len(text)
    ch = text[start]
    if ch in "\"'":
        end = text.find(ch, start + 1)
        return line - 1, start, (end + 1 if end > 0 else len(text))
    if ch == "[":
        end = text.find("]", start)
        end = text.find("]", end + 1) if text.startswith("[[", start) else end
        return line - 1, start, (end + 1 if end > 0 else len(text))
    if ch == "{":
        return line - 1, start, start + 1
    m = _TOKEN.match(text, start)
    return line - 1, start, (m.end() if m else start + 1)


def _word_at(line: str, col: int) -> tuple[str, int, int] | None:
    for m in re.finditer(r"[\w.\-@#{}]+", line):
        if m.start() <= col <= m.end():
            return m.group(0), m.start(), m.end()
    return None


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]\[]+?)\s*\]\]?")


def section_at(lines: Sequence[str], line: int) -> tuple[str | int, ...]:
    """The key path of the table whose body holds 0-based ``line`` (its header above)."""
    from .load.locate import split_key_path

    for i in range(min(line, len(lines) - 1), -1, -1):
        m = _HEADER.match(lines[i])
        if m is not None and not lines[i].lstrip().startswith("#"):
            return split_key_path(m.group(1).replace(" ", ""))
    return ()


# -- the schema at a place ------------------------------------------------------------


def _schema() -> dict[str, Any]:
    from .schema import plan_schema

    global _SCHEMA_CACHE
    if _SCHEMA_CACHE is None:
        _SCHEMA_CACHE = plan_schema()
    return _SCHEMA_CACHE


_SCHEMA_CACHE: dict[str, Any] | None = None


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    root = _schema()
    while "$ref" in node:
        node = root["definitions"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _tables(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The object schemas a value of ``node`` may be (through anyOf and array items)."""
    node = _resolve(node)
    if "anyOf" in node:
        return [t for alt in node["anyOf"] for t in _tables(alt)]
    if node.get("type") == "array" and "items" in node:
        return _tables(node["items"])
    return [node] if node.get("type") == "object" else []


def _schema_at(path: Sequence[str | int]) -> dict[str, Any] | None:
    node: dict[str, Any] = _schema()
    for seg in path:
        if isinstance(seg, int):
            continue
        tables = _tables(node)
        nxt = None
        for table in tables:
            props = table.get("properties", {})
            if seg in props:
                nxt = props[seg]
                break
            extra = table.get("additionalProperties")
            if isinstance(extra, dict):
                nxt = extra
                break
        if nxt is None:
            return None
        node = nxt
    return node


def _properties(path: Sequence[str | int]) -> dict[str, dict[str, Any]]:
    node = _schema_at(path)
    if node is None:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for table in _tables(node):
        out.update(table.get("properties", {}))
    return out


def key_doc_at(lines: Sequence[str], line: int, key: str) -> dict[str, Any] | None:
    """The schema of ``key`` written at 0-based ``line``: in its table, or a table nested in it."""
    section = section_at(lines, line)
    props = _properties(section)
    if key in props:
        return props[key]
    # A key of an inline table (`approvals = [{ by = ... }]`): look one and two levels down.
    for name in props:
        nested = _properties((*section, name))
        if key in nested:
            return nested[key]
        for inner in nested:
            deeper = _properties((*section, name, inner))
            if key in deeper:
                return deeper[key]
    return None


# -- hover and completion -------------------------------------------------------------


def hover_text(analysis: Analysis, lines: Sequence[str], line: int, col: int, plugins: Plugins,
               lang: str = "en") -> str | None:
    """Markdown for the hover at a 0-based position, or ``None``."""
    parts: list[str] = []
    checks = plugins.checks()
    for item in analysis.items:
        if not item.check:
            continue
        row, start, end = token_span(lines, item.location.line, item.location.column)
        if row == line and start <= col <= max(end, start + 1):
            cls = checks.get(item.code)
            if cls is not None:
                doc = inspect.cleandoc(cls.__doc__ or "")
                parts.append(f"**{item.code}** `{cls.name}` — {cls.summary.get(lang)}\n\n{doc}")
    text = lines[line] if line < len(lines) else ""
    found = _word_at(text, col)
    if found is not None:
        word, start, end = found
        before, after = text[:start], text[end:]
        is_key = re.fullmatch(r"\s*", before) is not None or re.search(r"[{,]\s*$", before) is not None
        if is_key and re.match(r"\s*=", after):
            doc = key_doc_at(lines, line, word)
            if doc is not None:
                parts.append(f"**{word}**\n\n{doc.get('description', '')}")
        else:
            parts.extend(_name_hover(analysis, word.strip("\"'")))
    return "\n\n---\n\n".join(parts) or None


def _name_hover(analysis: Analysis, word: str) -> list[str]:
    out = []
    campaign = analysis.campaign
    if word.startswith("@") and word[1:] in analysis.dates:
        out.append(f"**@{word[1:]}** = {analysis.dates[word[1:]]} (date · 日期)")
    if word in analysis.units:
        detail = f"**{word}**: {analysis.units[word]} (unit · 单位)"
        if campaign is not None and word in campaign.units:
            unit = campaign.units[word]
            extra = [x for x in (unit.name_en, unit.kind, f"parent {unit.parent}" if unit.parent else None) if x]
            if extra:
                detail += " — " + ", ".join(extra)
        out.append(detail)
    if word in analysis.groups:
        detail = f"**{word}**: {analysis.groups[word] or word} (group · 单位组)"
        if campaign is not None and word in campaign.groups:
            units = campaign.groups[word].units
            if units:
                more = f" … (+{len(units) - 10})" if len(units) > 10 else ""
                detail += f" — {len(units)} units: " + ", ".join(units[:10]) + more
        out.append(detail)
    if word in analysis.tasks:
        out.append(f"**{word}**: {analysis.tasks[word]} (task · 任务)")
    return out


#: Keys whose values are unit ids (or groups of them, except where noted).
_UNIT_KEYS = frozenset({"lead", "parent", "issuer"})
_UNIT_OR_GROUP_KEYS = frozenset({"partners", "co_leads", "solicits", "by", "under", "members", "except", "a", "b",
                                 "to", "reports_to"})
_TASK_KEYS = frozenset({"after", "task"})
_DATE_KEYS = frozenset({"start", "due", "on", "end"})
_ENUMS = {"mode": ("all", "any"), "every": ("week", "month", "quarter")}


@attrs.frozen
class Completion:
    """One completion: the text to insert, what it is, and a detail to show beside it."""

    label: str
    kind: str
    detail: str = ""
    insert: str | None = None
    documentation: str | None = None


def completions(analysis: Analysis, lines: Sequence[str], line: int, col: int,
                plugins: Plugins | None = None) -> list[Completion]:
    """What may be written at a 0-based position."""
    text = lines[line] if line < len(lines) else ""
    prefix = text[:col]
    if re.fullmatch(r"\s*[\w\-]*", prefix):
        section = section_at(lines, line)
        present = _keys_written(lines, line)
        return [Completion(k, "key", insert=f"{k} = ", documentation=v.get("description"))
                for k, v in sorted(_properties(section).items()) if k not in present]
    quoted = prefix.count('"') % 2 == 1
    m = re.search(r"([\w\-]+)\s*=\s*[^=]*$", prefix)
    key = m.group(1) if m else None

    def value(label: str) -> str:
        return label if quoted else f'"{label}"'

    if (quoted and re.search(r'"@[\w.\-]*$', prefix)) or key in _DATE_KEYS:
        # After a typed `@` the client inserts at the cursor: the name alone.
        at = quoted and prefix.endswith("@")
        return [Completion(f"@{k}", "date", v, insert=k if at else value(f"@{k}"))
                for k, v in sorted(analysis.dates.items())]
    if key in _UNIT_KEYS or key in _UNIT_OR_GROUP_KEYS:
        out = [Completion(u, "unit", name, insert=value(u)) for u, name in sorted(analysis.units.items())]
        if key in _UNIT_OR_GROUP_KEYS:
            out += [Completion(g, "group", name, insert=value(g)) for g, name in sorted(analysis.groups.items())]
        return out
    if key == "for_each":
        return [Completion(g, "group", name, insert=value(g)) for g, name in sorted(analysis.groups.items())]
    if key in _TASK_KEYS:
        out = [Completion(t, "task", title, insert=value(t)) for t, title in sorted(analysis.tasks.items())]
        out += [Completion(f"{t}@*", "task", f"every instance of template {t}", insert=value(f"{t}@*"))
                for t in sorted(analysis.templates)]
        return out
    if key in _ENUMS:
        return [Completion(v, "value", insert=value(v)) for v in _ENUMS[key]]
    if key == "calendar" and plugins is not None:
        return [Completion(c, "value", insert=value(c)) for c in sorted(plugins.calendars())]
    return []


def _keys_written(lines: Sequence[str], line: int) -> set[str]:
    # The keys already in the table at the cursor (between its header and the next).
    start = line
    while start > 0 and not _HEADER.match(lines[start]):
        start -= 1
    out = set()
    for i in range(start + 1 if _HEADER.match(lines[start] if lines else "") else start, len(lines)):
        if i != start and _HEADER.match(lines[i]):
            break
        m = re.match(r"\s*([\w\-]+)\s*=", lines[i])
        if m and i != line:
            out.add(m.group(1))
    return out


# -- code actions ---------------------------------------------------------------------


def _same_file(edit: Edit, path: str) -> bool:
    return edit.file in (None, path, "<string>") or Path(edit.file).resolve() == Path(path).resolve()


def fixed_text(text: str, fixes: Iterable[Fix], path: str) -> str | None:
    """``text`` with the fixes' edits of this file applied, or ``None`` when none applies."""
    edits = [e for f in fixes for e in f.edits if _same_file(e, path)]
    new, done = apply_edits(text, edits)
    return new if done and new != text else None


def minimal_edit(old: str, new: str) -> tuple[int, int, str]:
    """The smallest run of whole lines to replace: (first line, end line exclusive, new text)."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, len(a) - tail, "".join(b[head:len(b) - tail])


# -- the server -----------------------------------------------------------------------


def _path_of(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else uri


def create_server(plugins: Plugins | None = None, lang: str | None = None) -> Any:
    """The pygls ``LanguageServer`` for plan files (start it with ``.start_io()``)."""
    from lsprotocol import types as lsp
    from pygls.lsp.server import LanguageServer

    from . import __version__
    from .cli.output import detect_lang
    from .plugins.manager import default_plugins

    host = plugins if plugins is not None else default_plugins()
    server = LanguageServer("campaignflow", __version__)
    state: dict[str, Any] = {"lang": lang or detect_lang(), "analyses": {}}
    severity = {Severity.ERROR: lsp.DiagnosticSeverity.Error, Severity.WARNING: lsp.DiagnosticSeverity.Warning,
                Severity.INFO: lsp.DiagnosticSeverity.Information}

    def _range(lines: Sequence[str], loc: Location) -> lsp.Range:
        row, start, end = token_span(lines, loc.line, loc.column)
        return lsp.Range(start=lsp.Position(line=row, character=start), end=lsp.Position(line=row, character=end))

    def _diagnostic(item: Item, lines: Sequence[str], uri: str) -> lsp.Diagnostic:
        lang_ = state["lang"]
        message = item.message.get(lang_) + (f"\n{item.hint.get(lang_)}" if item.hint else "")
        related = []
        for rel in item.related:
            rel_uri = uri if rel.file in (None, _path_of(uri)) else Path(rel.file).resolve().as_uri()
            rel_lines = lines if rel_uri == uri else _file_lines(rel.file)
            label = "see also" if lang_ == "en" else "另见"
            related.append(lsp.DiagnosticRelatedInformation(
                location=lsp.Location(uri=rel_uri, range=_range(rel_lines, rel)),
                message=f"{label}: {rel.key_path}" if rel.key_path else label))
        return lsp.Diagnostic(range=_range(lines, item.location), message=message, severity=severity[item.severity],
                              code=item.code, source="campaignflow", related_information=related or None,
                              data={"key_path": item.location.key_path})

    def _refresh(uri: str) -> None:
        doc = server.workspace.get_text_document(uri)
        path = _path_of(uri)
        analysis = analyse(doc.source, path, host, previous=state["analyses"].get(uri))
        state["analyses"][uri] = analysis
        lines = doc.source.splitlines()
        mine = [i for i in analysis.items if i.location.file in (None, path, "<string>")]
        diagnostics = [_diagnostic(i, lines, uri) for i in mine]
        diagnostics += _included_problems([i for i in analysis.items if i not in mine], lines)
        server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, version=doc.version, diagnostics=diagnostics))

    def _included_problems(items: list[Item], lines: Sequence[str]) -> list[lsp.Diagnostic]:
        # Problems of an included file: one diagnostic per file on the `include` line, each problem a
        # related location in that file (the included file's own buffer is judged on its own).
        by_file: dict[str, list[Item]] = {}
        for item in items:
            by_file.setdefault(item.location.file or "", []).append(item)
        row = next((n for n, line in enumerate(lines) if re.match(r"\s*include\s*=", line)), 0)
        out = []
        for file, found in by_file.items():
            file_lines = _file_lines(file)
            lang_ = state["lang"]
            name = Path(file).name
            message = (f"{name}: {len(found)} problem(s): {found[0].message.get(lang_)}" if lang_ == "en"
                       else f"{name}:{len(found)} 个问题:{found[0].message.get(lang_)}")
            related = [lsp.DiagnosticRelatedInformation(
                location=lsp.Location(uri=Path(file).resolve().as_uri(), range=_range(file_lines, i.location)),
                message=f"{i.code}: {i.message.get(lang_)}") for i in found]
            out.append(lsp.Diagnostic(
                range=lsp.Range(start=lsp.Position(line=row, character=0),
                                end=lsp.Position(line=row, character=len(lines[row]) if row < len(lines) else 0)),
                message=message, severity=severity[max(i.severity for i in found)], code="included-file",
                source="campaignflow", related_information=related))
        return out

    @server.feature(lsp.INITIALIZE)
    def _initialize(params: lsp.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and options.get("lang") in ("en", "zh"):
            state["lang"] = options["lang"]

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def _did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        _refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def _did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        _refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def _did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        _refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def _did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        state["analyses"].pop(params.text_document.uri, None)
        server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                              diagnostics=[]))

    def _analysis(uri: str) -> Analysis:
        if uri not in state["analyses"]:
            _refresh(uri)
        return state["analyses"][uri]

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def _hover(params: lsp.HoverParams) -> lsp.Hover | None:
        analysis = _analysis(params.text_document.uri)
        lines = analysis.text.splitlines()
        text = hover_text(analysis, lines, params.position.line, params.position.character, host, state["lang"])
        if text is None:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text))

    kinds = {"key": lsp.CompletionItemKind.Property, "unit": lsp.CompletionItemKind.Reference,
             "group": lsp.CompletionItemKind.Module, "task": lsp.CompletionItemKind.Event,
             "date": lsp.CompletionItemKind.Constant, "value": lsp.CompletionItemKind.EnumMember}

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=['"', "@", "="]))
    def _completion(params: lsp.CompletionParams) -> lsp.CompletionList:
        doc = server.workspace.get_text_document(params.text_document.uri)
        analysis = _analysis(params.text_document.uri)
        items = completions(analysis, doc.source.splitlines(), params.position.line, params.position.character,
                            host)
        return lsp.CompletionList(is_incomplete=False, items=[
            lsp.CompletionItem(label=c.label, kind=kinds[c.kind], detail=c.detail or None, insert_text=c.insert,
                               documentation=(lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=c.documentation)
                                              if c.documentation else None))
            for c in items])

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.SourceFixAll]))
    def _code_action(params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        doc = server.workspace.get_text_document(uri)
        analysis = _analysis(uri)
        text, path = doc.source, _path_of(uri)
        lines = text.splitlines()
        lang_ = state["lang"]
        actions: list[lsp.CodeAction] = []
        first, last = params.range.start.line, params.range.end.line

        def action(title: str, new: str, kind: str, diags: list[lsp.Diagnostic], preferred: bool) -> lsp.CodeAction:
            head, end, replacement = minimal_edit(text, new)
            edit = lsp.TextEdit(range=lsp.Range(start=lsp.Position(line=head, character=0),
                                                end=lsp.Position(line=end, character=0)), new_text=replacement)
            return lsp.CodeAction(title=title, kind=kind, diagnostics=diags or None, is_preferred=preferred or None,
                                  edit=lsp.WorkspaceEdit(changes={uri: [edit]}))

        safe: list[Fix] = []
        for item in analysis.items:
            if not item.fixes or item.location.file not in (None, path, "<string>"):
                continue
            diag = _diagnostic(item, lines, uri)
            safe += [f for f in item.fixes if f.applicability is Applicability.SAFE]
            if not (first <= diag.range.start.line <= last):
                continue
            for fix in item.fixes:
                new = fixed_text(text, [fix], path)
                if new is None:
                    continue
                grade = {Applicability.SAFE: "", Applicability.UNSAFE: " (unsafe · 不安全)",
                         Applicability.DISPLAY: " (suggestion · 建议)"}[fix.applicability]
                actions.append(action(fix.title.get(lang_) + grade, new, lsp.CodeActionKind.QuickFix, [diag],
                                      fix.applicability is Applicability.SAFE))
        if safe:
            new = fixed_text(text, safe, path)
            if new is not None:
                actions.append(action("campaignflow: fix all safe problems" if lang_ == "en"
                                      else "campaignflow:修复全部安全问题", new, lsp.CodeActionKind.SourceFixAll,
                                      [], False))
        return actions

    return server


def _file_lines(file: str | None) -> list[str]:
    try:
        return Path(file or "").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
