"""The audit chain (目录链, catalog-spec §6) as log.py keeps it: each record's hash is SHA-256 over
the documented canonical JSON and holds the previous one; appends join the caller's transaction
(a rolled-back savepoint takes its records with it); concurrent writers keep one unbroken chain;
records edited, deleted or reordered directly in the database with SQL make verify fail at the
right seq, and records removed from the end are revealed by an exported head; the CLI reports
the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading

import ckan.model as core_model
import pytest
import sqlalchemy as sa
from ckan.cli.cli import ckan as ckan_cli

from ckanext.govcatalog.audit import log as chain
from ckanext.govcatalog.model import AuditRecord

pytestmark = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")

TRIGGER = "govcatalog_audit_append_only"


def records() -> list[AuditRecord]:
    core_model.Session.rollback()  # a fresh snapshot
    return chain.records()


def tamper(*statements: str) -> None:
    """Run SQL on the table as someone with database access would, past the UPDATE trigger."""
    sess = core_model.Session
    sess.rollback()
    sess.execute(sa.text(f"ALTER TABLE govcatalog_audit DISABLE TRIGGER {TRIGGER}"))
    for statement in statements:
        sess.execute(sa.text(statement))
    sess.execute(sa.text(f"ALTER TABLE govcatalog_audit ENABLE TRIGGER {TRIGGER}"))
    sess.commit()


def build_chain(n: int) -> list[AuditRecord]:
    """n records, appended the way the signal receivers do (several per transaction sometimes)."""
    for i in range(1, n + 1):
        chain.append("test_action", "dataset", f"obj-{i}", {"i": i, "名称": f"记录{i}"}, actor="u")
        if i % 2 == 0 or i == n:
            core_model.Session.commit()
    return records()


# --- hashing ----------------------------------------------------------------------------------


def test_hash_is_sha256_of_the_documented_canonical_json():
    build_chain(2)
    first, second = records()
    content = {
        "seq": 1,
        "created": first.created.isoformat(timespec="microseconds"),
        "actor": "u",
        "action": "test_action",
        "object_type": "dataset",
        "object_id": "obj-1",
        "payload": {"i": 1, "名称": "记录1"},
        "prev_hash": "0" * 64,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert first.hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert first.prev_hash == chain.GENESIS
    assert second.prev_hash == first.hash and second.seq == 2
    assert chain.head() == (2, second.hash)


def test_payloads_survive_the_jsonb_round_trip():
    payload = {
        "big": 1e100,
        "small": 0.1,
        "int": 2**62,
        "nul": "a\x00b",
        "when": dt.date(2025, 1, 2),
        "set": {"b", "a"},
        "nested": [{"z": None, "a": True}],
    }
    chain.append("odd_values", "dataset", "x", payload)
    core_model.Session.commit()
    assert chain.verify().ok
    (record,) = records()
    assert record.payload["set"] == ["a", "b"] and record.payload["nul"] == "ab"


def test_updates_are_refused_by_the_database():
    build_chain(1)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        core_model.Session.execute(sa.text("UPDATE govcatalog_audit SET actor = 'x'"))
    core_model.Session.rollback()


def test_a_rolled_back_savepoint_takes_its_records_with_it():
    chain.append("kept", "dataset", "a")
    savepoint = core_model.Session.begin_nested()
    chain.append("dropped", "dataset", "b")
    savepoint.rollback()
    chain.append("kept_too", "dataset", "c")
    core_model.Session.commit()
    assert [r.action for r in records()] == ["kept", "kept_too"]


# --- concurrency ------------------------------------------------------------------------------


def test_concurrent_appends_keep_one_chain():
    threads_n, per_thread = 8, 25
    start = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                # core_model.Session is thread-local: a session and connection of its own
                chain.append("concurrent", "dataset", f"t{n}", {"thread": n, "i": i})
                core_model.Session.commit()
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            core_model.Session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    stored = records()
    assert [r.seq for r in stored] == list(range(1, threads_n * per_thread + 1))
    for n in range(threads_n):
        assert [r.payload["i"] for r in stored if r.object_id == f"t{n}"] == list(range(per_thread))
    verdict = chain.verify()
    assert verdict.ok and verdict.count == threads_n * per_thread


# --- tampering --------------------------------------------------------------------------------


def broken() -> chain.Broken:
    core_model.Session.rollback()
    verdict = chain.verify()
    assert not verdict.ok
    return verdict.broken


def test_edited_payload_fails_at_that_record():
    build_chain(6)
    tamper("UPDATE govcatalog_audit SET payload = '{\"i\": 99}' WHERE seq = 3")
    assert (broken().seq, broken().problem) == (3, chain.HASH_MISMATCH)


def test_edited_actor_fails_at_that_record():
    build_chain(6)
    tamper("UPDATE govcatalog_audit SET actor = 'someone-else' WHERE seq = 5")
    assert (broken().seq, broken().problem) == (5, chain.HASH_MISMATCH)


def test_edited_hash_fails_at_that_record():
    build_chain(6)
    tamper("UPDATE govcatalog_audit SET hash = repeat('a', 64) WHERE seq = 4")
    assert (broken().seq, broken().problem) == (4, chain.HASH_MISMATCH)


def test_edited_payload_with_a_recomputed_hash_breaks_the_next_link():
    stored = build_chain(6)
    record = stored[2]
    forged_payload = {"i": 99}
    forged = hashlib.sha256(
        chain.canonical(
            3,
            record.created,
            record.actor,
            record.action,
            record.object_type,
            record.object_id,
            forged_payload,
            record.prev_hash,
        )
    ).hexdigest()
    tamper(
        f"UPDATE govcatalog_audit SET payload = '{json.dumps(forged_payload)}', "
        f"hash = '{forged}' WHERE seq = 3"
    )
    assert (broken().seq, broken().problem) == (4, chain.PREV_HASH_MISMATCH)


def test_deleted_middle_record_is_a_gap():
    build_chain(6)
    tamper("DELETE FROM govcatalog_audit WHERE seq = 3")
    problem = broken()
    assert (problem.seq, problem.problem) == (3, chain.GAP)
    assert problem.detail == {"expected": 3, "found": 4}


def test_deleted_first_record_is_a_gap():
    build_chain(3)
    tamper("DELETE FROM govcatalog_audit WHERE seq = 1")
    assert (broken().seq, broken().problem) == (1, chain.GAP)


def test_deleted_record_with_renumbered_successors_fails_there():
    build_chain(6)
    tamper(
        "DELETE FROM govcatalog_audit WHERE seq = 3",
        "UPDATE govcatalog_audit SET seq = -(seq - 1) WHERE seq > 3",
        "UPDATE govcatalog_audit SET seq = -seq WHERE seq < 0",
    )
    problem = broken()
    assert problem.seq == 3 and problem.problem in (chain.HASH_MISMATCH, chain.REORDERED)


def test_swapped_records_are_reported_as_reordered():
    build_chain(6)
    tamper(
        "UPDATE govcatalog_audit SET seq = -3 WHERE seq = 3",
        "UPDATE govcatalog_audit SET seq = 3 WHERE seq = 4",
        "UPDATE govcatalog_audit SET seq = 4 WHERE seq = -3",
    )
    problem = broken()
    assert (problem.seq, problem.problem) == (3, chain.REORDERED)
    assert problem.detail == {"belongs_at": 4}


def test_tail_deletion_needs_an_anchor():
    """Removing the newest records leaves a valid, shorter chain: only an exported head shows it."""
    build_chain(5)
    anchor = chain.head()
    tamper("DELETE FROM govcatalog_audit WHERE seq = 5")
    assert chain.verify().ok  # undetectable from the table alone
    problem = chain.verify(anchors=[anchor]).broken
    assert (problem.seq, problem.problem) == (5, chain.ANCHOR_MISSING)

    # a new record takes the deleted one's place and the chain is valid again ...
    chain.append("after_deletion", "dataset", "z")
    core_model.Session.commit()
    assert chain.verify().ok
    # ... but not the same record: the anchor no longer matches
    problem = chain.verify(anchors=[anchor]).broken
    assert (problem.seq, problem.problem) == (5, chain.ANCHOR_MISMATCH)


# --- the commands -----------------------------------------------------------------------------


def test_cli_verify_and_head(cli):
    build_chain(4)
    result = cli.invoke(ckan_cli, ["govcatalog", "audit", "head"])
    assert result.exit_code == 0, result.output
    seq, _, digest = result.output.strip().partition(":")
    assert (int(seq), digest) == chain.head()
    anchor = result.output.strip()

    result = cli.invoke(ckan_cli, ["govcatalog", "audit", "verify", "--anchor", anchor])
    assert result.exit_code == 0, result.output
    assert f"OK: 4 records, head seq 4 hash {digest}" in result.output

    tamper("UPDATE govcatalog_audit SET payload = '{}' WHERE seq = 2")
    result = cli.invoke(ckan_cli, ["govcatalog", "audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at seq 2: hash mismatch" in result.output

    result = cli.invoke(ckan_cli, ["govcatalog", "audit", "verify", "--anchor", "4:nothex"])
    assert result.exit_code == 2  # a bad anchor is a usage error


# --- reading ----------------------------------------------------------------------------------


def test_last_payload_is_the_newest_record_about_the_object():
    chain.append("first", "dataset", "a", {"sharing": {"open_type": "closed"}})
    chain.append("other_object", "dataset", "b", {"sharing": {"open_type": "open"}})
    chain.append("second", "dataset", "a", {"changed": ["title"]})
    chain.append("same_id_other_type", "grant", "a", {"new": {}})
    core_model.Session.commit()
    assert chain.last_payload("dataset", "a") == {"changed": ["title"]}
    assert chain.last_payload("dataset", "a", having="sharing") == {
        "sharing": {"open_type": "closed"}
    }
    assert chain.last_payload("dataset", "nothing") is None
