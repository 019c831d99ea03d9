"""Personal data outside the hash-chained log: households' ids, the people acting for them, their reasons.

A unit marked ``household = true`` in the plan is a household (住户), not an office. What the log
would say about it is personal data: the household's unit id, the person acting for it (a name or
an ID number, as the host authenticates people) and free text given by it or about it (a
reason such as a child's illness). Kept in the chained body, it could never be erased without
breaking the chain. So the engine seals a *concealed* copy of each such event:

* a household's unit id becomes its **pseudonym** ``household:<16 random hex>``, the same one for
  every event of that household (so ``read(unit=...)`` and the state's bookkeeping still work);
* the actor acting for a household and the ``reason`` of an event about one become a **token**
  ``personal:<32 random hex>``, one per value.

Both are random, not digests: nothing in the chain can be checked against a guessed name. The
values live in the store's ``personal`` table (schema 3), ``(campaign, token, subject, value)``,
``subject`` being the household's pseudonym. Stores resolve tokens when they read, so replay and
the engine see the real values; ``Engine.erase_personal`` sets ``value`` to NULL, after which reads
show ``[erased]`` (``[erased household:…]`` for a unit id, so that two erased households stay two
units in the replayed state) and ``verify`` still passes, as the chained bodies never changed.

Who sees what: ``Event.body()`` / ``Event.to_dict()`` are always the chained (concealed) text,
``redacted(event)`` is the event as the chain has it, and listeners get that unless they opt in
(``personal_data_listener`` / a plugin attribute ``campaignflow_personal_data = True``).

Not protected: task ids, titles and unit names written in the plan (the plan is the host's file),
and stores that do not keep a ``personal`` table (a third-party ``Store`` without the methods
below gets the events in clear, as before).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from ..errors import StoreError
from .events import Draft, Event

if TYPE_CHECKING:
    from ..model import Campaign

__all__ = ["ERASED", "WITHHELD", "HOUSEHOLD_PREFIX", "TOKEN_PREFIX", "withhold", "field_dict", "PersonalValue", "PersonalVault", "households",
           "redacted", "is_concealed", "personal_data_listener", "wants_personal_data"]

#: What a read shows in place of an erased value.
ERASED = "[erased]"
#: How a household's pseudonym begins.
HOUSEHOLD_PREFIX = "household:"
#: How the token of a personal value begins.
TOKEN_PREFIX = "personal:"

#: The unit fields of an event: a household's id there is replaced by its pseudonym.
_UNIT_FIELDS = ("unit", "target")
#: The fields that may hold tokens or pseudonyms (what a read resolves).
_FIELDS = ("actor", "unit", "target", "reason")


@attrs.frozen
class PersonalValue:
    """One row of the ``personal`` table: a token (or pseudonym), whom it is about, and its value."""

    token: str
    subject: str
    value: str | None


@runtime_checkable
class PersonalVault(Protocol):
    """What a store needs to keep personal values outside the chain (SQLite, PostgreSQL, memory)."""

    def put_personal(self, campaign: str, values: Sequence[PersonalValue]) -> None:
        """Store ``values`` (before the events that refer to them are appended)."""
        ...

    def personal_values(self, campaign: str) -> dict[str, str | None]:
        """Token -> value (``None`` once erased) of every personal value of ``campaign``."""
        ...

    def drop_personal(self, campaign: str, tokens: Sequence[str]) -> None:
        """Delete the rows of ``tokens`` (values put for an append that then failed)."""
        ...

    def erase_personal_values(self, campaign: str, subjects: Sequence[str] | None) -> int:
        """Set the values about ``subjects`` (pseudonyms; ``None``: every one) to NULL; how many were erased."""
        ...


def households(campaign: Campaign) -> frozenset[str]:
    """The ids of the plan's household units."""
    return frozenset(uid for uid, unit in campaign.units.items() if unit.household)


def pseudonyms(values: Mapping[str, str | None]) -> dict[str, str]:
    """Household id -> its live (not erased) pseudonym, from a vault's values."""
    return {v: t for t, v in values.items() if t.startswith(HOUSEHOLD_PREFIX) and v is not None}


