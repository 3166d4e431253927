"""What an audit record holds: which fields changed (unknown without a state before), a digest
that binds a whole state whatever its key order, and the payloads of entry, sharing-change,
membership and grant-change records."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import types

from ckanext.govcatalog.audit import records

STATE = {
    "name": "shiquan-renkou",
    "title": "石泉县户籍人口信息",
    "owner_org": "org-1",
    "state": "active",
    "resource_code": "610922-0001",
    "share_type": "conditional",
    "share_condition": "仅用于政务服务",
    "open_type": "closed",
    "tags": ["人口"],
    "resources": [{"id": "r1", "url": "https://example.gov.cn/a.csv"}],
}


def test_changed_fields_are_unknown_without_a_state_before():
    assert records.changed_fields(None, STATE) is None


def test_changed_fields_name_changed_added_and_removed_fields_sorted():
    before = {"title": "甲", "notes": "同", "gone": 1}
    after = {"title": "乙", "notes": "同", "added": 2}
    assert records.changed_fields(before, after) == ["added", "gone", "title"]
    assert records.changed_fields(after, dict(after)) == []


def test_the_digest_is_sha256_of_the_sorted_compact_json_of_the_whole_state():
    reordered = dict(reversed(list(STATE.items())))
    assert records.digest(reordered) == records.digest(STATE)
    text = json.dumps(STATE, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert records.digest(STATE) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    moved = {**STATE, "resources": [{"id": "r1", "url": "https://example.gov.cn/b.csv"}]}
    assert records.digest(moved) != records.digest(STATE)


def test_an_entry_payload_names_the_entry_its_sharing_levels_and_digest():
    assert records.entry_payload(STATE, changed=["title"]) == {
        "name": "shiquan-renkou",
        "title": "石泉县户籍人口信息",
        "owner_org": "org-1",
        "state": "active",
        "resource_code": "610922-0001",
        "sharing": {
            "share_type": "conditional",
            "share_condition": "仅用于政务服务",
            "open_type": "closed",
            "open_condition": None,
        },
        "digest": records.digest(STATE),
        "changed": ["title"],
    }


def test_a_sharing_change_names_only_the_attributes_that_changed():
    old = records.sharing(STATE)
    new = records.sharing({**STATE, "open_type": "open", "open_condition": ""})
    payload = records.sharing_change_payload("shiquan-renkou", old, new, via="package_patch")
    assert payload["changed"] == ["open_type", "open_condition"]
    assert (payload["old"], payload["new"], payload["via"]) == (old, new, "package_patch")


def test_a_grant_reads_the_same_from_the_model_and_from_its_dict():
    expires = dt.datetime(2030, 1, 1)
    grant = types.SimpleNamespace(status="active", expires=expires, reason=None)
    as_dict = {"id": "g1", "status": "active", "expires": expires, "reason": None, "x": 1}
    assert records.grant_state(grant) == records.grant_state(as_dict)
    assert records.grant_state(grant) == {"status": "active", "expires": expires, "reason": None}
