"""Event values of the runtime log, their canonical JSON and the sha256 hash chain.

Every change to a running campaign is one ``Event``. Events are appended to a
per-campaign log; each carries the hash of the one before it (``prev``) and
its own ``hash`` = sha256 over its canonical JSON, which includes ``prev``.
Changing, inserting or deleting any stored event therefore breaks the chain
at that point, and ``verify_chain`` says where.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import attrs

from ..errors import TamperedLogError

__all__ = ["EventKind", "Event", "Draft", "GENESIS", "canonical_json", "verify_chain", "ChainReport"]

#: ``prev`` of a campaign's first event.
GENESIS = "0" * 64


class EventKind(enum.StrEnum):
    """What an event records. Transition kinds are named after the action's result."""

    #: The campaign was opened on the store. ``target``: the plan's file; ``ref``: the plan fingerprint.
    OPENED = "opened"
    #: The campaign was reopened with a different plan. Same fields as ``opened``.
    REPLANNED = "replanned"
    STARTED = "started"
    COMPLETED = "completed"
    SUBMITTED = "submitted"
    #: An approval step given (``ref="partial"`` when a 会签 step still awaits other approvers).
    APPROVED = "approved"
    REJECTED = "rejected"
    #: ``target``: the new lead unit.
    REASSIGNED = "reassigned"
    CANCELLED = "cancelled"
    #: A deadline passed. ``ref``: the timer id (``due`` or ``step:N:R``); ``unit``: who was responsible.
    OVERDUE = "overdue"
    #: ``target``: the unit the overdue task was escalated to.
    ESCALATED = "escalated"
    #: A transition was refused (not authorised or not legal). ``ref``: the action tried.
    REFUSED = "refused"
    # -- supervision (督办), issue 16 ----------------------------------------------------
    #: The running campaign was amended to a new plan. ``from_state`` / ``to_state``: the two plan
    #: fingerprints; ``target``: the new plan's file; ``ref``: the new fingerprint, then a line of JSON
    #: with the renames and removals, then the new plan's summary (see ``campaignflow.runtime.amend``).
    AMENDED = "amended"
    #: 催办: a reminder before a task's deadline. ``target``: the unit reminded; ``ref``: the timer id.
    REMINDED = "reminded"
    #: A level of the escalation ladder (``[supervision] levels``). ``target``: the unit alerted;
    #: ``unit``: the lead; ``ref``: the timer id ``level:NAME@DEADLINE``.
    ALERTED = "alerted"
    #: 延期申请: the lead asks for a later deadline. ``ref``: the deadline asked for (ISO); ``reason``: why.
    EXTENSION_REQUESTED = "extension-requested"
    #: An extension granted by a superior. ``ref``: the new deadline (ISO); the task's timers follow it.
    EXTENDED = "extended"
    #: An extension refused by a superior, with its ``reason``.
    EXTENSION_REFUSED = "extension-refused"
    #: 委派: ``target``: the unit doing the work for the lead (who keeps the task).
    DELEGATED = "delegated"
    #: The lead took the delegated task back.
    RECALLED = "recalled"
    #: 签收: a report of the task received. ``unit``: the receiving unit; ``ref``: ``N:RECIPIENT``
    #: (submission N of ``reports_to``, the recipient as the plan names it: a unit or a group).
    RECEIVED = "received"
    #: 代理: ``target`` stands in for ``unit`` until ``ref`` (ISO); campaign-level (no task).
    DEPUTY_APPOINTED = "deputy-appointed"


_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"

#: ``json.loads`` without its checks for a BOM and whitespace around the value (canonical JSON has none).
_decode = json.JSONDecoder().raw_decode

#: kind's text -> EventKind (a dict look-up is cheaper than calling the enum on every read).
_KINDS: dict[str, EventKind] = {str(k): k for k in EventKind}

#: The keys of an event's canonical JSON, in their fixed order.
_KEYS = ("seq", "campaign", "kind", "at", "task", "actor", "unit", "from_state", "to_state", "step", "target",
         "reason", "ref", "key", "prev")


@attrs.frozen(slots=True)
class Draft:
    """An event before it is placed in the log: everything but ``seq``, ``prev`` and ``hash``."""

    campaign: str
    kind: EventKind
    at: datetime
    task: str | None = None
    actor: str | None = None
    unit: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    step: int | None = None
    target: str | None = None
    reason: str | None = None
    ref: str | None = None
    key: str | None = None

    def seal(self, seq: int, prev: str) -> Event:
        """The event at position ``seq`` after an event whose hash is ``prev``."""
        body = _body(self, seq, prev)
        event = Event(seq=seq, prev=prev, hash=_digest(body), **attrs.asdict(self, recurse=False))
        object.__setattr__(event, "_text", body)  # the bytes just hashed: the store keeps these
        return event


