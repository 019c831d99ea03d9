"""The fast replay (issue 11) gives what the straightforward one gives, byte for byte and state for state.

``replay_events`` (msgspec structs instead of ``Event``) must read every stored text as
``Event.from_json`` does, and refuse what it refuses; the fold (``replay``: each task's record
built once) must give the state that ``apply``, event by event, gives.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignflow.errors import TamperedLogError
from campaignflow.runtime import GENESIS, Draft, Event, EventKind, SQLiteStore
from campaignflow.runtime.events import replay_events
from campaignflow.runtime.states import State, TaskState, apply, replay

from test_event_codec import _chain, drafts

_FIELDS = [a.name for a in attrs.fields(Event) if not a.name.startswith("_")]


def _same(fast: object, slow: Event) -> None:
    for name in _FIELDS:
        assert getattr(fast, name) == getattr(slow, name), name
    assert type(fast.kind) is EventKind  # the reducer compares kinds by identity
    assert fast.expected_hash() == slow.expected_hash()


@given(st.lists(drafts, min_size=1, max_size=8))
def test_the_fast_reading_gives_the_fields_from_json_gives(items):
    events = _chain(items)
    rows = [(e.body(), e.hash) for e in events]
    fast = list(replay_events(rows))
    assert len(fast) == len(events)
    for f, e in zip(fast, events, strict=True):
        _same(f, Event.from_json(e.body(), e.hash))


def test_msgspec_is_installed_in_the_test_environment():
    # The fast path is what the replay aim is measured with; the test extra installs it.
    pytest.importorskip("msgspec")
    event = Draft(campaign="c", kind=EventKind.STARTED, at=datetime(2020, 7, 1, 9), task="t").seal(1, GENESIS)
    (fast,) = replay_events([(event.body(), event.hash)])
    assert not isinstance(fast, Event)


def _edits(text: str) -> list[str]:
    data = json.loads(text)
    return [
        text.replace(",", ", "), text + " ", " " + text,
        json.dumps(dict(reversed(data.items())), ensure_ascii=False, separators=(",", ":")),
        json.dumps(data, ensure_ascii=True, separators=(",", ":")),
        json.dumps({**data, "step": True}, ensure_ascii=False, separators=(",", ":")),
        json.dumps({**data, "step": 1.0}, ensure_ascii=False, separators=(",", ":")),
        json.dumps({**data, "kind": "no-such-kind"}, ensure_ascii=False, separators=(",", ":")),
        json.dumps({**data, "at": "2020-07-01T09:00:00+08:00"}, ensure_ascii=False, separators=(",", ":")),
        json.dumps({**data, "extra": 1}, ensure_ascii=False, separators=(",", ":")),
        text[:-1] + ',"seq":7}', text.replace('"', "'", 2), "", "[]", text[:-1],
    ]


@given(drafts)
def test_other_texts_are_read_or_refused_as_from_json_does(draft):
    event = draft.seal(1, GENESIS)
    for text in _edits(event.body()):
        try:
            slow = Event.from_json(text, event.hash)
        except TamperedLogError as exc:
            with pytest.raises(TamperedLogError) as info:
                list(replay_events([(text, event.hash)]))
            assert str(info.value) == str(exc)
            continue
        (fast,) = replay_events([(text, event.hash)])
        _same(fast, slow)


# -- the fold ------------------------------------------------------------------------------------

_TASKS = ["a", "b", "c", None]
_WHO = st.sampled_from(["u1", "u2", "u3", None])
_T0 = datetime(2020, 7, 1, 9)


@st.composite
def _drafts(draw: st.DrawFn) -> Draft:
    kind = draw(st.sampled_from([k for k in EventKind if k is not EventKind.AMENDED]))
    when = _T0 + timedelta(hours=draw(st.integers(0, 500)))
    if kind in (EventKind.EXTENSION_REQUESTED, EventKind.EXTENDED, EventKind.DEPUTY_APPOINTED):
        ref = (when + timedelta(days=draw(st.integers(1, 9)))).isoformat()
    elif kind in (EventKind.OPENED, EventKind.REPLANNED):
        ref = draw(st.sampled_from(["fp1", "fp2"]))
    else:
        ref = draw(st.sampled_from([None, "partial", "due", "level:red@2020-07-09", "0:u1"]))
    return Draft(campaign="c", kind=kind, at=when, task=draw(st.sampled_from(_TASKS)), actor=draw(_WHO),
                 unit=draw(_WHO), to_state=draw(st.sampled_from([None, *map(str, TaskState)])),
                 step=draw(st.none() | st.integers(0, 2)), target=draw(_WHO),
                 reason=draw(st.none() | st.text(max_size=3)),
                 ref=ref, key=draw(st.none() | st.sampled_from(["k1", "k2", "k3"])))


@settings(max_examples=200)
@given(st.lists(_drafts(), max_size=40), st.integers(0, 40))
def test_the_fold_gives_the_state_apply_gives_event_by_event(items, cut):
    events = _chain(items)
    one_by_one = functools.reduce(apply, events, State("c"))
    assert replay("c", events) == one_by_one
    # In two runs (a refresh after an open): the second starts from records the first built.
    first = replay("c", events[:cut])
    assert replay("c", events[cut:], into=first) == one_by_one
    # And from what a store reads back, the fast way.
    rows = [(e.body(), e.hash) for e in events]
    assert replay("c", replay_events(rows)) == one_by_one


def test_an_engine_replays_a_sqlite_log_fast_to_the_live_state(tmp_path):
    from campaignflow.model import Campaign, Task, Unit
    from campaignflow.plugins.manager import create_plugin_manager
    from campaignflow.runtime import Actor, Engine, ManualClock

    from datetime import date

    campaign = Campaign(id="c", name="c", start=date(2020, 7, 1), end=date(2020, 12, 31),
                        units={"o": Unit("o", "办公室")}, tasks={f"t{i}": Task(f"t{i}", f"任务{i}", lead="o")
                                                              for i in range(30)})
    plugins = create_plugin_manager(entry_points=False, use_env=False)
    store = SQLiteStore(tmp_path / "log.db")
    live = Engine.open(campaign, store, plugins=plugins, clock=ManualClock(_T0))
    actor = Actor("p", {"o"})
    for i in range(30):
        live.start(f"t{i}", actor)
        if i % 2:
            live.complete(f"t{i}", actor)
    again = Engine.open(campaign, store, plugins=plugins, clock=ManualClock(_T0))
    assert again.state == live.state
    assert functools.reduce(apply, store.read("c"), State("c")) == live.state
    store.close()
