"""Reading events back fast without weakening the chain: the stored text is what is hashed.

``Event.from_json`` keeps the text it parsed and ``expected_hash`` hashes that text, so a
replay does not encode every event again. These tests pin down what that must not change:
an event round-trips, any change to a stored byte is refused, odd-but-parseable texts are
refused as they were before, and a copy made with ``attrs.evolve`` is encoded afresh.
"""

from __future__ import annotations

import json
from datetime import datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignflow.errors import TamperedLogError
from campaignflow.runtime import GENESIS, Draft, Event, EventKind, verify_chain
from campaignflow.runtime.events import _KEYS
from campaignflow.runtime.states import TaskRecord, TaskState, _evolve

_text = st.none() | st.text(max_size=12)
_at = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31))

drafts = st.builds(
    Draft, campaign=st.text(min_size=1, max_size=8), kind=st.sampled_from(list(EventKind)), at=_at,
    task=_text, actor=_text, unit=_text, from_state=_text, to_state=_text,
    step=st.none() | st.integers(0, 10**6), target=_text, reason=_text, ref=_text, key=_text)


def _chain(items: list[Draft]) -> list[Event]:
    out, prev = [], GENESIS
    for seq, draft in enumerate(items, start=1):
        event = draft.seal(seq, prev)
        out.append(event)
        prev = event.hash
    return out


def test_the_keys_are_the_fields_in_their_order():
    # from_json builds an Event positionally from the JSON's values: that is only right
    # while the canonical keys are the fields, in order, with the hash last.
    fields = [a.name for a in attrs.fields(Event) if a.init]
    assert fields == [*_KEYS, "hash"]


@given(drafts, st.integers(1, 10**9), st.text(alphabet="0123456789abcdef", min_size=64, max_size=64))
def test_an_event_round_trips_and_its_hash_is_over_the_stored_text(draft, seq, prev):
    event = draft.seal(seq, prev)
    back = Event.from_json(event.body(), event.hash)
    assert back == event
    assert back.body() == event.body()
    assert back.expected_hash() == event.hash
    # The kept text is the canonical encoding of the fields, byte for byte.
    fresh = attrs.evolve(back)
    assert fresh.body() == back.body()


@given(drafts, st.text(min_size=1, max_size=8))
def test_an_evolved_copy_is_encoded_from_its_fields(draft, reason):
    event = Event.from_json(draft.seal(1, GENESIS).body(), draft.seal(1, GENESIS).hash)
    changed = attrs.evolve(event, reason=reason)
    assert json.loads(changed.body())["reason"] == reason
    assert (changed.expected_hash() == event.hash) == (reason == event.reason)


@given(st.lists(drafts, min_size=1, max_size=6), st.data())
def test_any_change_to_one_stored_byte_is_refused(items, data):
    campaign = items[0].campaign
    events = _chain([attrs.evolve(d, campaign=campaign) for d in items])
    where = data.draw(st.integers(0, len(events) - 1))
    text = events[where].body()
    i = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.characters().filter(lambda c: c != text[i]))
    edited = text[:i] + replacement + text[i + 1:]
    stored = [(e.body(), e.hash) for e in events]
    stored[where] = (edited, events[where].hash)

    def read():
        for body, hash_ in stored:
            yield Event.from_json(body, hash_)

    with pytest.raises(TamperedLogError) as info:
        verify_chain(campaign, read(), head=(events[-1].seq, events[-1].hash))
    assert info.value.sequence == where + 1


def _stored(event: Event, **changes: object) -> str:
    data = json.loads(event.body())
    data.update(changes)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("edit", [
    pytest.param(lambda t: t.replace(",", ", "), id="spaces after commas"),
    pytest.param(lambda t: t + " ", id="a trailing space"),
    pytest.param(lambda t: " " + t, id="a leading space"),
    pytest.param(lambda t: json.dumps(dict(reversed(json.loads(t).items())), ensure_ascii=False,
                                      separators=(",", ":")), id="keys in another order"),
    pytest.param(lambda t: json.dumps(json.loads(t), ensure_ascii=True, separators=(",", ":")),
                 id="non-ASCII escaped"),
])
def test_the_same_content_in_other_bytes_does_not_pass_for_the_event(edit):
    # Before, the hash was recomputed from the parsed fields, so a respaced text passed; now
    # the text's own bytes must hash to the stored hash.
    event = Draft(campaign="c", kind=EventKind.REJECTED, at=datetime(2020, 7, 1, 9), task="t",
                  reason="内容不全").seal(1, GENESIS)
    text = edit(event.body())
    assert text != event.body()
    with pytest.raises(TamperedLogError):
        verify_chain("c", (Event.from_json(text, event.hash) for _ in range(1)), head=(1, event.hash))


@pytest.mark.parametrize("at", [
    "2020-07-01T09:00:00.0+0800",  # 26 characters, with a UTC offset: an aware datetime
    "2020-07-01T09:00:00+08:00",
    "2020-W27-3T09:00:00.000000",  # an ISO week date fromisoformat reads
    "2020-07-01 09:00:00.000000",
    "2020-07-01T09:00:00",
    "2020-07-01",
    "",
    20200701,
    None,
])
def test_a_time_in_another_form_is_unreadable(at):
    event = Draft(campaign="c", kind=EventKind.STARTED, at=datetime(2020, 7, 1, 9), task="t").seal(1, GENESIS)
    with pytest.raises(TamperedLogError, match="cannot be read"):
        Event.from_json(_stored(event, at=at), event.hash)


@pytest.mark.parametrize("text", [
    "[]", "1", "null", '{"seq":1}', "{", "",
    '{"seq":1,"campaign":"c","kind":"nonsense","at":"2020-07-01T09:00:00.000000","task":null,"actor":null,'
    '"unit":null,"from_state":null,"to_state":null,"step":null,"target":null,"reason":null,"ref":null,'
    '"key":null,"prev":"' + GENESIS + '"}',
    '{"seq":1,"campaign":"c","kind":"started","at":"2020-07-01T09:00:00.000000","task":null,"actor":null,'
    '"unit":null,"from_state":null,"to_state":null,"step":null,"target":null,"reason":null,"ref":null,'
    '"key":null,"prev":"' + GENESIS + '","extra":1}',
    '{"seq":1,"campaign":"c","kind":["started"],"at":"2020-07-01T09:00:00.000000","task":null,"actor":null,'
    '"unit":null,"from_state":null,"to_state":null,"step":null,"target":null,"reason":null,"ref":null,'
    '"key":null,"prev":"' + GENESIS + '"}',
])
def test_a_text_that_is_not_an_event_is_refused_with_a_typed_error(text):
    with pytest.raises(TamperedLogError, match="cannot be read"):
        Event.from_json(text, "0" * 64)


_values = st.none() | st.text(max_size=5) | st.integers(0, 9) | st.frozensets(st.text(max_size=3), max_size=3) | \
    st.tuples(st.text(max_size=3)) | st.sampled_from(list(TaskState))


@given(st.dictionaries(st.sampled_from([a.name for a in attrs.fields(TaskRecord)]), _values),
       st.dictionaries(st.sampled_from([a.name for a in attrs.fields(TaskRecord)]), _values))
def test_the_fast_evolve_is_attrs_evolve(start, changes):
    record = TaskRecord(**start)
    assert _evolve(record, **changes) == attrs.evolve(record, **changes)
