"""THE rule of catalog-spec §4: who may see an entry, and who may see its data.

Every read path asks this module: the permission labels (labels.py), the field stripping and
the read paths (read_paths.py, auth.py, indexing.py), the exports. Nothing else decides visibility.

| who sees            | owner org | other government users        | public                      |
|---------------------|-----------|-------------------------------|-----------------------------|
| entry metadata      | always    | always                        | only if open_type != closed |
| data (URLs, files)  | always    | unconditional: yes;           | open: yes; conditional:     |
|                     |           | conditional: only with grant; | only with a grant;          |
|                     |           | none: never                   | closed: never               |

A government user is a member of any organization; the public is everyone else. A government
user is never worse off than the public: data open to anyone is open to them too. Information
systems (type ``info_system``) are never shown to the public. Private or unpublished entries
stay within their owner organization, as in stock CKAN. Unknown or missing sharing levels are
read as the most restrictive ones (``none`` / ``closed``): a record that lost its levels must
not leak.

Who may request an entry's data (a sharing request, 共享申请) follows from the same table: a
request asks for a grant, so it is possible exactly where the viewer has no data access now but
would have it with a grant (``request_refusal``). Entries that are not shared (不予共享) are never
requested.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import enum
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz
from ckan import model as core_model

from ckanext.govcatalog.access import grants

SHARE_UNCONDITIONAL = "unconditional"
SHARE_CONDITIONAL = "conditional"
SHARE_NONE = "none"
OPEN_OPEN = "open"
OPEN_CONDITIONAL = "conditional"
OPEN_CLOSED = "closed"
INFO_SYSTEM = "info_system"

# Permission labels (see labels.py): "public" is CKAN's own, carried by every user.
LABEL_PUBLIC = "public"
LABEL_GOVERNMENT = "govcatalog-government"


@dataclasses.dataclass(frozen=True)
class Entry:
    """What the rule needs to know about a catalog entry."""

    id: str
    type: str
    owner_org: str | None
    private: bool
    state: str
    share_type: str
    open_type: str
    creator_user_id: str | None = None

    @property
    def published(self) -> bool:
        return self.state == "active" and not self.private

    @classmethod
    def from_package(cls, pkg: core_model.Package | Any) -> Entry:
        extras = pkg.extras or {}
        return cls(
            id=pkg.id,
            type=pkg.type or "dataset",
            owner_org=pkg.owner_org,
            private=bool(pkg.private),
            state=pkg.state or "",
            share_type=_level(extras.get("share_type"), _SHARE_TYPES, SHARE_NONE),
            open_type=_level(extras.get("open_type"), _OPEN_TYPES, OPEN_CLOSED),
            creator_user_id=pkg.creator_user_id,
        )

    @classmethod
    def from_dict(cls, pkg_dict: Mapping[str, Any]) -> Entry:
        """From a package dict as package_show, package_search or the indexer see it."""
        return cls(
            id=pkg_dict.get("id") or "",
            type=pkg_dict.get("type") or "dataset",
            owner_org=pkg_dict.get("owner_org"),
            private=tk.asbool(pkg_dict.get("private", False)),
            state=pkg_dict.get("state") or "",
            share_type=_level(_field(pkg_dict, "share_type"), _SHARE_TYPES, SHARE_NONE),
            open_type=_level(_field(pkg_dict, "open_type"), _OPEN_TYPES, OPEN_CLOSED),
            creator_user_id=pkg_dict.get("creator_user_id"),
        )


_SHARE_TYPES = (SHARE_UNCONDITIONAL, SHARE_CONDITIONAL, SHARE_NONE)
_OPEN_TYPES = (OPEN_OPEN, OPEN_CONDITIONAL, OPEN_CLOSED)


def _level(value: Any, allowed: tuple[str, ...], fallback: str) -> str:
    return value if value in allowed else fallback


def _field(pkg_dict: Mapping[str, Any], key: str) -> Any:
    if pkg_dict.get(key):
        return pkg_dict[key]
    for extra in pkg_dict.get("extras") or []:
        if isinstance(extra, Mapping) and extra.get("key") == key:
            return extra.get("value")
    return None


@dataclasses.dataclass(frozen=True)
class Viewer:
    """Who is reading. Built per call, so grants and memberships are always current."""

    user_id: str | None = None
    name: str | None = None
    sysadmin: bool = False
    # organizations whose entries this user reads as the owner: direct membership, plus the
    # sub-organizations of orgs where the user holds a role in
    # ckan.auth.roles_that_cascade_to_sub_groups (CKAN's own hierarchy rule)
    org_ids: frozenset[str] = frozenset()
    granted: frozenset[str] = frozenset()

    @property
    def government(self) -> bool:
        """A member of any organization (spec §4)."""
        return bool(self.org_ids)


ANONYMOUS = Viewer()


def viewer_for(user: Any, *, with_grants: bool = True) -> Viewer:
    """The Viewer for a model.User, a user name or id, or None / an anonymous user.

    ``with_grants=False`` leaves ``granted`` empty and saves its query, for a caller that reads
    the grants of the entries it judges itself, together with those entries (read_paths: one
    query for a page of search results); such a Viewer must not be judged without them.
    """
    if isinstance(user, str):
        user = core_model.User.get(user) if user else None
    if user is None or not isinstance(user, core_model.User) or user.state != "active":
        return ANONYMOUS
    if user.sysadmin:
        return Viewer(user_id=user.id, name=user.name, sysadmin=True)
    return Viewer(
        user_id=user.id,
        name=user.name,
        org_ids=read_org_ids(user.id),
        granted=grants.active_grant_package_ids(user.id) if with_grants else frozenset(),
    )


def read_org_ids(user_id: str) -> frozenset[str]:
    """Ids of the organizations CKAN's organization_list_for_user(permission="read") returns for
    a user who is not a sysadmin, by the same rule (roles with the permission; sub-organizations
    for roles in ckan.auth.roles_that_cascade_to_sub_groups), without building the organization
    dicts that action returns: it runs on every search. One query, plus two for a membership
    whose role cascades."""
    roles = authz.get_roles_with_permission("read")
    if not roles:
        return frozenset()
    member, group = core_model.Member, core_model.Group
    memberships = (
        core_model.Session.query(member.capacity, group.id, group.is_organization, group.state)
        .filter(member.table_name == "user")
        .filter(member.capacity.in_(roles))
        .filter(member.table_id == user_id)
        .filter(member.state == "active")
        .join(group, group.id == member.group_id)
    )
    cascading = authz.check_config_permission("roles_that_cascade_to_sub_groups")
    ids: set[str] = set()
    below: set[str] = set()
    for capacity, org_id, is_organization, state in memberships:
        if is_organization and state == "active":
            ids.add(org_id)
        if capacity in cascading:
            org = group.get(org_id)
            below.update(row[0] for row in org.get_children_group_hierarchy(type="organization"))
    below -= ids
    if below:
        active = core_model.Session.query(group.id).filter(
            group.id.in_(below), group.is_organization.is_(True), group.state == "active"
        )
        ids.update(row[0] for row in active)
    return frozenset(ids)


def viewer_from_context(context: Mapping[str, Any], *, with_grants: bool = True) -> Viewer:
    """The Viewer of an action's context (``auth_user_obj``, else ``user``); see viewer_for."""
    user = context.get("auth_user_obj")
    if not isinstance(user, core_model.User):
        user = context.get("user")
    return viewer_for(user, with_grants=with_grants)


