"""Binding a department's existing data items to elements in bulk (``ckan govcatalog elements
bind``): only suggestions marked ``auto`` are applied, never a guess that needs review.

A plan is made first, entry by entry: each unbound item gets its ``auto`` suggestion, the grading
rules are applied to what the entry would then hold (grading.py): a binding that would make the
entry break its share or open type (sensitive personal information in an unconditionally shared
entry, core data that is shared) is left out and reported, since changing what a department
shares is its decision; a grade below the one its elements set is raised (就高从严) and reported.
Applying writes every planned entry through package_update in one transaction, then indexes
them: a failure leaves nothing changed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model as core_model
from ckan.lib import search

from ckanext.govcatalog.catalog.fields import as_list
from ckanext.govcatalog.elements import binding, grading, register, suggest

log = logging.getLogger(__name__)
DATASET_TYPE = "dataset"


@dataclasses.dataclass(frozen=True)
class PlannedBinding:
    package_name: str
    title: str
    row: int
    item: str
    element_id: str
    element_name: str
    confidence: float


@dataclasses.dataclass(frozen=True)
class LeftOut:
    """An ``auto`` binding not made, and why."""

    package_name: str
    title: str
    row: int
    item: str
    element_id: str
    reason: str


@dataclasses.dataclass(frozen=True)
class RaisedGrade:
    package_name: str
    title: str
    old: str
    new: str


@dataclasses.dataclass
class BindPlan:
    bindings: list[PlannedBinding] = dataclasses.field(default_factory=list)
    left_out: list[LeftOut] = dataclasses.field(default_factory=list)
    raised: list[RaisedGrade] = dataclasses.field(default_factory=list)
    # package id -> the package dict to write
    updates: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    entries_seen: int = 0
    items_seen: int = 0
    unbound_left: int = 0


def _context(user: str, **extra: Any) -> dict[str, Any]:
    return {"user": user, "model": core_model, "session": core_model.Session, **extra}


def entry_ids(org_id: str) -> list[str]:
    """Live catalog entries (private ones too) of an organization, in name order."""
    query = (
        core_model.Session.query(core_model.Package.id)
        .filter(
            core_model.Package.owner_org == org_id,
            core_model.Package.state == "active",
            core_model.Package.type == DATASET_TYPE,
        )
        .order_by(core_model.Package.name)
    )
    return [pid for (pid,) in query]


def _length(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@dataclasses.dataclass(frozen=True)
class AutoBinding:
    row: int  # 1-based
    item: str
    element_id: str
    element_name: str
    confidence: float


@dataclasses.dataclass
class AutoResult:
    items: list[dict[str, Any]]  # the items with the bindings made
    bound: list[AutoBinding]
    left_out: list[tuple[AutoBinding, str]]  # and the rule the binding would break
    unbound: int  # items with no auto suggestion (for review)
    held: list[grading.HeldElement]  # what the entry holds with the bindings made


Suggest = Callable[[str, str | None, int | None], list[suggest.Suggestion]]


def cached_suggest() -> Suggest:
    """suggest.suggest remembering its answers (an import repeats the same names often)."""
    answers: dict[tuple[str, str | None, int | None], list[suggest.Suggestion]] = {}

    def ask(name: str, data_type: str | None, length: int | None) -> list[suggest.Suggestion]:
        key = (name, data_type, length)
        if key not in answers:
            answers[key] = suggest.suggest(name, data_type, length, limit=1)
        return answers[key]

    return ask


def auto_bind_items(
    items: list[Any],
    share_type: str | None,
    open_type: str | None,
    ask: Suggest | None = None,
) -> AutoResult:
    """``items`` with each unbound one bound to its ``auto`` suggestion, except bindings that
    would make the entry break its share or open type (left out, with the reason)."""
    ask = ask or cached_suggest()
    items = [dict(i) if isinstance(i, dict) else i for i in items]
    held = binding.held_elements(items)
    result = AutoResult(items, [], [], 0, held)
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or item.get("element_id") or not item.get("name"):
            continue
        name = str(item["name"])
        found = ask(name, item.get("data_type") or None, _length(item.get("length")))
        element = register.get(found[0].id) if found and found[0].auto else None
        if element is None:
            result.unbound += 1
            continue
        made = AutoBinding(n, name, element.id, element.name, found[0].confidence)
        trial = [*held, binding.held(n, name, element)]
        broken = [
            b
            for b in grading.breaches(trial, share_type, open_type, None)
            if b.field != grading.GRADE
        ]
        if broken:
            result.left_out.append((made, broken[0].message))
            result.unbound += 1
            continue
        held = trial
        item["element_id"] = element.id
        result.bound.append(made)
    result.held = held
    return result


def plan_entry(pkg: dict[str, Any], plan: BindPlan, ask: Suggest | None = None) -> None:
    """Add what binding ``pkg``'s unbound items would do to ``plan``."""
    items = [i for i in as_list(pkg.get("data_items")) if isinstance(i, dict)]
    plan.entries_seen += 1
    plan.items_seen += len(items)
    auto = auto_bind_items(items, pkg.get("share_type"), pkg.get("open_type"), ask)
    plan.unbound_left += auto.unbound
    for made, reason in auto.left_out:
        plan.left_out.append(
            LeftOut(pkg["name"], pkg["title"], made.row, made.item, made.element_id, reason)
        )
    if not auto.bound:
        return
    for made in auto.bound:
        plan.bindings.append(
            PlannedBinding(
                pkg["name"],
                pkg["title"],
                made.row,
                made.item,
                made.element_id,
                made.element_name,
                made.confidence,
            )
        )
    data = dict(pkg, data_items=auto.items)
    grade = grading.entry_grade(auto.held)
    old = pkg.get("data_grade")
    if grade and grading.grade_rank(old) < grading.grade_rank(grade):
        data["data_grade"] = grade
        plan.raised.append(RaisedGrade(pkg["name"], pkg["title"], str(old or ""), grade))
    plan.updates[pkg["id"]] = data


def plan(org_ids: list[str]) -> BindPlan:
    """What binding the unbound items of these organizations' entries would do."""
    result = BindPlan()
    show = tk.get_action("package_show")
    ask = cached_suggest()
    for org_id in org_ids:
        for pid in entry_ids(org_id):
            pkg = show(_context("", ignore_auth=True, for_view=False), {"id": pid})
            plan_entry(pkg, result, ask)
    return result


def apply(result: BindPlan, user: str) -> list[str]:
    """Write the planned entries in one transaction, then index them; returns their ids.
    Raises ValidationError (nothing written) when an entry is refused."""
    ids: list[str] = []
    try:
        for pid, data in result.updates.items():
            # return_id_only leaves package_update before it would roll back its own savepoint
            # under defer_commit (CKAN 2.12 update.py:446), skipping changed_entities, which the
            # activity plugin reads: this entry is known to change, so it is recorded here.
            context = _context(
                user, defer_commit=True, return_id_only=True, changed_entities={"packages": {pid}}
            )
            ids.append(tk.get_action("package_update")(context, dict(data)))
        core_model.repo.commit()
    except Exception:
        core_model.Session.rollback()
        raise
    if ids:
        search.rebuild(package_ids=ids)
        search.commit()
    return ids