def conceal(draft: Draft, homes: frozenset[str], known: dict[str, str], lead: str | None
            ) -> tuple[Draft, list[PersonalValue]]:
    """The draft to seal in the chain in place of ``draft``, and the personal values it refers to.

    Args:
        draft: what the engine decided.
        homes: the plan's household ids.
        known: household id -> pseudonym already stored; updated with the ones made here.
        lead: the current lead of the event's task (an event about a household's task is about it).
    """
    touched = [getattr(draft, f) for f in _UNIT_FIELDS if getattr(draft, f) in homes]
    if lead in homes:
        touched.append(lead)
    if not touched:
        return draft, []
    rows: list[PersonalValue] = []

    def pseudonym(home: str) -> str:
        token = known.get(home)
        if token is None:
            token = known[home] = HOUSEHOLD_PREFIX + secrets.token_hex(8)
            rows.append(PersonalValue(token, token, home))
        return token

    subject = pseudonym(touched[0])
    changes: dict[str, Any] = {f: pseudonym(getattr(draft, f)) for f in _UNIT_FIELDS if getattr(draft, f) in homes}
    for field in ("actor", "reason"):
        # The person acting for a household, and text given by or about it.
        if field == "actor" and draft.unit not in homes:
            continue
        value = getattr(draft, field)
        if value is not None:
            token = TOKEN_PREFIX + secrets.token_hex(16)
            rows.append(PersonalValue(token, subject, value))
            changes[field] = token
    for home in touched[1:]:
        pseudonym(home)
    return attrs.evolve(draft, **changes), rows


def shown(chained: Event, draft: Draft) -> Event:
    """``chained`` with the real values of ``draft`` in its fields; its body (and hash) stay the chained ones."""
    real = attrs.evolve(chained, **{f: getattr(draft, f) for f in _FIELDS})
    object.__setattr__(real, "_text", chained.body())
    return real


def resolve(events: Iterable[Event], values: Mapping[str, str | None]) -> Iterator[Event]:
    """``events`` as read from the chain, with their tokens and pseudonyms replaced by the stored values."""
    if not values:
        yield from events
        return
    for event in events:
        changes: dict[str, Any] = {}
        for field in _FIELDS:
            token = getattr(event, field)
            if token is not None and token in values:
                value = values[token]
                if value is None:
                    value = f"[erased {token}]" if token.startswith(HOUSEHOLD_PREFIX) else ERASED
                changes[field] = value
        if not changes:
            yield event
            continue
        real = attrs.evolve(event, **changes)
        object.__setattr__(real, "_text", event.body())
        yield real


def is_concealed(event: Event) -> bool:
    """Whether ``event``'s chained body holds a pseudonym or token (so its fields may differ from it)."""
    body = event.body()
    return (HOUSEHOLD_PREFIX in body or TOKEN_PREFIX in body) and redacted(event) != event


def redacted(event: Event) -> Event:
    """``event`` as the chain records it: pseudonyms and tokens in place of personal values."""
    return Event.from_json(event.body(), event.hash)


#: What ``withhold`` shows in place of a reason about a household.
WITHHELD = "[personal]"


def withhold(views: Iterable[Any], homes: frozenset[str]) -> list[Any]:
    """Task views with the ``reason`` of household-led tasks replaced by ``[personal]`` (for displays)."""
    return [attrs.evolve(v, reason=WITHHELD) if v.lead in homes and v.reason is not None else v for v in views]


def field_dict(event: Event) -> dict[str, Any]:
    """``event.to_dict()`` with the event's fields (the personal values) in place of the chain's pseudonyms."""
    data = event.to_dict()
    data.update({f: getattr(event, f) for f in _FIELDS})
    return data


def personal_data_listener(callback: Any) -> Any:
    """Mark a listener (``Engine.subscribe``) or a hook function as wanting personal values in clear."""
    callback.campaignflow_personal_data = True
    return callback