@attrs.frozen(slots=True)
class Event:
    """One committed change to a running campaign, as stored in the log.

    Attributes:
        seq: position in the campaign's log, from 1, without gaps.
        campaign: the campaign id.
        kind: what happened.
        at: when, as a naive local datetime in the campaign's timezone.
        task: the task concerned (``None`` for campaign events).
        actor: the person who acted, as the host authenticated them (``None`` for timers).
        unit: the unit the actor acted for, or the unit responsible for an overdue task.
        from_state: the task's state before (a ``TaskState`` value).
        to_state: the task's state after.
        step: the approval step concerned (0-based).
        target: the new lead (reassigned), the unit escalated to, the plan file (opened).
        reason: why, in the actor's words (rejections, cancellations) or the engine's.
        ref: a kind-specific reference, see ``EventKind``.
        key: the idempotency key the host sent with the request, if any.
        prev: hash of the previous event (``GENESIS`` for the first).
        hash: sha256 over this event's canonical JSON, which includes ``prev``.
    """

    seq: int
    campaign: str
    kind: EventKind
    at: datetime
    task: str | None = None
    actor: str | None = None
    unit: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    step: int | None = None
    target: str | None = None
    reason: str | None = None
    ref: str | None = None
    key: str | None = None
    prev: str = GENESIS
    hash: str = ""
    # The canonical JSON this event was sealed with or read back from, byte for byte. Not part
    # of the value (eq/repr ignore it) and not an init argument, so ``attrs.evolve`` drops it and
    # an evolved event is encoded afresh from its fields.
    _text: str | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def body(self) -> str:
        """The canonical JSON the hash is computed over (also what stores keep).

        For an event sealed by the engine or read from a store these are the very bytes that
        were hashed and stored (kept, not encoded again); otherwise they are encoded from the fields.
        """
        text = self._text
        return _body(self, self.seq, self.prev) if text is None else text

    def expected_hash(self) -> str:
        """The hash this event should carry: sha256 over ``body()``.

        For an event read from a store that is the stored text itself. The event's fields are
        parsed from that text, so any change to a stored byte changes this hash. A second text that
        reads as the same fields can't pass for the first one either (re-encoding would have let
        changes in spacing through).
        """
        return _digest(self.body())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with every field, ``hash`` included."""
        data = json.loads(self.body())
        data["hash"] = self.hash
        return data

    @classmethod
    def from_json(cls, body: str, hash: str) -> Event:  # noqa: A002 - the field's name
        """Rebuild an event from its stored canonical JSON and hash (the hash is not checked).

        Raises ``TamperedLogError`` when ``body`` is not an event's JSON.
        """
        try:
            d, end = _decode(body)
            if end != len(body):
                raise ValueError(f"text after the event's JSON at character {end}")
            if tuple(d) != _KEYS:  # every key, in the canonical order, and no other
                raise KeyError(f"keys {', '.join(map(str, d))}")
            # The keys are the fields in their order (hash last): positional is safe, and faster.
            seq, campaign, kind, at, *rest = d.values()
            event = cls(seq, campaign, _KINDS[kind], _parse_at(at), *rest, hash)
        except (ValueError, TypeError, KeyError) as exc:  # JSONDecodeError is a ValueError
            msg = f"a stored event cannot be read ({type(exc).__name__}: {exc}): it was changed after it was written"
            raise TamperedLogError(msg) from None
        # Kept so that hashing it again (verify) and storing it again (a copy) need no encoding.
        object.__setattr__(event, "_text", body)
        return event


def _parse_at(text: str) -> datetime:
    # The engine writes exactly 26 characters, YYYY-MM-DDTHH:MM:SS.ffffff. fromisoformat reads that
    # form about ten times faster than strptime; it also reads other forms (a UTC offset: an aware
    # datetime the engine cannot compare), so anything else goes through strptime, which refuses it.
    if len(text) == 26 and text[4] == "-" and text[7] == "-" and text[10] == "T" and text[19] == ".":
        at = datetime.fromisoformat(text)
        if at.tzinfo is None:
            return at
    return datetime.strptime(text, _TIME_FORMAT)


def _body(e: Draft | Event, seq: int, prev: str) -> str:
    # Fixed key order and separators: the same event always gives the same bytes.
    return json.dumps(
        {
            "seq": seq, "campaign": e.campaign, "kind": str(e.kind), "at": e.at.strftime(_TIME_FORMAT),
            "task": e.task, "actor": e.actor, "unit": e.unit, "from_state": e.from_state,
            "to_state": e.to_state, "step": e.step, "target": e.target, "reason": e.reason,
            "ref": e.ref, "key": e.key, "prev": prev,
        },
        ensure_ascii=False, separators=(",", ":"),
    )


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def canonical_json(event: Event) -> str:
    """The canonical JSON of ``event`` (fixed key order, no spaces, UTF-8 text)."""
    return event.body()


@attrs.frozen
class ChainReport:
    """What ``verify_chain`` found: how many events, and the last sequence number and hash."""

    campaign: str
    events: int
    head_seq: int
    head_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "ok": True, "events": self.events, "head_seq": self.head_seq,
                "head_hash": self.head_hash}


def verify_chain(campaign: str, events: Iterable[Event], *, head: tuple[int, str] | None = None,
                 after: tuple[int, str] = (0, GENESIS), hashes: bool = True) -> ChainReport:
    """Check that ``events`` form an unbroken hash chain from the first event on.

    Args:
        campaign: the campaign id every event must carry.
        events: the whole log, in sequence order.
        head: the ``(seq, hash)`` the store records as the log's end; checked
            against the last event, so that deleting events at the end is detected too.
        after: ``(seq, hash)`` of the event already verified that ``events`` continue
            (default: the log's start), to check only what was appended since.
        hashes: recompute each event's hash (``False`` checks the links, numbers and head only).

    Raises:
        TamperedLogError: at the first event that does not verify, with its ``sequence``.
    """
    seq, prev = after
    first = seq
    stored = iter(events)
    while True:
        try:
            event = next(stored)
        except StopIteration:
            break
        except TamperedLogError as exc:  # an event the store could not even read back
            if exc.sequence is None:
                exc.sequence = seq + 1
            raise
        seq += 1
        if event.seq != seq:
            msg = f"event {seq} is missing (found {event.seq} in its place)"
            raise TamperedLogError(msg, sequence=seq)
        if event.campaign != campaign:
            msg = f"event {seq} belongs to campaign {event.campaign!r}, not {campaign!r}"
            raise TamperedLogError(msg, sequence=seq)
        if event.prev != prev:
            msg = f"event {seq} does not follow event {seq - 1}: its previous hash does not match"
            raise TamperedLogError(msg, sequence=seq)
        if hashes and event.expected_hash() != event.hash:
            msg = f"event {seq} was changed after it was written: its hash does not match its content"
            raise TamperedLogError(msg, sequence=seq)
        prev = event.hash
    if head is not None and head[0] != seq:
        msg = (f"the log ends at event {seq} but the store's head says {head[0]}: "
               "events were removed or the head was changed")
        raise TamperedLogError(msg, sequence=min(seq, head[0]) + 1)
    if head is not None and head[1] != prev:
        msg = f"the store's head hash is not the hash of the last event ({seq}): the head was changed"
        raise TamperedLogError(msg, sequence=seq)
    return ChainReport(campaign=campaign, events=seq - first, head_seq=seq, head_hash=prev)


# -- replay's fast reading (issue 11: 100k events under 2 s) -------------------------------------
# A replay reads every stored event once, checks its hash and link and folds it into the state;
# it never hands the events out. Building a full ``Event`` (an attrs frozen class: one setattr per
# field) from ``json`` took about half of it. With msgspec installed (extra ``fast``), a replay
# decodes each stored text into a plain msgspec struct with the same attribute names instead, in C,
# and keeps it only if encoding it again gives the stored text byte for byte: the fields are then
# exactly what ``Event.from_json`` reads. Any other text (another key order, escapes, spacing, a
# wrong type, not JSON) goes through ``Event.from_json``, which accepts or refuses it as before.

try:  # pragma: no cover - which branch depends on what is installed
    import msgspec
except ImportError:  # pragma: no cover
    msgspec = None


def _lean_class() -> Any:
    if msgspec is None:
        return None

    class ReplayedEvent(msgspec.Struct, dict=True, forbid_unknown_fields=True):
        """What a replay needs of a stored event: its fields, ``hash`` and stored text (internal)."""

        seq: int
        campaign: str
        kind: str
        at: str
        task: str | None
        actor: str | None
        unit: str | None
        from_state: str | None
        to_state: str | None
        step: int | None
        target: str | None
        reason: str | None
        ref: str | None
        key: str | None
        prev: str

        def expected_hash(self) -> str:
            return _digest(self._text)  # type: ignore[attr-defined] - set by replay_events

    return ReplayedEvent


_Lean = _lean_class()


def replay_events(rows: Iterable[tuple[str, str]]) -> Iterator[Event]:
    """The events of stored ``(body, hash)`` rows, for a replay (refuses what ``from_json`` refuses).

    They read like ``Event`` where a replay reads them (every field, ``hash``, ``expected_hash()``);
    with msgspec they are lighter objects, not ``Event`` instances. Not for handing out.
    """
    if _Lean is None:
        for body, hash_ in rows:
            yield Event.from_json(body, hash_)
        return
    decode, encode = msgspec.json.Decoder(_Lean).decode, msgspec.json.encode
    kinds, parse, slow, error = _KINDS, _parse_at, Event.from_json, msgspec.DecodeError
    for body, hash_ in rows:
        try:
            event = decode(body)
        except error:
            yield slow(body, hash_)
            continue
        kind = kinds.get(event.kind)
        try:
            if kind is None or encode(event) != body.encode():
                raise ValueError(body)
            event.at = parse(event.at)
        except ValueError:  # not the engine's own text: read (and refused) the ordinary way
            yield slow(body, hash_)
            continue
        event.kind = kind
        event.hash = hash_
        event._text = body
        yield event  # type: ignore[misc] - reads as an Event
