"""An outside leak probe of a served catalog: every read path, as every kind of viewer.

It talks to the site over HTTP only, like a stranger would, and judges what comes back against
catalog-spec §4 written out again here (``may_see`` / ``may_read``), not against
access/policy.py: a checker that imports the rule it checks shares its blind spots.

The reference is what the sysadmin sees. For each other viewer the probe knows which entries
it may see (metadata) and whose data it may read, and looks for the names, ids, titles and data
locations of the others in every answer: API actions, pages, feeds, DCAT, CSV exports, counts and
facets. It prints a table route x viewer -> ok / LEAK (what) / - (not applicable), and exits 1
when it found a leak.

    .venv/bin/python scripts/probe/leak_probe.py --site http://127.0.0.1:5000 \
        --tokens tokens.txt

``tokens.txt`` holds one ``user-name api-token`` per line for the demo users (``ckan -c
.data/ckan.ini user token add <user> probe``), the sysadmin ``admin`` among them. Anonymous is
always probed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import dataclasses
import http.client
import io
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

ANON = "(anonymous)"
SYSADMIN = "admin"
WORKERS = 8
RETRIES = 24
RETRY_SECONDS = 5
# element pages fetched per viewer (each is slow to build); holders compared on half of them
ELEMENTS = 80


# --- HTTP ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class Site:
    base: str
    tokens: dict[str, str]

    def get(self, viewer: str, path: str, **params: Any) -> tuple[int, str]:
        return _patient(self._get, viewer, path, **params)

    def get_bytes(self, viewer: str, path: str) -> tuple[int, bytes]:
        return _patient(self._get, viewer, path, raw=True)

    def _get(self, viewer: str, path: str, raw: bool = False, **params: Any) -> tuple[int, Any]:
        url = self.base + urllib.parse.quote(path, safe="/?=&:*.%-_")
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params, doseq=True)
        headers = {"Accept-Language": "zh-CN"}
        if viewer != ANON:
            headers["Authorization"] = self.tokens[viewer]
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                body = response.read()
                return response.status, body if raw else body.decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def action(self, viewer: str, action: str, /, **params: Any) -> tuple[bool, Any, str]:
        """(success, result or error, raw text) of an API action called as ``viewer``."""
        status, text = self.post(viewer, "/api/3/action/" + action, params)
        try:
            body = json.loads(text)
        except ValueError:
            return False, {"status": status}, text
        if not isinstance(body, dict):  # "Action name not known" comes as a bare string
            return False, body, text
        return bool(body.get("success")), body.get("result", body.get("error")), text

    def post(self, viewer: str, path: str, params: dict[str, Any]) -> tuple[int, str]:
        return _patient(self._post, viewer, path, params)

    def _post(self, viewer: str, path: str, params: dict[str, Any]) -> tuple[int, str]:
        headers = {"Content-Type": "application/json", "Accept-Language": "zh-CN"}
        if viewer != ANON:
            headers["Authorization"] = self.tokens[viewer]
        request = urllib.request.Request(
            self.base + path, data=json.dumps(params).encode(), headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")


def _patient(call: Callable[..., tuple[int, Any]], *args: Any, **kwargs: Any) -> tuple[int, Any]:
    """The call, retried while the site is down (it is restarted after template changes)."""
    for _ in range(RETRIES):
        try:
            return call(*args, **kwargs)
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException):
            time.sleep(RETRY_SECONDS)
    return call(*args, **kwargs)


# --- the rule of spec §4, restated --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Entry:
    id: str
    name: str
    title: str
    type: str
    owner_org: str
    share: str
    open: str
    resources: tuple[dict[str, Any], ...]
    creator: str
    code: str
    # not private and active: an entry kept unpublished (CKAN's private flag, a draft) is its
    # department's alone until it is published
    published: bool = True
    # the name of the information system the entry names as its source (a link to another entry)
    source_system: str = ""


@dataclasses.dataclass(frozen=True)
class Viewer:
    name: str
    orgs: frozenset[str]
    granted: frozenset[str]
    sysadmin: bool = False

    @property
    def government(self) -> bool:
        return bool(self.orgs)


def may_see(viewer: Viewer, entry: Entry) -> bool:
    if viewer.sysadmin or entry.owner_org in viewer.orgs:
        return True
    if not entry.published:
        return False
    if viewer.government:
        return True
    return entry.type != "info_system" and entry.open in ("open", "conditional")


def may_read(viewer: Viewer, entry: Entry) -> bool:
    if viewer.sysadmin or entry.owner_org in viewer.orgs:
        return True
    if not may_see(viewer, entry) or entry.type == "info_system":
        return False
    granted = entry.id in viewer.granted
    public = entry.open == "open" or (entry.open == "conditional" and granted)
    if not viewer.government:
        return public
    return public or entry.share == "unconditional" or (entry.share == "conditional" and granted)


# --- the reference catalog ----------------------------------------------------------------------


def load_entries(site: Site) -> list[Entry]:
    entries = []
    start = 0
    while True:
        ok, result, _ = site.action(
            SYSADMIN,
            "package_search",
            q="*:*",
            rows=1000,
            start=start,
            include_private=True,
            include_drafts=True,
        )
        if not ok:
            raise SystemExit(f"package_search as {SYSADMIN} failed: {result}")
        for pkg in result["results"]:
            entries.append(
                Entry(
                    id=pkg["id"],
                    name=pkg["name"],
                    title=pkg.get("title") or "",
                    type=pkg.get("type") or "dataset",
                    owner_org=pkg.get("owner_org") or "",
                    share=pkg.get("share_type") or "none",
                    open=pkg.get("open_type") or "closed",
                    resources=tuple(pkg.get("resources") or ()),
                    creator=pkg.get("creator_user_id") or "",
                    code=pkg.get("resource_code") or "",
                    published=not pkg.get("private") and pkg.get("state") == "active",
                    source_system=pkg.get("source_system") or "",
                )
            )
        start += len(result["results"])
        if start >= result["count"] or not result["results"]:
            return entries


def load_viewer(site: Site, name: str) -> Viewer:
    if name == ANON:
        return Viewer(ANON, frozenset(), frozenset())
    ok, user, _ = site.action(name, "user_show", id=name)
    if ok and user.get("sysadmin"):
        return Viewer(name, frozenset(), frozenset(), sysadmin=True)
    ok, orgs, _ = site.action(name, "organization_list_for_user", permission="read")
    org_ids = frozenset(o["id"] for o in orgs) if ok else frozenset()
    ok, requests, _ = site.action(name, "access_request_list", status="approved", limit=1000)
    granted = frozenset(r["package_id"] for r in requests["results"]) if ok else frozenset()
    return Viewer(name, org_ids, granted)


# --- finding hidden things in an answer ---------------------------------------------------------


@dataclasses.dataclass
class Secrets:
    """The strings that betray entries a viewer may not see, or data it may not read."""

    entries: dict[str, str]  # string -> what it betrays
    data: dict[str, str]

    def __post_init__(self) -> None:
        # whole names and ids only: sq-gaj-a must not be found inside sq-gaj-ab
        self._entries = _alternation(self.entries)
        self._data = _alternation(self.data)

    def find(self, text: str, *, data_only: bool = False) -> list[str]:
        found: set[str] = set()
        for pattern, what in (
            (self._data, self.data),
            (None if data_only else self._entries, self.entries),
        ):
            if pattern is not None:
                found.update(what[m.group(1)] for m in pattern.finditer(text))
        return sorted(found)


def _alternation(strings: dict[str, str]) -> re.Pattern[str] | None:
    if not strings:
        return None
    words = sorted(strings, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])")


def secrets_for(viewer: Viewer, entries: list[Entry]) -> Secrets:
    hidden: dict[str, str] = {}
    data: dict[str, str] = {}
    seen_titles = [e.title for e in entries if may_see(viewer, e)]
    for entry in entries:
        if not may_see(viewer, entry):
            hidden[entry.id] = f"id of hidden {entry.name}"
            hidden[entry.name] = f"name of hidden {entry.name}"
            if entry.code:
                hidden[entry.code] = f"resource code of hidden {entry.name}"
            # a title is telling only where no visible entry's title contains it
            if len(entry.title) >= 6 and not any(entry.title in t for t in seen_titles):
                hidden[entry.title] = f"title of hidden {entry.name}"
            for res in entry.resources:
                hidden[res["id"]] = f"resource of hidden {entry.name}"
        elif not may_read(viewer, entry):
            for res in entry.resources:
                url = res.get("url") or ""
                if url:
                    data[url] = f"data URL of {entry.name}"
    return Secrets(hidden, data)


# --- probes -------------------------------------------------------------------------------------


@dataclasses.dataclass
class World:
    site: Site
    entries: list[Entry]
    viewers: dict[str, Viewer]
    secrets: dict[str, Secrets]
    by_id: dict[str, Entry]
    orgs: list[dict[str, Any]]
    elements: list[dict[str, Any]]

    def visible(self, viewer: str) -> list[Entry]:
        return [e for e in self.entries if may_see(self.viewers[viewer], e)]


Verdict = str  # "ok", "-", or "LEAK: ..."
Probe = Callable[[World, str], Verdict]
PROBES: dict[str, Probe] = {}


def probe(route: str) -> Callable[[Probe], Probe]:
    def register(fn: Probe) -> Probe:
        PROBES[route] = fn
        return fn

    return register


def leak(found: Iterable[str], limit: int = 3) -> Verdict:
    found = sorted(set(found))
    if not found:
        return "ok"
    more = f" (+{len(found) - limit} more)" if len(found) > limit else ""
    return "LEAK: " + "; ".join(found[:limit]) + more


def text_leak(world: World, viewer: str, text: str, *, data_only: bool = False) -> Verdict:
    return leak(world.secrets[viewer].find(text, data_only=data_only))


def run_many(fn: Callable[[Any], list[str]], items: Iterable[Any]) -> list[str]:
    out: list[str] = []
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        for found in pool.map(fn, items):
            out.extend(found)
    return out


def page(world: World, viewer: str, path: str, **params: Any) -> Verdict:
    status, text = world.site.get(viewer, path, **params)
    if status >= 500:
        return f"LEAK? HTTP {status}"
    return text_leak(world, viewer, text)


# package_search, its count and facets


def _search(world: World, viewer: str, **params: Any) -> dict[str, Any]:
    ok, result, _ = world.site.action(viewer, "package_search", **params)
    return result if ok else {}


@probe("api package_search results")
def p_search(world: World, viewer: str) -> Verdict:
    found = []
    start = 0
    seen = set()
    while True:
        result = _search(world, viewer, q="*:*", rows=1000, start=start, include_private=True)
        for pkg in result.get("results", []):
            seen.add(pkg["id"])
            found += world.secrets[viewer].find(json.dumps(pkg, ensure_ascii=False))
        start += len(result.get("results", []))
        if not result.get("results") or start >= result.get("count", 0):
            break
    expected = {e.id for e in world.visible(viewer)}
    if seen - expected:
        found.append(f"{len(seen - expected)} entries it may not see")
    return leak(found)


@probe("api package_search count+facets")
def p_search_facets(world: World, viewer: str) -> Verdict:
    fields = [
        "organization",
        "share_type",
        "open_type",
        "type",
        "tags",
        "res_format",
        "catalog_class",
        "catalog_item",
        "data_grade",
        "format_category",
        "update_cycle",
    ]
    result = _search(
        world,
        viewer,
        q="*:*",
        rows=0,
        include_private=True,
        **{"facet.field": json.dumps(fields), "facet.limit": -1},
    )
    visible = world.visible(viewer)
    found = []
    if result.get("count") != len(visible):
        found.append(f"count {result.get('count')} != {len(visible)} visible")
    per_org = Counter(e.owner_org for e in visible)
    names = {o["id"]: o["name"] for o in world.orgs}
    for item in result.get("search_facets", {}).get("organization", {}).get("items", []):
        org_id = next((i for i, n in names.items() if n == item["name"]), None)
        if org_id is not None and item["count"] > per_org.get(org_id, 0):
            found.append(f"organization facet {item['name']} {item['count']}>{per_org[org_id]}")
    for field in ("share_type", "open_type", "type"):
        attr = {"share_type": "share", "open_type": "open", "type": "type"}[field]
        want = Counter(getattr(e, attr) for e in visible if e.type == "dataset" or field == "type")
        for item in result.get("search_facets", {}).get(field, {}).get("items", []):
            if item["count"] > want.get(item["name"], 0):
                found.append(f"{field} facet {item['name']} {item['count']}>{want[item['name']]}")
    return leak(found)


@probe("api package_search q=hidden title")
def p_search_q(world: World, viewer: str) -> Verdict:
    hidden = [e for e in world.entries if not may_see(world.viewers[viewer], e)][:15]
    if not hidden:
        return "-"

    def one(entry: Entry) -> list[str]:
        result = _search(world, viewer, q=entry.title, rows=50, hl="true")
        ids = {p["id"] for p in result.get("results", [])}
        return [f"search finds hidden {entry.name}"] if entry.id in ids else []

    return leak(run_many(one, hidden))


# package_show / resource_show / data


@probe("api package_show (all entries)")
def p_package_show(world: World, viewer: str) -> Verdict:
    v = world.viewers[viewer]

    def one(entry: Entry) -> list[str]:
        ok, _result, text = world.site.action(viewer, "package_show", id=entry.id)
        if not may_see(v, entry):
            return [f"package_show {entry.name}"] if ok else world.secrets[viewer].find(text)
        return world.secrets[viewer].find(text, data_only=True) if ok else []

    return leak(run_many(one, world.entries))


@probe("api resource_show")
def p_resource_show(world: World, viewer: str) -> Verdict:
    v = world.viewers[viewer]

    def one(entry: Entry) -> list[str]:
        out = []
        for res in entry.resources[:2]:
            ok, result, _text = world.site.action(viewer, "resource_show", id=res["id"])
            if ok and not may_see(v, entry):
                out.append(f"resource_show of hidden {entry.name}")
            elif ok and not may_read(v, entry) and result.get("url"):
                out.append(f"resource url of {entry.name}")
        return out

    return leak(run_many(one, world.entries))


def _data_entries(world: World, viewer: str) -> list[Entry]:
    v = world.viewers[viewer]
    return [e for e in world.entries if e.resources and not may_read(v, e)]


@probe("GET resource download (direct URL)")
def p_download(world: World, viewer: str) -> Verdict:
    def one(entry: Entry) -> list[str]:
        res = entry.resources[0]
        path = f"/dataset/{entry.id}/resource/{res['id']}/download"
        status, _ = world.site.get(viewer, path)
        return [f"download {entry.name} HTTP {status}"] if status < 300 else []

    return (
        leak(run_many(one, _data_entries(world, viewer)[:40]))
        if _data_entries(world, viewer)
        else "-"
    )


@probe("GET resource page + preview view")
def p_preview(world: World, viewer: str) -> Verdict:
    def one(entry: Entry) -> list[str]:
        res = entry.resources[0]
        out = []
        for tail in ("", "/view"):
            path = f"/dataset/{entry.id}/resource/{res['id']}{tail}"
            status, text = world.site.get(viewer, path)
            if status < 300 and tail == "/view":
                out.append(f"preview {entry.name}")
            if status < 300:
                out += world.secrets[viewer].find(text, data_only=True)
        return out

    entries = _data_entries(world, viewer)[:25]
    return leak(run_many(one, entries)) if entries else "-"


@probe("api datastore_search / datastore_info")
def p_datastore(world: World, viewer: str) -> Verdict:
    def one(entry: Entry) -> list[str]:
        out = []
        for res in entry.resources:
            if not res.get("datastore_active"):
                continue
            for name in ("datastore_search", "datastore_info"):
                ok, _, _ = world.site.action(viewer, name, resource_id=res["id"], id=res["id"])
                if ok:
                    out.append(f"{name} {entry.name}")
            ok, _, _ = world.site.action(
                viewer, "datastore_search_sql", sql=f'SELECT * FROM "{res["id"]}" LIMIT 1'
            )
            if ok:
                out.append(f"datastore_search_sql {entry.name}")
            break
        return out

    entries = _data_entries(world, viewer)[:40]
    return leak(run_many(one, entries)) if entries else "-"


@probe("GET datastore dump / dictionary / api_info")
def p_datastore_pages(world: World, viewer: str) -> Verdict:
    def one(entry: Entry) -> list[str]:
        out = []
        res = next((r for r in entry.resources if r.get("datastore_active")), None)
        if res is None:
            return []
        for path in (f"/datastore/dump/{res['id']}", f"/datastore/api_info/{res['id']}"):
            status, _ = world.site.get(viewer, path)
            if status < 300:
                out.append(f"{path.split('/')[2]} {entry.name}")
        return out

    entries = _data_entries(world, viewer)[:25]
    return leak(run_many(one, entries)) if entries else "-"


@probe("api resource_search")
def p_resource_search(world: World, viewer: str) -> Verdict:
    ok, _result, text = world.site.action(viewer, "resource_search", query="name:", limit=1000)
    return text_leak(world, viewer, text) if ok else "ok"


@probe("api resource_view_list (no-data entries)")
def p_views(world: World, viewer: str) -> Verdict:
    def one(entry: Entry) -> list[str]:
        ok, result, _ = world.site.action(viewer, "resource_view_list", id=entry.resources[0]["id"])
        return [f"views of {entry.name}"] if ok and result else []

    entries = _data_entries(world, viewer)[:25]
    return leak(run_many(one, entries)) if entries else "-"


# lists, autocomplete, counts


@probe("api package_list")
def p_package_list(world: World, viewer: str) -> Verdict:
    _ok, _, text = world.site.action(viewer, "package_list")
    return text_leak(world, viewer, text)


@probe("api current_package_list_with_resources")
def p_current(world: World, viewer: str) -> Verdict:
    _ok, _, text = world.site.action(viewer, "current_package_list_with_resources", limit=1000)
    return text_leak(world, viewer, text)


@probe("api package_autocomplete + /api/2/util/dataset")
def p_autocomplete(world: World, viewer: str) -> Verdict:
    hidden = [e for e in world.entries if not may_see(world.viewers[viewer], e)][:15]
    if not hidden:
        return "-"

    def one(entry: Entry) -> list[str]:
        out = []
        _ok, _, text = world.site.action(
            viewer, "package_autocomplete", q=entry.title[:4], limit=100
        )
        out += world.secrets[viewer].find(text)
        _, text = world.site.get(
            viewer, "/api/2/util/dataset/autocomplete", incomplete=entry.title[:4]
        )
        out += world.secrets[viewer].find(text)
        return out

    return leak(run_many(one, hidden))


@probe("api tag_list / tag_autocomplete / format_autocomplete")
def p_tags(world: World, viewer: str) -> Verdict:
    v = world.viewers[viewer]
    ok, tags, _ = world.site.action(viewer, "tag_list")
    visible_tags: set[str] = set()
    _ok2, allp, _ = world.site.action(
        SYSADMIN,
        "package_search",
        q="*:*",
        rows=1000,
        **{"facet.field": json.dumps(["tags"]), "facet.limit": -1},
    )
    hidden_only = set()
    tag_owner: dict[str, set[str]] = defaultdict(set)
    for pkg in allp.get("results", []):
        for tag in pkg.get("tags") or []:
            tag_owner[tag["name"]].add(pkg["id"])
    for tag, ids in tag_owner.items():
        if any(may_see(v, world.by_id[i]) for i in ids if i in world.by_id):
            visible_tags.add(tag)
        else:
            hidden_only.add(tag)
    found = [f"tag {t} only on hidden entries" for t in set(tags or []) & hidden_only]
    for tag in list(hidden_only)[:10]:
        ok, result, _ = world.site.action(viewer, "tag_autocomplete", q=tag)
        if ok and tag in (result or []):
            found.append(f"tag_autocomplete {tag}")
    return leak(found)


@probe("api organization_list/show package_count")
def p_org_counts(world: World, viewer: str) -> Verdict:
    ok, orgs, _ = world.site.action(viewer, "organization_list", all_fields=True, limit=1000)
    per_org = Counter(e.owner_org for e in world.visible(viewer))
    found = []
    for org in orgs if ok else []:
        if org.get("package_count", 0) > per_org.get(org["id"], 0):
            found.append(f"{org['name']} package_count {org['package_count']}>{per_org[org['id']]}")
    for org in world.orgs[:60]:
        ok, shown, text = world.site.action(
            viewer, "organization_show", id=org["id"], include_datasets=True
        )
        if ok:
            if shown.get("package_count", 0) > per_org.get(org["id"], 0):
                found.append(f"organization_show {org['name']} count {shown['package_count']}")
            found += world.secrets[viewer].find(text)
    return leak(found)


@probe("api user_list/user_show counts")
def p_user_counts(world: World, viewer: str) -> Verdict:
    ok, users, _ = world.site.action(viewer, "user_list", all_fields=True)
    if not ok:
        return "ok"
    # number_created_packages: the entries a user created, as far as this viewer may see them
    created = Counter(e.creator for e in world.visible(viewer))
    found = []
    for user in users:
        if user.get("name") == viewer:
            continue  # one's own count is CKAN's
        if user.get("number_created_packages", 0) > created.get(user["id"], 0):
            found.append(f"user_list {user['name']} created {user['number_created_packages']}")
        shown_ok, shown, text = world.site.action(
            viewer, "user_show", id=user["id"], include_datasets=True
        )
        if shown_ok:
            found += world.secrets[viewer].find(text)
            if shown.get("number_created_packages", 0) > created.get(user["id"], 0):
                found.append(f"user_show {user['name']} created {shown['number_created_packages']}")
    return leak(found)


# activity


@probe("api activity lists + activity_show/data")
def p_activity(world: World, viewer: str) -> Verdict:
    found = []
    v = world.viewers[viewer]
    hidden = [e for e in world.entries if not may_see(v, e)][:10]
    for entry in hidden:
        ok, _, _ = world.site.action(viewer, "package_activity_list", id=entry.id)
        if ok:
            found.append(f"package_activity_list of hidden {entry.name}")
    for name, params in (
        ("recently_changed_packages_activity_list", {"limit": 100}),
        ("dashboard_activity_list", {"limit": 100}),
        ("user_activity_list", {"id": "admin", "limit": 100}),
    ):
        ok, _, text = world.site.action(viewer, name, **params)
        if ok:
            found += world.secrets[viewer].find(text)
    for org in world.orgs[:60]:
        ok, _result, text = world.site.action(
            viewer, "organization_activity_list", id=org["id"], limit=100
        )
        if ok:
            found += world.secrets[viewer].find(text)
    # a hidden entry's activity by id, and its data
    ok, ref, _ = world.site.action(SYSADMIN, "recently_changed_packages_activity_list", limit=300)
    for act in ref if ok else []:
        entry = world.by_id.get(act.get("object_id"))
        if entry is None:
            continue
        if not may_see(v, entry):
            for name in ("activity_show", "activity_data_show"):
                ok, _, _ = world.site.action(viewer, name, id=act["id"])
                if ok:
                    found.append(f"{name} of hidden {entry.name}")
        elif not may_read(v, entry) and entry.resources:
            ok, _, text = world.site.action(viewer, "activity_data_show", id=act["id"])
            if ok:
                found += world.secrets[viewer].find(text, data_only=True)
    return leak(found)


@probe("GET activity pages (dataset/org/user/dashboard)")
def p_activity_pages(world: World, viewer: str) -> Verdict:
    v = world.viewers[viewer]
    found = []
    for entry in [e for e in world.entries if not may_see(v, e)][:8]:
        status, text = world.site.get(viewer, f"/dataset/activity/{entry.name}")
        if status < 300:
            found.append(f"activity page of hidden {entry.name}")
    paths = ["/dashboard/", "/user/activity/admin", "/ckan-admin/activities"]
    paths += [f"/organization/activity/{o['name']}" for o in world.orgs[:40]]
    for path in paths:
        status, text = world.site.get(viewer, path)
        if status < 300:
            found += world.secrets[viewer].find(text)
    return leak(found)


# pages


@probe("GET /dataset/ search page (+facets)")
def p_search_page(world: World, viewer: str) -> Verdict:
    found = []
    for params in ({}, {"q": "人口"}, {"page": 2}, {"share_type": "none"}, {"open_type": "closed"}):
        _, text = world.site.get(viewer, "/dataset/", **params)
        found += world.secrets[viewer].find(text)
    _, text = world.site.get(viewer, "/dataset/")
    m = re.search(r"(\d[\d,]*)\s*(?:个|条)?(?:信息资源|datasets? found|结果)", text)
    if m:
        n = int(m.group(1).replace(",", ""))
        if n > len([e for e in world.visible(viewer) if e.type == "dataset"]):
            found.append(f"page count {n}")
    return leak(found)


@probe("GET dataset pages of hidden entries")
def p_dataset_pages(world: World, viewer: str) -> Verdict:
    v = world.viewers[viewer]
    hidden = [e for e in world.entries if not may_see(v, e)]
    if not hidden:
        return "-"

    def one(entry: Entry) -> list[str]:
        out = []
        base = "/info_system" if entry.type == "info_system" else "/dataset"
        for path in (
            f"{base}/{entry.name}",
            f"/dataset/{entry.name}/usage",
            f"/dataset/{entry.name}/access-request",
            f"/dataset/{entry.id}.ttl",
            f"/dataset/changes/{entry.id}",
            f"/dataset/resources/{entry.name}",
            f"/dataset/followers/{entry.name}",
            f"/dataset/groups/{entry.name}",
        ):
            status, text = world.site.get(viewer, path)
            if status < 300:
                out.append(
                    f"{path.replace(entry.name, '<hidden>').replace(entry.id, '<id>')}"
                    f" of {entry.name}"
                )
            elif entry.title and len(entry.title) >= 6 and entry.title in text:
                out.append(f"error page names {entry.name}")
        return out

    return leak(run_many(one, hidden[:25]))


@probe("links to hidden entries (show, activity diff, changes and edit pages)")
def p_hidden_links(world: World, viewer: str) -> Verdict:
    """An entry the viewer may see whose source system they may not: the system is named
    nowhere they are served the entry, nor in what its last change shows."""
    v = world.viewers[viewer]
    by_name = {e.name: e for e in world.entries}
    pairs = [
        (entry, by_name[entry.source_system])
        for entry in world.entries
        if entry.source_system in by_name
        and may_see(v, entry)
        and not may_see(v, by_name[entry.source_system])
    ]
    if not pairs:
        return "-"

    def one(pair: tuple[Entry, Entry]) -> list[str]:
        entry, system = pair
        secrets = [s for s in (system.name, system.id, system.title) if s and len(s) >= 6]
        texts = [world.site.action(viewer, "package_show", id=entry.id)[2]]
        ok, stream, _ = world.site.action(viewer, "package_activity_list", id=entry.id)
        if ok and stream:
            activity = stream[0]["id"]
            texts.append(
                world.site.action(viewer, "activity_diff", id=activity, object_type="package")[2]
            )
            texts.append(world.site.get(viewer, f"/dataset/changes/{activity}")[1])
        for path in (f"/dataset/{entry.name}", f"/dataset/edit/{entry.name}"):
            status, text = world.site.get(viewer, path)
            if status < 300:
                texts.append(text)
        return [
            f"{entry.name} names hidden {system.name}"
            for text in texts
            if any(secret in text for secret in secrets)
        ]

    return leak(run_many(one, pairs[:25]))


@probe("GET dataset pages of visible entries (data)")
def p_visible_pages(world: World, viewer: str) -> Verdict:
    entries = _data_entries(world, viewer)[:25]
    if not entries:
        return "-"

    def one(entry: Entry) -> list[str]:
        out = []
        for path in (
            f"/dataset/{entry.name}",
            f"/dataset/{entry.id}.ttl",
            f"/dataset/{entry.id}.jsonld",
        ):
            status, text = world.site.get(viewer, path)
            if status < 300:
                out += world.secrets[viewer].find(text)
        return out

    return leak(run_many(one, entries))


@probe("GET home / organization / info_system pages")
def p_pages(world: World, viewer: str) -> Verdict:
    found = []
    paths = [
        "/",
        "/organization/",
        "/info_system/",
        "/group/",
        "/about",
        "/reuse",
        "/reuse?q=人口",
        "/user/",
        "/dashboard/datasets",
    ]
    paths += [f"/organization/{o['name']}" for o in world.orgs[:45]]
    for path in paths:
        status, text = world.site.get(viewer, path)
        if status >= 500:
            found.append(f"{path} HTTP {status}")
        found += world.secrets[viewer].find(text)
    return leak(found)


@probe("GET organization page counts")
def p_org_page_counts(world: World, viewer: str) -> Verdict:
    per_org = Counter(e.owner_org for e in world.visible(viewer) if e.type == "dataset")
    found = []
    _status, text = world.site.get(viewer, "/organization/")
    for org in world.orgs:
        # the listing shows "<n> 个信息资源" (or "datasets") next to each organization's link
        m = re.search(
            re.escape(f"/organization/{org['name']}")
            + r'".{0,1500}?(\d+)\s*(?:个|Datasets|datasets)',
            text,
            re.S,
        )
        if m and int(m.group(1)) > per_org.get(org["id"], 0) + sum(
            1 for e in world.visible(viewer) if e.type == "info_system" and e.owner_org == org["id"]
        ):
            found.append(f"{org['name']} shows {m.group(1)} > {per_org.get(org['id'], 0)}")
    return leak(found)


# DCAT, feeds


@probe("GET DCAT catalog (ttl/jsonld/xml) + dcat actions")
def p_dcat(world: World, viewer: str) -> Verdict:
    found = []
    for fmt in ("ttl", "jsonld", "xml", "rdf"):
        for extra in ({}, {"page": 2}):
            _status, text = world.site.get(viewer, f"/catalog.{fmt}", **extra)
            found += world.secrets[viewer].find(text)
    ok, _, text = world.site.action(viewer, "dcat_catalog_search", q="*:*", rows=1000)
    found += world.secrets[viewer].find(text)
    ok, _, text = world.site.action(viewer, "dcat_catalog_show")
    found += world.secrets[viewer].find(text)
    v = world.viewers[viewer]
    for entry in [e for e in world.entries if not may_see(v, e)][:10]:
        ok, _, _ = world.site.action(viewer, "dcat_dataset_show", id=entry.id)
        if ok:
            found.append(f"dcat_dataset_show hidden {entry.name}")
    return leak(found)


@probe("GET atom feeds")
def p_feeds(world: World, viewer: str) -> Verdict:
    found = []
    paths = ["/feeds/dataset.atom", "/feeds/custom.atom?q=*:*", "/feeds/custom.atom?q=人口"]
    paths += [f"/feeds/organization/{o['name']}.atom" for o in world.orgs[:45]]
    for path in paths:
        _status, text = world.site.get(viewer, path)
        found += world.secrets[viewer].find(text)
    return leak(found)


# our own actions and pages


@probe("api govcatalog_info / reuse_search")
def p_ours(world: World, viewer: str) -> Verdict:
    found = []
    _, _, text = world.site.action(viewer, "govcatalog_info")
    found += world.secrets[viewer].find(text)
    for q in ("人口", "身份证号码", "姓名", "企业", "医疗", "户籍"):
        _ok, _, text = world.site.action(viewer, "govcatalog_reuse_search", items=[q])
        found += world.secrets[viewer].find(text)
    return leak(found)


@probe("api data_element_* + element pages")
def p_elements(world: World, viewer: str) -> Verdict:
    found = []
    _, _, text = world.site.action(viewer, "data_element_list", limit=1000)
    found += world.secrets[viewer].find(text)

    def one(element: dict[str, Any]) -> list[str]:
        out = []
        _ok, _, text = world.site.action(
            viewer, "data_element_show", id=element["id"], include_versions=True
        )
        out += world.secrets[viewer].find(text)
        _status, text = world.site.get(viewer, f"/data-element/{element['id']}")
        out += world.secrets[viewer].find(text)
        return out

    found += run_many(one, world.elements[:ELEMENTS])
    for name in ("姓名", "身份证号码", "企业名称", "统一社会信用代码"):
        _, _, text = world.site.action(viewer, "data_element_suggest", name=name)
        found += world.secrets[viewer].find(text)
        _ok, _, text = world.site.action(viewer, "data_element_search", q=name)
        found += world.secrets[viewer].find(text)
        _status, text = world.site.get(viewer, "/data-element", q=name)
        found += world.secrets[viewer].find(text)
    return leak(found)


@probe("element page holder counts")
def p_element_holders(world: World, viewer: str) -> Verdict:
    """The element page's holders must not outnumber what the viewer sees on the same page as
    the sysadmin would count with the viewer's eyes: compare with the sysadmin's page, entry by
    entry (a holder entry's name on the page)."""
    v = world.viewers[viewer]
    found = []

    def one(element: dict[str, Any]) -> list[str]:
        out = []
        _, ref = world.site.get(SYSADMIN, f"/data-element/{element['id']}")
        _, mine = world.site.get(viewer, f"/data-element/{element['id']}")
        for entry in world.entries:
            link = f'/dataset/{entry.name}"'
            if link in ref and link in mine and not may_see(v, entry):
                out.append(f"element {element['id']} lists hidden {entry.name}")
        return out

    found += run_many(one, world.elements[: ELEMENTS // 2])
    return leak(found)


@probe("api data_element_collection_map")
def p_map_action(world: World, viewer: str) -> Verdict:
    ok, result, text = world.site.action(viewer, "data_element_collection_map")
    if not ok:
        return "ok"
    found = world.secrets[viewer].find(text)
    ok_ref, ref, _ = world.site.action(SYSADMIN, "data_element_collection_map")
    if world.viewers[viewer].sysadmin or not ok_ref:
        return leak(found)
    # counts per element and department may not exceed what the viewer's visible entries make
    reference = json.dumps(ref, sort_keys=True, ensure_ascii=False)
    mine = json.dumps(result, sort_keys=True, ensure_ascii=False)
    if mine == reference and _hidden_in_map(world, viewer, reference):
        found.append("map identical to the sysadmin's though entries are hidden")
    return leak(found)


def _hidden_in_map(world: World, viewer: str, reference: str) -> bool:
    """Whether an entry the viewer may not see counts in the sysadmin's map: a catalog entry (its
    data items are the map's collections), or an information system the map names (the places
    table counts the systems a town's staff use; a system no town uses is not in the map)."""
    return any(
        not may_see(world.viewers[viewer], e)
        and (e.type != "info_system" or e.name in reference or (e.title and e.title in reference))
        for e in world.entries
    )


@probe("GET /data-element/map + map.csv")
def p_map_pages(world: World, viewer: str) -> Verdict:
    found = []
    for path in (
        "/data-element/map",
        "/data-element/map.csv",
        "/data-element/map.csv?table=places",
        "/data-element/map.csv?table=repeated",
        "/data-element/map.csv?table=elements",
    ):
        status, text = world.site.get(viewer, path)
        if status >= 500:
            found.append(f"{path} HTTP {status}")
        found += world.secrets[viewer].find(text)
    _, ref = world.site.get(SYSADMIN, "/data-element/map.csv")
    _, mine = world.site.get(viewer, "/data-element/map.csv")
    if (
        not world.viewers[viewer].sysadmin
        and ref == mine
        and ref
        and _hidden_in_map(world, viewer, ref)
    ):
        found.append("map.csv identical to the sysadmin's")
    return leak(found)


@probe("usage records (api + pages)")
def p_usage(world: World, viewer: str) -> Verdict:
    found = []
    v = world.viewers[viewer]

    def one(entry: Entry) -> list[str]:
        out = []
        ok, _, _ = world.site.action(
            viewer, "govcatalog_usage_list", package_id=entry.id, id=entry.id
        )
        if ok and not (v.sysadmin or entry.owner_org in v.orgs):
            out.append(f"usage list of {entry.name} to a non-owner")
        status, _text = world.site.get(viewer, f"/dataset/{entry.name}/usage")
        if status < 300 and not (v.sysadmin or entry.owner_org in v.orgs):
            out.append(f"usage page of {entry.name} to a non-owner")
        return out

    found += run_many(one, [e for e in world.entries if e.resources][:40])
    return leak(found)


@probe("access requests (api + dashboards)")
def p_requests(world: World, viewer: str) -> Verdict:
    found = []
    v = world.viewers[viewer]
    for scope in ("mine", "decide", "all"):
        _, _, text = world.site.action(viewer, "access_request_list", scope=scope, limit=1000)
        found += world.secrets[viewer].find(text)
    ok, ref, _ = world.site.action(SYSADMIN, "access_request_list", scope="all", limit=1000)
    for request in (ref or {}).get("results", [])[:30] if ok else []:
        ok, _, _ = world.site.action(viewer, "access_request_show", id=request["id"])
        entry = world.by_id.get(request.get("package_id"))
        outsider = not (
            v.sysadmin
            or request.get("requester_name") == viewer
            or (entry is not None and entry.owner_org in v.orgs)
        )
        if ok and outsider:
            found.append(f"access_request_show {request['id'][:8]} to an outsider")
        status, _ = world.site.get(viewer, f"/access-request/{request['id']}")
        if status < 300 and outsider:
            found.append(f"/access-request page {request['id'][:8]} to an outsider")
    for path in (
        "/dashboard/access-requests",
        "/dashboard/access-requests/decide",
        "/dashboard/notifications",
    ):
        _, text = world.site.get(viewer, path)
        found += world.secrets[viewer].find(text)
    _, _, text = world.site.action(viewer, "govcatalog_notification_list")
    found += world.secrets[viewer].find(text)
    return leak(found)


def _workbook_text(data: bytes) -> str:
    """Every cell of an .xlsx answer, one per line (openpyxl, as the project's own .venv has)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


@probe("GET bulk export + import template")
def p_bulk(world: World, viewer: str) -> Verdict:
    found = []
    for fmt in ("csv", "jsonl"):
        status, text = world.site.get(viewer, "/catalog/bulk/export", format=fmt)
        if status < 300:
            found += world.secrets[viewer].find(text)
    for path in ("/catalog/bulk/export?format=xlsx", "/catalog/bulk/template.xlsx"):
        status, data = world.site.get_bytes(viewer, path)
        if status < 300:
            found += [
                f"{path.split('/')[-1]}: {w}"
                for w in world.secrets[viewer].find(_workbook_text(data))
            ]
    return leak(found)


@probe("GET robots/sitemap/api root")
def p_misc(world: World, viewer: str) -> Verdict:
    found = []
    for path in ("/robots.txt", "/sitemap.xml", "/api/3", "/catalog.ttl?q=*:*"):
        _status, text = world.site.get(viewer, path)
        found += world.secrets[viewer].find(text)
    return leak(found)


# --- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", default="http://127.0.0.1:5000")
    parser.add_argument("--tokens", required=True, help="lines of 'user-name api-token'")
    parser.add_argument("--only", help="probe names containing this text")
    args = parser.parse_args(argv)
    with open(args.tokens, encoding="utf-8") as lines:
        tokens = dict(line.split() for line in lines if line.strip())
    if SYSADMIN not in tokens:
        raise SystemExit(f"the tokens file needs the sysadmin {SYSADMIN!r}: the reference view")
    site = Site(args.site.rstrip("/"), tokens)
    entries = load_entries(site)
    names = [ANON] + [n for n in tokens if n != SYSADMIN] + [SYSADMIN]
    viewers = {n: load_viewer(site, n) for n in names}
    ok, orgs, _ = site.action(SYSADMIN, "organization_list", all_fields=True, limit=1000)
    ok_el, elements, _ = site.action(SYSADMIN, "data_element_list", limit=1000)
    world = World(
        site=site,
        entries=entries,
        viewers=viewers,
        secrets={n: secrets_for(v, entries) for n, v in viewers.items()},
        by_id={e.id: e for e in entries},
        orgs=orgs if ok else [],
        elements=elements["results"] if ok_el else [],
    )
    print(
        f"{len(entries)} entries, {len(world.orgs)} organizations, "
        f"{len(world.elements)} elements; viewers:"
    )
    for n, v in viewers.items():
        kind = "sysadmin" if v.sysadmin else ("government" if v.government else "public")
        print(
            f"  {n}: {kind}, {len(v.orgs)} orgs, {len(v.granted)} grants, "
            f"sees {len(world.visible(n))}, reads data of "
            f"{sum(1 for e in entries if may_read(v, e))}"
        )
    leaks = 0
    rows = []
    for route, fn in PROBES.items():
        if args.only and args.only not in route:
            continue
        row = [route]
        for n in names:
            try:
                verdict = fn(world, n)
            except Exception as error:  # a probe that breaks is reported, not hidden
                verdict = f"ERROR {type(error).__name__}: {error}"[:120]
            leaks += verdict.startswith("LEAK")
            row.append(verdict)
        rows.append(row)
        print(f"\n{route}")
        for n, verdict in zip(names, row[1:], strict=False):
            print(f"  {n:20} {verdict}")
    print(f"\n{len(rows)} routes x {len(names)} viewers: {leaks} LEAK cells")
    out = io.StringIO()
    csv.writer(out).writerows([["route", *names], *rows])
    with open("leak_probe_table.csv", "w", encoding="utf-8") as handle:
        handle.write(out.getvalue())
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