def wants_personal_data(*objects: object) -> bool:
    """Whether any of ``objects`` (a callback, a hook function, a plugin) opted in to personal data."""
    return any(getattr(obj, "campaignflow_personal_data", False) is True for obj in objects)


# -- the vault in the stores ---------------------------------------------------------------------


class MemoryVault:
    """``PersonalVault`` for ``MemoryStore``."""

    _personal: dict[str, dict[str, PersonalValue]]

    def _vault(self, campaign: str) -> dict[str, PersonalValue]:
        if not hasattr(self, "_personal"):
            self._personal = {}
        return self._personal.setdefault(campaign, {})

    def put_personal(self, campaign: str, values: Sequence[PersonalValue]) -> None:
        vault = self._vault(campaign)
        for row in values:
            vault[row.token] = row

    def personal_values(self, campaign: str) -> dict[str, str | None]:
        return {t: r.value for t, r in self._vault(campaign).items()}

    def drop_personal(self, campaign: str, tokens: Sequence[str]) -> None:
        vault = self._vault(campaign)
        for token in tokens:
            vault.pop(token, None)

    def erase_personal_values(self, campaign: str, subjects: Sequence[str] | None) -> int:
        vault = self._vault(campaign)
        hit = [r for r in vault.values() if r.value is not None and (subjects is None or r.subject in subjects)]
        for row in hit:
            vault[row.token] = attrs.evolve(row, value=None)
        return len(hit)


class SQLVault:
    """``PersonalVault`` for ``SQLStore`` (the ``personal`` table of schema 3)."""

    # Provided by SQLStore, which this is mixed into.
    _lock: Any
    _ERRORS: tuple[type[BaseException], ...]
    _query: Any
    _sql: Any
    _transaction: Any
    _where: Any

    def _write(self, sql: str, rows: Sequence[Sequence[object]]) -> int:
        if not rows:
            return 0
        statement = self._sql(sql)
        with self._lock:
            try:
                with self._transaction() as tx:
                    return sum(tx.execute(statement, row) for row in rows)
            except self._ERRORS as exc:
                msg = f"cannot write to the store {self._where()}: {str(exc).strip()}"
                raise StoreError(msg) from exc

    def put_personal(self, campaign: str, values: Sequence[PersonalValue]) -> None:
        self._write("INSERT INTO {t}personal (campaign, token, subject, value) VALUES (?, ?, ?, ?)",
                    [(campaign, r.token, r.subject, r.value) for r in values])

    def personal_values(self, campaign: str) -> dict[str, str | None]:
        return dict(self._query("SELECT token, value FROM {t}personal WHERE campaign = ?", (campaign,)))

    def drop_personal(self, campaign: str, tokens: Sequence[str]) -> None:
        self._write("DELETE FROM {t}personal WHERE campaign = ? AND token = ?", [(campaign, t) for t in tokens])

    def erase_personal_values(self, campaign: str, subjects: Sequence[str] | None) -> int:
        self._before_erase()
        if subjects is None:
            count = self._write("UPDATE {t}personal SET value = NULL WHERE campaign = ? AND value IS NOT NULL",
                                [(campaign,)])
        else:
            count = self._write("UPDATE {t}personal SET value = NULL WHERE campaign = ? AND subject = ? "
                                "AND value IS NOT NULL", [(campaign, s) for s in subjects])
        self._after_erase()
        return count

    def _before_erase(self) -> None:
        """Dialect hook: make the erasure overwrite the old bytes (SQLite: ``secure_delete``)."""

    def _after_erase(self) -> None:
        """Dialect hook: push the erasure out of any journal holding the old bytes (SQLite: the WAL)."""


def erase(vault: PersonalVault, campaign: Campaign, household: str | None) -> int:
    """Erase the personal values about ``household`` (``None``: about every household); how many."""
    if household is None:
        return vault.erase_personal_values(campaign.id, None)
    values = vault.personal_values(campaign.id)
    subjects = [t for t, v in values.items() if t.startswith(HOUSEHOLD_PREFIX) and v == household]
    return vault.erase_personal_values(campaign.id, subjects) if subjects else 0
