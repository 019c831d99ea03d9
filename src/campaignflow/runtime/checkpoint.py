"""Checkpoints: the head of a campaign's log, kept outside the database, optionally keyed.

The sha256 chain shows an event changed in place, but someone who can write the
database can also delete the log's tail and fix the head, or recompute the whole
chain: ``verify`` then passes. A checkpoint is the head ``(seq, hash)`` at a
moment, which the host keeps *elsewhere* (another machine, a report, a
notary). Verifying against it shows:

- **truncation**: the log no longer reaches ``seq`` (events removed, or lost
  with a damaged WAL after they were acknowledged);
- **rewriting**: event ``seq`` no longer has ``hash``, so some event up to it
  was changed, inserted or removed, even with every hash recomputed.

With a key (HMAC-SHA256, a secret the host holds outside the database), the
checkpoint also carries a ``mac``: a checkpoint file that was edited, or written
by someone without the key, is refused. What a checkpoint cannot show: rows
appended *after* it by someone who can write the database and compute sha256
(take checkpoints often, e.g. after every command or every day).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import attrs

from ..errors import TamperedLogError
from .events import ChainReport, verify_chain
from .store import Store

__all__ = ["Checkpoint", "take_checkpoint", "verify_checkpoint"]

_DOMAIN = "campaignflow-checkpoint/1"


def _mac(key: bytes, campaign: str, seq: int, hash_: str) -> str:
    message = f"{_DOMAIN}\n{campaign}\n{seq}\n{hash_}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@attrs.frozen
class Checkpoint:
    """The head of a campaign's log at a moment: ``seq`` and ``hash``, and an HMAC when keyed."""

    campaign: str
    seq: int
    hash: str
    mac: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``format_version`` 1)."""
        return {"format_version": 1, "campaign": self.campaign, "seq": self.seq, "hash": self.hash,
                "mac": self.mac}

    def to_json(self) -> str:
        """The checkpoint as one line of JSON, for the host to keep."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """Read a checkpoint written by ``to_json``. Raises ``ValueError`` when it is not one."""
        try:
            d = json.loads(text)
            if not isinstance(d, dict):
                raise TypeError("not a JSON object")
            campaign, seq, hash_, mac = d["campaign"], d["seq"], d["hash"], d.get("mac")
        except (ValueError, TypeError, KeyError) as exc:
            msg = f"not a campaignflow checkpoint ({type(exc).__name__}: {exc})"
            raise ValueError(msg) from None
        if not (isinstance(campaign, str) and isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0
                and isinstance(hash_, str) and (mac is None or isinstance(mac, str))):
            msg = "not a campaignflow checkpoint: campaign, seq (an integer >= 0), hash and mac have wrong types"
            raise ValueError(msg)
        return cls(campaign=campaign, seq=seq, hash=hash_, mac=mac)

    def signed(self, key: bytes) -> Checkpoint:
        """The same checkpoint with an HMAC-SHA256 of it under ``key``."""
        return attrs.evolve(self, mac=_mac(key, self.campaign, self.seq, self.hash))

    def check_mac(self, key: bytes) -> None:
        """Raise ``TamperedLogError`` unless the checkpoint carries a valid MAC under ``key``."""
        if self.mac is None or not hmac.compare_digest(self.mac, _mac(key, self.campaign, self.seq, self.hash)):
            msg = ("the checkpoint's MAC does not match under this key: the checkpoint was changed, "
                   "or not taken with this key")
            raise TamperedLogError(msg, sequence=self.seq)


def take_checkpoint(store: Store, campaign: str, *, key: bytes | None = None) -> Checkpoint:
    """Verify ``campaign``'s log and return its head as a checkpoint (keyed when ``key`` is given).

    Raises ``TamperedLogError`` when the log does not verify: a checkpoint vouches only for a sound log.
    """
    head = store.head(campaign)
    report = verify_chain(campaign, store.read(campaign), head=(head.seq, head.hash))
    point = Checkpoint(campaign=campaign, seq=report.head_seq, hash=report.head_hash)
    return point.signed(key) if key is not None else point


def verify_checkpoint(store: Store, point: Checkpoint, *, key: bytes | None = None) -> ChainReport:
    """Verify the log as ``verify_chain`` does, and that it still contains ``point``.

    Raises:
        TamperedLogError: the chain breaks; the log ends before ``point.seq`` (truncated);
            event ``point.seq`` has another hash (rewritten up to there); or, with ``key``,
            the checkpoint's MAC does not match.
    """
    if key is not None:
        point.check_mac(key)
    campaign = point.campaign
    head = store.head(campaign)
    report = verify_chain(campaign, store.read(campaign), head=(head.seq, head.hash))
    if report.head_seq < point.seq:
        msg = (f"the log ends at event {report.head_seq}, but a checkpoint kept event {point.seq}: "
               "events were removed (or lost) after they were committed")
        raise TamperedLogError(msg, sequence=report.head_seq + 1)
    if point.seq > 0:
        event = next(iter(store.read(campaign, after=point.seq - 1)), None)
        if event is None or event.seq != point.seq or event.hash != point.hash:
            msg = (f"event {point.seq} is not the one the checkpoint kept: the log up to it was rewritten "
                   "(its hashes recomputed)")
            raise TamperedLogError(msg, sequence=point.seq)
    return report