# The Viewer of the action being served, so that the permission labels CKAN asks for within the
# same call (access/labels.py) reuse its organizations instead of looking them up again.
_serving: contextvars.ContextVar[Viewer | None] = contextvars.ContextVar(
    "govcatalog_serving_viewer", default=None
)


@contextlib.contextmanager
def serving(viewer: Viewer) -> Iterator[Viewer]:
    """Marks ``viewer`` as the one an action is serving, for the duration of the call only (a
    grant or membership written after it is seen by the next call)."""
    token = _serving.set(viewer)
    try:
        yield viewer
    finally:
        _serving.reset(token)


def served_viewer(user_id: str | None) -> Viewer | None:
    """The Viewer being served if it is this user's (and not a sysadmin's), else None."""
    viewer = _serving.get()
    if viewer is None or viewer.sysadmin or not user_id or viewer.user_id != user_id:
        return None
    return viewer


def is_owner(viewer: Viewer, entry: Entry) -> bool:
    if entry.owner_org:
        return entry.owner_org in viewer.org_ids
    return bool(viewer.user_id) and viewer.user_id == entry.creator_user_id


def metadata_is_public(entry: Entry) -> bool:
    """Whether anyone at all, logged in or not, may see the entry's metadata."""
    return entry.published and entry.type != INFO_SYSTEM and entry.open_type != OPEN_CLOSED


