"""package_show of new entries without reading them back.

package_create asks package_show twice (for the activity and for the search index); the dicts
are built here from what was just written: CKAN's package_dictize, step by step, then the
default and the dataset type's show schemas and the plugins' read and after_dataset_show hooks.
Given more than one process, forked workers build one chunk's dicts while this process inserts
the next (:class:`Shower`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins as p
import sqlalchemy as sa
from ckan import logic, model
from ckan.lib import dictization
from ckan.lib import plugins as lib_plugins
from ckan.lib.dictization import model_dictize

from ckanext.govcatalog.bulk.fastpath import workers
from ckanext.govcatalog.bulk.fastpath.insert import Entry

Shown = tuple[dict[str, Any], dict[str, Any]]  # (default schema, custom schema) package_show
Dictized = tuple[dict[str, Any], dict[str, Any]]  # (package row, package_dictize output)


def org_dicts(ids: set[str]) -> dict[str, Any]:
    """The ``organization`` of package_dictize for each owner org."""
    group = model.group_table
    out: dict[str, Any] = {}
    for org_id in ids:
        q = sa.select(group).where(group.c["id"] == org_id).where(group.c["state"] == "active")
        found = dictization.obj_list_dictize(model.Session.execute(q), {})
        if found:
            del found[0]["extras"]
        out[org_id] = found[0] if found else None
    return out


def dictize(entry: Entry, org: dict[str, Any] | None) -> dict[str, Any]:
    """package_dictize of a package just created with no resources, groups or relationships
    (model_dictize.package_dictize, step by step)."""
    pkg = entry.pkg
    result = dictization.table_dictize(pkg, {})
    if result.get("title"):
        result["title"] = result["title"].strip()
    result.pop("plugin_data", None)
    result["resources"] = model_dictize.resource_list_dictize([], {})
    result["num_resources"] = 0
    tags = [
        {"id": t["id"], "name": t["name"], "vocabulary_id": t["vocabulary_id"], "state": "active"}
        for t in entry.tags
    ]
    result["tags"] = sorted(tags, key=lambda t: t["name"])
    result["num_tags"] = len(tags)
    for tag in result["tags"]:
        tag["display_name"] = tag["name"]
    # extras in the order package_create's own package_show sees them (the session's dict,
    # before the row is read back)
    return fill_package_dict(result, pkg, org, pkg.extras)


def fill_package_dict(
    result: dict[str, Any], pkg: Any, org: dict[str, Any] | None, extras: dict[str, Any] | None
) -> dict[str, Any]:
    """The rest of package_dictize for a package with no groups or relationships: extras,
    organization, licence and times (the fast path and ops/reindex.py share it)."""
    result["extras"] = [{"key": k, "value": v} for k, v in (extras or {}).items()]
    result["groups"] = []
    result["organization"] = dict(org) if org else None  # a row of scalars: a copy per entry
    result["relationships_as_subject"] = []
    result["relationships_as_object"] = []
    result["isopen"] = pkg.isopen()
    result["type"] = pkg.type or "dataset"
    if pkg.license and pkg.license.url:
        result["license_url"] = pkg.license.url
        result["license_title"] = pkg.license.title.split("::")[-1]
    elif pkg.license:
        result["license_title"] = pkg.license.title
    else:
        result["license_title"] = pkg.license_id
    result["metadata_modified"] = pkg.metadata_modified.isoformat()
    result["metadata_created"] = pkg.metadata_created.isoformat() if pkg.metadata_created else None
    return result


def shown(pkg: model.Package, dictized: dict[str, Any]) -> Shown:
    """(default schema, custom schema) dicts, as logic.package_show_default_and_custom_schemas
    returns them for ``dictized`` (package_dictize's output for ``pkg``, changed in place by the
    resource hooks as package_show changes it); the custom one is also what package_show
    returned to the activity."""
    from ckan.logic.schema import default_show_package_schema

    context: dict[str, Any] = {
        "model": model,
        "session": model.Session,
        "user": "",
        "ignore_auth": True,
        "use_cache": False,
        "validate": False,
        "package": pkg,
        "for_view": False,
    }
    for item in p.PluginImplementations(p.IPackageController):
        item.read(pkg)
    for resource_hook in p.PluginImplementations(p.IResourceController):
        for resource_dict in dictized["resources"]:
            resource_hook.before_resource_show(resource_dict)
    default_schema = default_show_package_schema()
    with_default, _errors = lib_plugins.plugin_validate(
        object(), context, dictized, default_schema, "package_show"
    )
    plugin = lib_plugins.lookup_package_plugin(dictized["type"])
    custom_schema = plugin.show_package_schema()
    if custom_schema == default_schema:
        with_custom = with_default
    else:
        with_custom, _errors = lib_plugins.plugin_validate(
            plugin, context, dictized, custom_schema, "package_show"
        )
    logic.apply_after_dataset_show_plugins(context, with_custom)
    return with_default, with_custom


def show_many(items: list[Dictized]) -> list[Shown]:
    """:func:`shown` of (package row, package_dictize output) pairs; in a worker the package is
    rebuilt from its row (the parent's rows are not committed yet, and need not be read)."""
    out = []
    for row, dictized in items:
        pkg = model.Package()
        for column, value in row.items():
            setattr(pkg, column, value)
        out.append(shown(pkg, dictized))
    return out


class Shower:
    """Builds the package_show dicts of written chunks: in this process, or, given more than one
    process, in forked workers while this process writes the next chunk and sends documents."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.pool = workers.pool(processes) if processes > 1 and workers.can_fork() else None

    def submit(self, items: list[Dictized]) -> Callable[[], list[Shown]]:
        """Starts on ``items``; the returned function waits for their dicts."""
        if self.pool is None:
            return lambda: show_many(items)
        parts = [
            self.pool.apply_async(show_many, (part,))
            for part in workers.parts(items, self.processes)
        ]
        return lambda: [pair for part in parts for pair in part.get()]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
