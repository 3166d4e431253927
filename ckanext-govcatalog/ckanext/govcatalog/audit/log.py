"""The audit chain (目录链, catalog-spec §6): an append-only, hash-chained log.

Each record holds the previous record's hash (``prev_hash``; the first one holds ``GENESIS``) and
``hash`` = SHA-256 over the canonical JSON of its own content (seq, created, actor, action,
object_type, object_id, payload, prev_hash). Editing, removing or reordering a stored record
breaks a hash or a link, which :func:`verify` reports at the first broken seq. Removing records
from the *end* leaves a shorter chain that is still valid; only a head exported earlier
(:func:`head`, ``ckan govcatalog audit head``) and checked again (``--anchor``) reveals that.

Appends join the caller's transaction: :func:`append` queues the record on the session, and the
records are numbered, chained and inserted when that transaction commits (a ``before_commit``
hook), under a PostgreSQL advisory transaction lock, so concurrent writers never fork the chain
and a long transaction (a bulk import) holds the lock only while it commits. A transaction or
savepoint that is rolled back takes its queued records with it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from ckan import model as core_model
from sqlalchemy import orm

from ckanext.govcatalog.model import AuditRecord

GENESIS = "0" * 64
# pg_advisory_xact_lock key of the chain's head ("govaud" in ASCII)
LOCK_KEY = 0x676F76617564
_PENDING = "govcatalog_audit_pending"


# ---- canonical content and hashing -------------------------------------------------------------


def normalize(value: Any) -> Any:
    """A JSON value that survives a round trip through JSONB unchanged.

    JSONB rewrites numbers (1e100 comes back as an integer) and refuses NUL characters, so
    floats are kept as their text and NULs dropped; dates become ISO strings and sets sorted lists.
    """
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {normalize(str(k)): normalize(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((normalize(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return normalize(str(value))


def _created_text(created: dt.datetime) -> str:
    return created.isoformat(timespec="microseconds")


def canonical(
    seq: int,
    created: dt.datetime,
    actor: str | None,
    action: str,
    object_type: str,
    object_id: str | None,
    payload: Any,
    prev_hash: str,
) -> bytes:
    """The bytes a record's hash is taken over: sorted keys, no spaces, UTF-8."""
    content = {
        "seq": seq,
        "created": _created_text(created),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "payload": payload,
        "prev_hash": prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def record_hash(record: AuditRecord, seq: int | None = None) -> str:
    """SHA-256 (hex) of a record's content; ``seq`` overrides the stored one."""
    return hashlib.sha256(
        canonical(
            record.seq if seq is None else seq,
            record.created,
            record.actor,
            record.action,
            record.object_type,
            record.object_id,
            record.payload,
            record.prev_hash,
        )
    ).hexdigest()


# ---- appending ---------------------------------------------------------------------------------


@dataclasses.dataclass
class _Pending:
    actor: str | None
    action: str
    object_type: str
    object_id: str | None
    payload: Any
    transaction: Any  # the innermost SessionTransaction when it was queued


def _session(session: Any | None) -> orm.Session:
    session = session if session is not None else core_model.Session
    return session() if isinstance(session, orm.scoped_session) else session


def _text(value: Any) -> str | None:
    return None if value is None else normalize(str(value))


def append(
    action: str,
    object_type: str,
    object_id: str | None = None,
    payload: dict[str, Any] | None = None,
    actor: str | None = None,
    session: Any | None = None,
) -> None:
    """Queue a record on the session's current transaction; it is chained when that commits.

    The caller commits (or its caller does): nothing is written by a transaction that rolls back.
    """
    sess = _session(session)
    # make sure a transaction exists, so the record belongs to this one and not the next
    root = sess.get_transaction() or sess.begin()
    innermost = sess.get_nested_transaction() or root
    sess.info.setdefault(_PENDING, []).append(
        _Pending(
            actor=_text(actor),
            action=normalize(action),
            object_type=normalize(object_type),
            object_id=_text(object_id),
            payload=normalize(payload or {}),
            transaction=innermost,
        )
    )


def _root_of(transaction: Any) -> Any:
    while transaction.parent is not None:
        transaction = transaction.parent
    return transaction


def _within(transaction: Any, ancestor: Any) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _head_row(sess: orm.Session) -> tuple[int, str] | None:
    row = sess.execute(
        sa.select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def _write_pending(sess: orm.Session) -> None:
    """before_commit: chain and insert the records queued in the committing transaction."""
    if sess.in_nested_transaction():
        return  # a savepoint is being released; the records wait for the real commit
    pending: list[_Pending] = sess.info.get(_PENDING) or []
    if not pending:
        return
    root = sess.get_transaction()
    mine = [p for p in pending if root is not None and _root_of(p.transaction) is root]
    sess.info[_PENDING] = []
    if not mine:
        return
    # write the transaction's own changes first: while the lock is held only the chain's
    # inserts remain, so no one waits on a row lock of ours while holding the head
    sess.flush()
    sess.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    head = _head_row(sess)
    seq, prev_hash = head if head else (0, GENESIS)
    created = dt.datetime.utcnow()
    for p in mine:
        seq += 1
        record = AuditRecord(
            seq=seq,
            created=created,
            actor=p.actor,
            action=p.action,
            object_type=p.object_type,
            object_id=p.object_id,
            payload=p.payload,
            prev_hash=prev_hash,
        )
        record.hash = record_hash(record)
        prev_hash = record.hash
        sess.add(record)
    sess.flush()


def _drop_rolled_back(sess: orm.Session, previous_transaction: Any) -> None:
    """after_soft_rollback: records queued inside the rolled-back transaction are dropped."""
    pending = sess.info.get(_PENDING)
    if pending:
        sess.info[_PENDING] = [
            p for p in pending if not _within(p.transaction, previous_transaction)
        ]


def _listen() -> None:
    for target in (core_model.Session, core_model.meta.create_local_session):
        if not sa.event.contains(target, "before_commit", _write_pending):
            sa.event.listen(target, "before_commit", _write_pending)
            sa.event.listen(target, "after_soft_rollback", _drop_rolled_back)


_listen()


# ---- reading and verifying ---------------------------------------------------------------------


def head(session: Any | None = None) -> tuple[int, str] | None:
    """(seq, hash) of the last record, or None while the chain is empty."""
    return _head_row(_session(session))


def count(session: Any | None = None) -> int:
    sess = _session(session)
    return sess.execute(sa.select(sa.func.count()).select_from(AuditRecord)).scalar_one()


HASH_MISMATCH = "hash_mismatch"
PREV_HASH_MISMATCH = "prev_hash_mismatch"
GAP = "gap"
REORDERED = "reordered"
ANCHOR_MISMATCH = "anchor_mismatch"
ANCHOR_MISSING = "anchor_missing"


@dataclasses.dataclass
class Broken:
    """The first broken record: its seq, the kind of break, and what was expected."""

    seq: int
    problem: str
    detail: dict[str, Any]


@dataclasses.dataclass
class Verdict:
    ok: bool
    count: int
    head: tuple[int, str] | None
    broken: Broken | None = None


def _by_hash(sess: orm.Session, value: str) -> AuditRecord | None:
    query = sa.select(AuditRecord).where(AuditRecord.hash == value).limit(1)
    return sess.execute(query.execution_options(populate_existing=True)).scalar()


def _original_seq(sess: orm.Session, record: AuditRecord, limit: int = 1000) -> int | None:
    """The seq a record was chained at, found through its predecessors' hashes, or None.

    A record whose content still hashes to its stored hash at its current seq was not moved;
    otherwise its original seq is one after its original predecessor's (the record whose hash it
    holds as prev_hash), provided its hash matches at that seq.
    """
    moved: list[AuditRecord] = []
    current: AuditRecord | None = record
    base: int | None = None
    while current is not None and len(moved) < limit:
        if record_hash(current) == current.hash:
            base = current.seq
            break
        moved.append(current)
        if current.prev_hash == GENESIS:
            base = 0
            break
        current = _by_hash(sess, current.prev_hash)
    if base is None:
        return None
    for item in reversed(moved):
        base += 1
        if record_hash(item, seq=base) != item.hash:
            return None
    return base


def _check(
    sess: orm.Session, record: AuditRecord, expected_seq: int, prev_hash: str
) -> Broken | None:
    if record.seq != expected_seq:
        # a missing record (deleted, or numbering rewritten); a lower seq cannot occur (primary key)
        return Broken(expected_seq, GAP, {"expected": expected_seq, "found": record.seq})
    computed = record_hash(record)
    if computed != record.hash:
        original = _original_seq(sess, record)
        if original is not None and original != record.seq:
            return Broken(record.seq, REORDERED, {"belongs_at": original})
        return Broken(record.seq, HASH_MISMATCH, {"stored": record.hash, "computed": computed})
    if record.prev_hash != prev_hash:
        return Broken(
            record.seq, PREV_HASH_MISMATCH, {"stored": record.prev_hash, "expected": prev_hash}
        )
    return None


def verify(
    session: Any | None = None,
    anchors: Iterable[tuple[int, str]] = (),
    batch: int = 1000,
) -> Verdict:
    """Walk the chain from seq 1 and report the first broken record.

    ``anchors`` are (seq, hash) pairs exported earlier with :func:`head`: each must still be in
    the chain with the same hash, which is what reveals records removed from the end.
    """
    sess = _session(session)
    seen = 0
    prev_hash = GENESIS
    expected = 1
    last: tuple[int, str] | None = None
    # populate_existing: CKAN's sessions keep objects across commits; verify reads what is stored
    query = (
        sa.select(AuditRecord)
        .order_by(AuditRecord.seq)
        .execution_options(yield_per=batch, populate_existing=True)
    )
    for record in sess.execute(query).scalars():
        broken = _check(sess, record, expected, prev_hash)
        if broken:
            return Verdict(False, seen, last, broken)
        seen += 1
        prev_hash = record.hash
        expected = record.seq + 1
        last = (record.seq, record.hash)
    for seq, value in anchors:
        stored = sess.execute(sa.select(AuditRecord.hash).where(AuditRecord.seq == seq)).scalar()
        if stored is None:
            return Verdict(False, seen, last, Broken(seq, ANCHOR_MISSING, {"anchor": value}))
        if stored != value:
            return Verdict(
                False, seen, last, Broken(seq, ANCHOR_MISMATCH, {"anchor": value, "stored": stored})
            )
    return Verdict(True, seen, last)


def records(
    object_id: str | None = None, session: Any | None = None, limit: int | None = None
) -> list[AuditRecord]:
    """Records in chain order, optionally those about one object."""
    query = sa.select(AuditRecord).order_by(AuditRecord.seq)
    if object_id is not None:
        query = query.where(AuditRecord.object_id == object_id)
    if limit:
        query = query.limit(limit)
    query = query.execution_options(populate_existing=True)
    return list(_session(session).execute(query).scalars())


def last_payload(
    object_type: str, object_id: str, having: str | None = None, session: Any | None = None
) -> dict[str, Any] | None:
    """Payload of the last committed record about an object (with the key ``having``)."""
    query = sa.select(AuditRecord.payload).where(
        AuditRecord.object_type == object_type, AuditRecord.object_id == object_id
    )
    if having:
        query = query.where(AuditRecord.payload.has_key(having))
    query = query.order_by(AuditRecord.seq.desc()).limit(1)
    return _session(session).execute(query).scalar()