def data_is_public(entry: Entry) -> bool:
    """Whether anyone at all may read the entry's data (no grant needed)."""
    return metadata_is_public(entry) and entry.open_type == OPEN_OPEN


def can_see_entry(viewer: Viewer, entry: Entry) -> bool:
    """May the viewer see the entry's metadata (including its data items)?"""
    if viewer.sysadmin or is_owner(viewer, entry):
        return True
    if not entry.published:
        return False
    return viewer.government or metadata_is_public(entry)


def can_access_data(viewer: Viewer, entry: Entry) -> bool:
    """May the viewer read the entry's data: resource URLs, uploads, previews, DataStore?"""
    if viewer.sysadmin or is_owner(viewer, entry):
        return True
    if not can_see_entry(viewer, entry):
        return False
    granted = entry.id in viewer.granted
    as_public = data_is_public(entry) or (
        metadata_is_public(entry) and entry.open_type == OPEN_CONDITIONAL and granted
    )
    if not viewer.government:
        return as_public
    as_government = entry.share_type == SHARE_UNCONDITIONAL or (
        entry.share_type == SHARE_CONDITIONAL and granted
    )
    return as_government or as_public


class RequestRefusal(enum.Enum):
    """Why a viewer may not request an entry's data (see request_refusal)."""

    LOG_IN = "log_in"  # anonymous, where a logged-in public user could request it
    SYSADMIN = "sysadmin"  # reads all data already
    NOT_SHARED = "not_shared"  # 不予共享: never requested
    OWN_ENTRY = "own_entry"  # the owner organization has its data
    NOT_PUBLISHED = "not_published"  # private or unpublished entries stay with their owner
    SHARED_UNCONDITIONALLY = "shared_unconditionally"  # every government user reads it
    OPEN_TO_ALL = "open_to_all"  # anyone reads it
    GOVERNMENT_ONLY = "government_only"  # a grant would not open it to this public user


def request_refusal(viewer: Viewer, entry: Entry) -> RequestRefusal | None:
    """Why the viewer may not request access to the entry's data, or None when they may.

    A grant the viewer already holds for this entry is left out, so that a holder may ask again
    before it runs out. An anonymous viewer is judged as the public user they would be once
    logged in: LOG_IN where that user could request, else that user's reason.
    """
    if viewer.sysadmin:
        return RequestRefusal.SYSADMIN
    if entry.share_type == SHARE_NONE:
        return RequestRefusal.NOT_SHARED
    if is_owner(viewer, entry):
        return RequestRefusal.OWN_ENTRY
    if not entry.published:
        return RequestRefusal.NOT_PUBLISHED
    without_grant = dataclasses.replace(viewer, granted=viewer.granted - {entry.id})
    if can_access_data(without_grant, entry):
        if viewer.government and entry.share_type == SHARE_UNCONDITIONAL:
            return RequestRefusal.SHARED_UNCONDITIONALLY
        return RequestRefusal.OPEN_TO_ALL
    with_grant = dataclasses.replace(viewer, granted=without_grant.granted | {entry.id})
    if not can_access_data(with_grant, entry):
        return RequestRefusal.GOVERNMENT_ONLY
    return None if viewer.user_id else RequestRefusal.LOG_IN


def may_request_data(viewer: Viewer, entry: Entry) -> bool:
    """May the viewer ask for a grant to the entry's data (no access now, access with one)?"""
    return request_refusal(viewer, entry) is None


def entry_labels(entry: Entry) -> list[str]:
    """Permission labels of a published entry (metadata visibility, computed at index time).

    Grants never change who sees metadata (only conditional entries can be requested, and
    their metadata is already visible to the requester), so they need no label: data access
    is decided per call by can_access_data, which reads the grants table.
    """
    labels = [LABEL_GOVERNMENT]
    if entry.owner_org:
        labels.append(f"member-{entry.owner_org}")
    if metadata_is_public(entry):
        labels.append(LABEL_PUBLIC)
    return labels


def viewer_labels(viewer: Viewer) -> list[str]:
    """Labels our rule adds to a user's CKAN labels (public, creator-, member-)."""
    return [LABEL_GOVERNMENT] if viewer.government else []


# --- removing data from what is served -------------------------------------------------------


