"""Attach the sample data files (tabular/demo_files.py) to the demo catalog's open and shared
entries, and load their tables into the DataStore.

Each entry gets one uploaded resource named after the entry, marked ``sample_data`` (the page
shows 示例数据) and described as sample data. An entry that already has its sample resource is
left alone, so a second run changes nothing. Loads run here, one after another, rather than on
the jobs queue: the demo should be previewable as soon as set-up ends (so the uploads queue
nothing: loading.LOADED_BY_CALLER).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from werkzeug.datastructures import FileStorage

from ckanext.govcatalog.demo import loader
from ckanext.govcatalog.tabular import demo_files, loading

_MIMETYPES = {
    "CSV": "text/csv",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "PDF": "application/pdf",
}


def _description(sample: demo_files.SampleFile) -> str:
    if sample.format == "PDF":
        return "示例数据：演示用说明文档，由演示数据规则生成，不是正式文件。"
    return (
        f"示例数据：{sample.row_count} 行，列为本资源的信息项；"
        "按演示数据规则生成（固定随机种子，每次生成相同），不含真实个人或单位信息。"
    )


def attach(echo: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Attach missing sample files and load their tables. Returns counts: attached, loaded,
    failed, skipped (already there)."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    counts = {"attached": 0, "loaded": 0, "failed": 0, "skipped": 0}
    to_load: list[str] = []
    for entry in loader.read_data()["entries"]:
        if not demo_files.wants_file(entry):
            continue
        pkg = model.Package.get(entry["name"])
        if pkg is None or pkg.state != "active":
            continue
        existing = [r for r in pkg.resources if r.extras.get("sample_data")]
        if existing:
            counts["skipped"] += 1
            to_load += [r.id for r in existing if _needs_load(r)]
            continue
        resource = attach_sample(entry, pkg.id, site_user["name"])
        counts["attached"] += 1
        if loading.is_tabular(resource):
            to_load.append(resource["id"])
    echo(f"attached {counts['attached']} sample files; loading {len(to_load)} tables")
    for number, resource_id in enumerate(to_load, start=1):
        state = loading.load_resource(resource_id)
        counts["loaded" if state == loading.LOADED else "failed"] += 1
        if number % 50 == 0:
            echo(f"loaded {number} of {len(to_load)} tables")
    return counts


def attach_sample(entry: dict[str, Any], package_id: str, user_name: str) -> dict[str, Any]:
    """Upload the sample file of ``entry`` (an entry's data: name, title, data_items, formats)
    as a new resource of the package, marked sample_data. Returns the resource."""
    sample = demo_files.sample_file(entry)
    upload = FileStorage(
        stream=io.BytesIO(sample.content),
        filename=sample.filename,
        content_type=_MIMETYPES[sample.format],
    )
    data = {
        "package_id": package_id,
        "name": f"{entry.get('title') or entry['name']}（示例数据）",
        "description": _description(sample),
        "format": sample.format,
        "upload": upload,
        "url": sample.filename,
        "sample_data": "true",
    }
    context: dict[str, Any] = {"user": user_name, "ignore_auth": True}
    if sample.format in loading.TABULAR_FORMATS:
        # attach() loads the table right after, in this process: nothing is queued for it, and
        # the resource is marked as having its table now (a failed load unmarks it), which
        # spares the DataStore's own resource_patch after loading: a second package_update,
        # reindex and audit record per file, most of a load's time
        context[loading.LOADED_BY_CALLER] = True
        data["datastore_active"] = True
    return tk.get_action("resource_create")(context, data)


def _needs_load(res: model.Resource) -> bool:
    facts = loading.resource_facts(res)
    if not loading.is_tabular(facts):
        return False
    state = loading.load_state(res.id)
    return state is None or state["state"] != loading.LOADED
