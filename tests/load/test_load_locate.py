"""The locator: key paths to line and column, on tricky TOML and on generated documents."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaignflow.load.locate import TomlIndex, join_key, key_path, split_key_path

TRICKY = '''\
# a comment with [brackets] and "quotes" = 1
format = 1  # trailing [comment]
tasks.dotted.title = "a # not a comment"
"quoted key".x = 'it''s [not] a header'

[campaign]
id = "x" # [not.a.header]
desc = """
[not.a.header]
still "text" ]]
"""
lit = \'\'\'
[[also.not]]
\'\'\'
arr = [
  [1, 2],  # nested
  {a = 1, "b.c" = { d = [ 3, 4 ] }},
  "]",
]

[[pairings]]
a = "u1"
[[pairings]]
a = "u2"
b = 'x[y]'
[pairings.doc]
note = "hi"

[ tasks . "exchange meeting" ]
after = ["city-plans", { task = "exhibition", lag = "2d" }]
[units]
ah = { name = "安徽", parent = "cn" }
"a.b" = { name = "dotted id" }
'''


def at(text: str, path: str) -> tuple[int, int, str]:
    index = TomlIndex(text)
    found = index.find(split_key_path(path))
    assert found is not None, path
    depth, offset = found
    assert depth == len(split_key_path(path)), path
    line, column = index.line_col(offset)
    return line, column, text[offset:offset + 12]


def test_tricky_positions():
    assert at(TRICKY, "format")[:2] == (2, 1)
    assert at(TRICKY, "tasks.dotted.title")[2].startswith("title")
    assert at(TRICKY, '"quoted key".x')[:2] == (4, 14)
    assert at(TRICKY, "campaign.id")[:2] == (7, 1)
    assert at(TRICKY, "campaign.lit")[:2] == (12, 1)
    assert at(TRICKY, "campaign.arr[1]")[:2] == (17, 3)
    assert at(TRICKY, 'campaign.arr[1]."b.c".d[1]')[2].startswith("4 ]")
    assert at(TRICKY, "campaign.arr[2]")[2].startswith('"]"')
    assert at(TRICKY, "pairings[0].a")[:2] == (22, 1)
    assert at(TRICKY, "pairings[1].b")[:2] == (25, 1)
    assert at(TRICKY, "pairings[1].doc.note")[:2] == (27, 1)
    assert at(TRICKY, 'tasks."exchange meeting".after[1].task')[:2] == (30, 26)
    assert at(TRICKY, "units.ah.parent")[2].startswith('parent = "cn')
    assert at(TRICKY, 'units."a.b".name')[2].startswith("name")


def test_missing_keys_fall_back_to_the_nearest_parent():
    index = TomlIndex(TRICKY)
    depth, offset = index.find(split_key_path("units.ah.capacity"))
    assert depth == 2 and TRICKY[offset:].startswith("ah =")
    depth, offset = index.find(split_key_path("pairings[7].a"))
    assert depth == 1 and TRICKY[offset:].startswith("[[pairings]]")
    assert index.find(split_key_path("nothing.here")) is None


def test_header_only_and_dotted_tables():
    text = "[a.b.c]\nx = 1\n[a]\ny.z = 2\n"
    assert at(text, "a.b")[:2] == (1, 1)  # implied by [a.b.c]
    assert at(text, "a.y.z")[:2] == (4, 3)
    assert at(text, "a")[:2] == (3, 1)


def test_crlf_and_tabs():
    text = "format = 1\r\n[campaign]\r\n\tid\t=\t\"x\"\r\n"
    assert at(text, "campaign.id")[:2] == (3, 2)


def test_key_path_text():
    assert key_path("tasks", "exchange-meeting", "after", 1, "task") == "tasks.exchange-meeting.after[1].task"
    assert key_path("units", "a.b") == 'units."a.b"'
    assert key_path("templates", "x", "task") == "templates.x.task"
    assert join_key("tasks.x", "after") == "tasks.x.after" and join_key("tasks.x.after", 2) == "tasks.x.after[2]"
    assert split_key_path('tasks."a \\"b\\"".after[0]') == ("tasks", 'a "b"', "after", 0)


_segments = st.one_of(st.integers(min_value=0, max_value=99), st.text(max_size=6))


@given(st.lists(_segments, min_size=1, max_size=6))
def test_key_paths_round_trip(parts):
    assert split_key_path(key_path(*parts)) == tuple(parts)


# -- generated documents ---------------------------------------------------------------------

_key_text = st.text(alphabet="ab-_9 .[]\"'#=é{}\\", min_size=1, max_size=5)
_scalars = st.one_of(
    st.integers(min_value=-10**6, max_value=10**6), st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(alphabet='ab [#]"\'\\\n{}=', max_size=8),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1))
    .map(lambda d: d.replace(microsecond=0)),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_key_text, inner, max_size=3),
    max_leaves=12,
)
_docs = st.dictionaries(_key_text, _values, max_size=5)


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def _scalar(v: Any, style: int) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        if style % 3 == 1 and "'" not in v and "\n" not in v:
            return f"'{v}'"
        if style % 3 == 2:
            # A multi-line string: its lines may look like headers.
            return '"""\n[not.a.header]\n' + json.dumps(v, ensure_ascii=False)[1:-1] + '"""'
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, datetime):
        return v.isoformat()
    return str(v)


def _value(v: Any, style: int) -> str:
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x, style + 1)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        if style % 2:
            return "[\n" + "".join(f"  {_value(x, style + 1)},  # [c]\n" for x in v) + "]"
        return "[" + ", ".join(_value(x, style + 1) for x in v) + "]"
    return _scalar(v, style)


def _write(doc: dict[str, Any], style: int, prefix: tuple[str, ...] = ()) -> str:
    """TOML for ``doc``: plain keys first, then sub-tables as headers (style decides which)."""
    lines: list[str] = []
    tables = []
    for k, v in doc.items():
        if isinstance(v, dict) and v and (style + len(k)) % 2 == 0:
            tables.append((k, v))
        else:
            lines.append(f"{_key(k)} = {_value(v, style + len(k))}")
    out = "\n".join(lines) + "\n"
    for k, v in tables:
        header = ".".join(_key(p) for p in (*prefix, k))
        out += f"\n[{header}]  # header\n" + _write(v, style + 1, (*prefix, k))
    return out


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.append((*prefix, k))
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.append((*prefix, i))
            out.extend(_paths(v, (*prefix, i)))
    return out


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_docs, st.integers(min_value=0, max_value=5))
def test_every_key_of_a_generated_document_is_located(doc, style):
    text = _write(doc, style)
    parsed = tomllib.loads(text)
    assert set(parsed) == set(doc)  # the writer writes TOML with the same keys
    index = TomlIndex(text)
    for path in _paths(parsed):
        found = index.find(path)
        assert found is not None and found[0] == len(path), (path, text)
        offset = found[1]
        last = path[-1]
        if isinstance(last, str):
            assert text.startswith(_key(last), offset) or text[offset] == "[", (path, text[offset:offset + 20])
        else:
            assert not text[offset].isspace()
    assert not index.broken