def strip_resource(resource: dict[str, Any]) -> dict[str, Any]:
    """Blank every location of the data in a resource dict (``url`` and any ``*_url``)."""
    for key in list(resource):
        if key == "url" or key.endswith("_url"):
            resource[key] = ""
    return resource


def strip_package(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Blank the data locations of every resource of a package dict, in place."""
    for resource in pkg_dict.get("resources") or []:
        if isinstance(resource, dict):
            strip_resource(resource)
    return pkg_dict


def serve_package(
    viewer: Viewer, pkg_dict: dict[str, Any], entry: Entry | None = None
) -> dict[str, Any]:
    """The package dict as this viewer may receive it: stripped unless they have data access.

    The entry is judged as stored now (by id), not by what the dict says, unless given.
    """
    entry = entry or entry_for_id(pkg_dict.get("id")) or Entry.from_dict(pkg_dict)
    if not can_access_data(viewer, entry):
        strip_package(pkg_dict)
    return pkg_dict


# Fields of an entry that name another entry (by name or id): the name is shown only to a viewer
# who may see that entry, since a name alone tells that it exists (an information system is never
# shown to the public, yet public entries name the system they come from).
LINK_FIELDS = ("source_system",)


def _link_holders(pkg_dict: Mapping[str, Any]) -> Iterator[tuple[Any, str]]:
    """(mapping, key) of each link value: a top-level field, or an extra as CKAN stores it
    (``{"key": ..., "value": ...}``, as in the dicts the search index keeps)."""
    for key in LINK_FIELDS:
        if key in pkg_dict:
            yield pkg_dict, key
    for extra in pkg_dict.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") in LINK_FIELDS:
            yield extra, "value"


def linked_names(pkg_dict: Mapping[str, Any]) -> set[str]:
    """The names or ids of the entries a package dict links to through LINK_FIELDS."""
    values = (holder[key] for holder, key in _link_holders(pkg_dict))
    return {value for value in values if isinstance(value, str) and value}


def sees_link(viewer: Viewer, linked: Entry | None) -> bool:
    """May the viewer be served a link to this entry (None: no such entry)?"""
    return linked is not None and can_see_entry(viewer, linked)


def hide_links(
    viewer: Viewer, pkg_dict: dict[str, Any], linked: Mapping[str, Entry]
) -> dict[str, Any]:
    """Blank, in place, each link to an entry the viewer may not see. ``linked``: the Entry of
    each linked name or id as stored now; a link to an entry that is not there is blanked too."""
    for holder, key in list(_link_holders(pkg_dict)):
        value = holder[key]
        if isinstance(value, str) and value and not sees_link(viewer, linked.get(value)):
            holder[key] = ""
    return pkg_dict


def hidden_link(viewer: Viewer, pkg: core_model.Package | None, field: str) -> str | None:
    """The stored link of ``pkg`` in ``field`` when it names an entry the viewer may not see, so
    was served to them blank; else None.

    An edit by that viewer that leaves the field blank or out keeps this value (a link they were
    never shown is not theirs to drop by saving); choosing an entry replaces it. A link to an
    entry deleted since is not kept: it links to nothing, and keeping it would make the save
    fail on a name the editor was never shown.
    """
    if pkg is None or field not in LINK_FIELDS or viewer.sysadmin:
        return None
    value = (pkg.extras or {}).get(field)
    if not isinstance(value, str) or not value:
        return None
    linked = entry_for_id(value)
    if linked is None or linked.state == "deleted" or sees_link(viewer, linked):
        return None
    return value


def visible_links(viewer: Viewer, values: Iterable[str]) -> list[str]:
    """Of link values (entry names or ids), in their order, those naming an entry the viewer may
    see (sees_link): one query for all, for the lists of choices of a link field."""
    wanted = [v for v in values if v]
    if not wanted:
        return []
    package = core_model.Package
    rows = core_model.Session.query(package).filter(
        package.name.in_(wanted) | package.id.in_(wanted)
    )
    entries = {}
    for pkg in rows:
        entries[pkg.name] = entries[pkg.id] = Entry.from_package(pkg)
    return [v for v in wanted if sees_link(viewer, entries.get(v))]


def entry_for_id(package_id: str | None) -> Entry | None:
    """The Entry of a package id or name as stored now, or None if there is no such package."""
    pkg = core_model.Package.get(package_id) if package_id else None
    return Entry.from_package(pkg) if pkg else None
