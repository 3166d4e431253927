"""All-or-nothing import of catalog entries from a spreadsheet, with a row-level report.

Every row goes through the dataset schema's own validators (the web form's). New entries are then
written by bulk/fastpath/, which makes exactly what package_create makes (package_show output,
activity, audit record, search document) with bulk statements in one transaction and sends the
search documents in chunks; changed entries go through package_update in the same transaction.
Validation errors of all rows are collected in one pass before anything is written.
Upsert: a row with a resource code updates the entry with that code; a row without one matches the
entry made earlier from the same organization and title, so importing a file twice changes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import pysolr
import sqlalchemy.exc
from ckan import model
from ckan.lib import plugins as lib_plugins
from ckan.lib import search

from ckanext.govcatalog.bulk import fastpath
from ckanext.govcatalog.bulk import layout as L
from ckanext.govcatalog.bulk import workbook as W
from ckanext.govcatalog.catalog import package_names
from ckanext.govcatalog.catalog.fields import split_text

Progress = Callable[[str, int, int], None]
INDEX_BATCH = 500
log = logging.getLogger(__name__)
# a service that stops answering while an import writes: reported, never half-written
SERVICE_ERRORS: tuple[type[BaseException], ...] = (
    pysolr.SolrError,
    search.SearchError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
)


@dataclasses.dataclass
class Planned:
    row: int
    key: str
    action: str  # create | update | unchanged
    data: dict[str, Any]
    title: str = ""
    package_id: str | None = None
    # create: the row as the create schema validated it (what the fast path writes)
    validated: dict[str, Any] | None = None


@dataclasses.dataclass
class ImportResult:
    kind: str
    problems: list[W.Problem]
    planned: list[Planned]
    written: bool = False
    package_ids: list[str] = dataclasses.field(default_factory=list)
    # data items given no 数据元 that were bound to the element suggested as safe (auto), for
    # the officer to review in the report: {sheet, row, title, item, element_id, element_name,
    # confidence}; one whose binding would break the entry's share or open type (sensitive
    # personal information shared unconditionally) is not bound and says why in ``left_out``
    auto_bound: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for p in self.planned if p.action == action)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "written": self.written,
            "created": self.count("create"),
            "updated": self.count("update"),
            "unchanged": self.count("unchanged"),
            "errors": len(self.problems),
        }


def _noop(_phase: str, _done: int, _total: int) -> None:
    pass


def import_file(
    data: bytes,
    filename: str,
    user: str,
    org: str | None = None,
    dry_run: bool = False,
    progress: Progress = _noop,
    dataset_type: str = "dataset",
    processes: int | None = 1,
) -> ImportResult:
    """Reads, checks and (unless ``dry_run`` or anything is wrong) writes a spreadsheet;
    ``processes`` check and write new rows in parallel (see fastpath.validate and write; None:
    one per core)."""
    lay = L.layout(dataset_type)
    try:
        upload = W.read_upload(data, filename, lay)
    except W.FileError as e:
        return ImportResult(W.kind_of(data), [W.Problem("", None, "", "", str(e))], [])
    rows, problems = rows_from_upload(upload, lay)
    return import_rows(
        rows,
        user,
        org,
        dry_run,
        progress,
        lay,
        kind=upload.kind,
        problems=problems,
        processes=processes,
    )


@dataclasses.dataclass
class Row:
    """One entry as read from a file: schema values, the sheet row, the cells it came from."""

    row: int
    key: str
    values: dict[str, Any]  # field -> value (None = the cell was empty)
    raw: dict[str, Any]
    item_rows: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    sheet: str = L.ENTRY_SHEET
    # Cells already reported as unreadable: the validators' "missing value" would repeat them.
    bad: set[tuple[Any, ...]] = dataclasses.field(default_factory=set)


def rows_from_upload(upload: W.Upload, lay: L.Layout) -> tuple[list[Row], list[W.Problem]]:
    """Cells -> schema values (choices, dates, organizations...), with a problem per bad cell."""
    problems = list(upload.problems)
    orgs = L.OrgIndex()
    sheet = upload.entries
    out: list[Row] = []
    by_key: dict[str, Row] = {}
    for srow in sheet.rows:
        values: dict[str, Any] = {}
        bad: set[tuple[Any, ...]] = {(f,) for f in srow.bad}
        for column in lay.columns:
            if column.field not in sheet.headers:
                continue
            raw = srow.cells.get(column.field)
            try:
                values[column.field] = L.read_cell(column, raw, orgs)
            except L.CellError as e:
                bad.add((column.field,))
                problems.append(
                    W.Problem(
                        sheet.name, srow.row, sheet.headers[column.field], _shown(raw), str(e)
                    )
                )
        key = L.clean_text(srow.cells.get(L.KEY_HEADER)) or str(srow.row)
        key = L.norm_structured(key)
        row = Row(srow.row, key, values, srow.cells, sheet=sheet.name, bad=bad)
        if key in by_key:
            problems.append(
                W.Problem(
                    sheet.name,
                    srow.row,
                    L.KEY_HEADER,
                    key,
                    tk._("the same 序号 is used again in row {row}").format(row=by_key[key].row),
                )
            )
        by_key[key] = row
        out.append(row)
        # CSV: the data items of an entry are written in one cell.
        for item in lay.item_sheets:
            if item.field in sheet.headers and upload.kind == "csv":
                text = L.clean_text(srow.cells.get(item.field))
                values[item.field] = _read_items(
                    item,
                    W.items_from_cell(item, text),
                    bad,
                    sheet.name,
                    srow.row,
                    problems,
                    orgs,
                    header=sheet.headers[item.field],
                )
    codes: dict[str, Row] = {}
    for row in out:
        code = row.values.get(L.KEY_FIELD)
        if code and code in codes:
            header = sheet.headers.get(L.KEY_FIELD, L.KEY_FIELD)
            reason = tk._("the same resource code is used again in row {row}").format(
                row=codes[code].row
            )
            problems.append(W.Problem(sheet.name, row.row, header, code, reason))
        elif code:
            codes[code] = row
    for item in lay.item_sheets:
        isheet = upload.items.get(item.field)
        if isheet is None:
            continue
        grouped: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for srow in isheet.rows:
            key = L.norm_structured(L.clean_text(srow.cells.get(L.KEY_HEADER)))
            owner = by_key.get(key) or codes.get(key)
            if owner is None:
                problems.append(
                    W.Problem(
                        isheet.name,
                        srow.row,
                        L.KEY_HEADER,
                        key,
                        tk._("no entry with this 序号 in the sheet {sheet}").format(
                            sheet=sheet.name
                        ),
                    )
                )
                continue
            grouped.setdefault(owner.key, []).append((srow.row, srow.cells))
        for row in out:
            entries = grouped.get(row.key, [])
            row.item_rows[item.field] = [n for n, _c in entries]
            values = []
            for n, cells in entries:
                values += _read_items(
                    item,
                    [cells],
                    row.bad,
                    isheet.name,
                    n,
                    problems,
                    orgs,
                    headers=isheet.headers,
                    first=len(values),
                )
            row.values[item.field] = values
    return out, problems


def _read_items(
    item: L.ItemSheet,
    raws: list[dict[str, Any]],
    bad: set[tuple[Any, ...]],
    sheet: str,
    row: int,
    problems: list[W.Problem],
    orgs: L.OrgIndex,
    headers: dict[str, str] | None = None,
    header: str | None = None,
    first: int = 0,
) -> list[dict[str, Any]]:
    out = []
    for n, raw in enumerate(raws, start=first):
        value: dict[str, Any] = {}
        for column in item.columns:
            cell = raw.get(column.field)
            try:
                v = L.read_cell(column, cell, orgs)
            except L.CellError as e:
                bad.add((item.field, n, column.field))
                shown = header or (headers or {}).get(column.field, column.header)
                if header:
                    shown = f"{header}/{column.header}"
                problems.append(W.Problem(sheet, row, shown, _shown(cell), str(e)))
                continue
            value[column.field] = "" if v is None else v
        out.append(value)
    return out


def _shown(raw: Any) -> str:
    text = L.clean_text(raw)
    return text if len(text) <= 200 else text[:200] + "…"


# ---- planning: upsert keys, unchanged rows, validation -------------------------------------


def _existing_by_code(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    found: dict[str, str] = {}
    col = model.Package.extras[L.KEY_FIELD].astext
    for i in range(0, len(codes), 1000):
        q = model.Session.query(model.Package.id, col).filter(
            col.in_(codes[i : i + 1000]), model.Package.state != "deleted"
        )
        found.update({code: pid for pid, code in q})
    return found


def slug(org_id: str, title: str) -> str:
    """The URL name of an entry made from a row without a resource code: readable pinyin of the
    title plus a hash of organization and title, so the same row always maps to the same entry."""
    from pypinyin import lazy_pinyin

    words = "-".join(lazy_pinyin(title[:40]))
    words = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:60].strip("-")
    digest = hashlib.sha1(f"{org_id}\n{title}".encode()).hexdigest()[:10]
    return f"{words}-{digest}" if words else f"entry-{digest}"


def _same(column: L.Column | None, old: Any, new: Any) -> bool:
    if isinstance(new, list) or isinstance(old, list):
        return _norm_list(old) == _norm_list(new)
    if column is not None and column.kind == "tags":
        return sorted(split_text(str(new or ""))) == sorted(_norm_list(old))
    if column is not None and column.kind == "date":
        return str(old or "")[:10] == str(new or "")[:10]
    return L.clean_text(old) == L.clean_text(new)


def _norm_list(v: Any) -> list[Any]:
    if v in (None, ""):
        return []
    if isinstance(v, str):
        return L.text_values(v)
    out = []
    for x in v:
        if isinstance(x, dict):
            # a subfield left empty is the same whether it is stored as "" or not at all
            cells = {k: L.clean_text(y) for k, y in x.items()}
            out.append({k: y for k, y in cells.items() if y})
        else:
            out.append(str(x))
    return out


def _changes(lay: L.Layout, row: Row, pkg: dict[str, Any]) -> bool:
    for field, new in row.values.items():
        column = lay.column(field)
        old = L.dataset_value(column, pkg) if column else pkg.get(field)
        if field == "tag_string":
            old = [t["name"] for t in pkg.get("tags") or []]
        if field == L.KEY_FIELD and not new:
            continue
        if not _same(column, old, new):
            return True
    return False


def _update_dict(lay: L.Layout, row: Row, pkg: dict[str, Any]) -> dict[str, Any]:
    data = dict(pkg)
    for field, value in row.values.items():
        if field == L.KEY_FIELD and not value:
            continue
        column = lay.column(field)
        if field == "tag_string":
            data.pop("tags", None)
        if value is None:
            value = [] if column is not None and column.kind in ("multi", "list") else ""
        data[field] = value
    return data


def _create_dict(lay: L.Layout, row: Row, name: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"type": lay.dataset_type}
    if name:
        data["name"] = name
    for field, value in row.values.items():
        if value is not None and value != []:
            data[field] = value
    return data


def _context(user: str, **extra: Any) -> dict[str, Any]:
    return {"user": user, "model": model, "session": model.Session, **extra}


def _validate(
    dataset_type: str, action: str, context: dict[str, Any], data: dict[str, Any]
) -> dict:
    plugin = lib_plugins.lookup_package_plugin(dataset_type)
    if action == "package_create":
        schema = plugin.create_package_schema()
    else:
        schema = plugin.update_package_schema()
    _data, errors = lib_plugins.plugin_validate(plugin, context, dict(data), schema, action)
    return errors


def _error_problems(
    lay: L.Layout, row: Row, errors: dict[str, Any], headers: dict[str, str]
) -> list[W.Problem]:
    out = []
    for field, messages in errors.items():
        item = next((i for i in lay.item_sheets if i.field == field), None)
        if item and isinstance(messages, list) and messages and isinstance(messages[0], dict):
            rows = row.item_rows.get(field) or []
            for n, sub in enumerate(messages):
                for sub_field, sub_msgs in (sub or {}).items():
                    if (field, n, sub_field) in row.bad:
                        continue
                    column = next((c for c in item.columns if c.field == sub_field), None)
                    value = (row.values.get(field) or [{}] * (n + 1))[n].get(sub_field)
                    out.append(
                        W.Problem(
                            item.title if rows else row.sheet,
                            rows[n] if n < len(rows) else row.row,
                            column.header if column else sub_field,
                            _shown(value),
                            "；".join(_flatten(sub_msgs)),
                        )
                    )
            continue
        if (field,) in row.bad:
            continue
        column = lay.column(field)
        header = headers.get(field) or (column.header if column else field)
        if field == "name":
            header = (lay.column("title") or L.Column("title", "title", "text", True)).header
        out.append(
            W.Problem(
                row.sheet,
                row.row,
                header,
                _shown(row.raw.get(field, row.values.get(field))),
                "；".join(_flatten(messages)),
            )
        )
    return out


def _flatten(messages: Any) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [m for v in messages.values() for m in _flatten(v)]
    return [m for v in messages or [] for m in _flatten(v)]


def _auth_problem(action: str, context: dict[str, Any], data: dict[str, Any]) -> str | None:
    try:
        tk.check_access(action, dict(context), data)
    except tk.NotAuthorized:
        return tk._("you may not create or change entries of this organization")
    return None


def import_rows(
    rows: list[Row],
    user: str,
    org: str | None = None,
    dry_run: bool = False,
    progress: Progress = _noop,
    lay: L.Layout | None = None,
    kind: str = "rows",
    problems: list[W.Problem] | None = None,
    processes: int | None = 1,
) -> ImportResult:
    """Plans, validates and writes rows already turned into schema values."""
    lay = lay or L.layout()
    problems = list(problems or [])
    headers = {c.field: c.header for c in lay.columns}
    orgs = L.OrgIndex()
    forced = orgs.find(org) if org else None
    if org and not forced:
        problems.append(W.Problem("", None, "", org, tk._("no such organization")))
        return ImportResult(kind, problems, [])
    if forced:
        for row in rows:
            current = row.values.get("owner_org")
            if current and current != forced["id"]:
                problems.append(
                    W.Problem(
                        row.sheet,
                        row.row,
                        headers.get("owner_org", "owner_org"),
                        _shown(row.raw.get("owner_org")),
                        tk._("the row names another organization than {org}").format(
                            org=forced["title"]
                        ),
                    )
                )
            row.values["owner_org"] = forced["id"]

    auto_bound = _bind_elements(rows, lay)
    has_name = any(f["field_name"] == "name" for f in _schema_fields(lay.dataset_type))
    by_code = _existing_by_code([r.values[L.KEY_FIELD] for r in rows if r.values.get(L.KEY_FIELD)])
    names = {}
    if has_name:
        for r in rows:
            names[r.key] = slug(r.values.get("owner_org") or "", r.values.get("title") or "")
    # Rows with a code match on it; rows without one match the entry their slug names.
    by_name = package_names.live_package_ids(
        [n for r in rows if not r.values.get(L.KEY_FIELD) and (n := names.get(r.key))]
    )
    # Two rows making the same new entry (same organization and title) would collide.
    seen_names: dict[str, int] = {}
    for r in rows:
        n = names.get(r.key)
        if n and n in seen_names:
            problems.append(
                W.Problem(
                    r.sheet,
                    r.row,
                    headers.get("title", "title"),
                    _shown(r.values.get("title")),
                    tk._("row {row} already makes an entry with this title").format(
                        row=seen_names[n]
                    ),
                )
            )
        elif n:
            seen_names[n] = r.row

    planned: list[Planned] = []
    auth_cache: dict[tuple[str, str], str | None] = {}
    show_context = _context(user, ignore_auth=True, for_view=False)
    total = len(rows)
    creates: list[tuple[Row, Planned]] = []
    for i, row in enumerate(rows):
        code = row.values.get(L.KEY_FIELD)
        pid = by_code.get(code) if code else by_name.get(names.get(row.key, ""))
        context = _context(user)
        if pid:
            pkg = tk.get_action("package_show")(dict(show_context), {"id": pid})
            if not _changes(lay, row, pkg):
                planned.append(Planned(row.row, row.key, "unchanged", {}, pkg["title"], pid))
                continue
            data = _update_dict(lay, row, pkg)
            action = "package_update"
            context["package"] = model.Package.get(pid)
            auth_key = (action, pid)
        else:
            data = _create_dict(lay, row, names.get(row.key) if has_name else None)
            action = "package_create"
            auth_key = (action, data.get("owner_org") or "")
        if auth_key not in auth_cache:
            auth_cache[auth_key] = _auth_problem(action, context, data)
        denied = auth_cache[auth_key]
        if denied:
            problems.append(W.Problem(row.sheet, row.row, headers.get("owner_org", ""), "", denied))
            continue
        plan = Planned(
            row.row,
            row.key,
            "create" if action == "package_create" else "update",
            data,
            str(row.values.get("title") or ""),
            pid,
        )
        planned.append(plan)
        if action == "package_create":
            creates.append((row, plan))  # validated together below
            continue
        errors = _validate(lay.dataset_type, action, context, data)
        if errors:
            problems += _error_problems(lay, row, errors, headers)
        if i % 100 == 0:
            progress("check", i, total)
    checked = fastpath.validate(
        lay.dataset_type, user, [plan.data for _row, plan in creates], progress, processes
    )
    for (row, plan), (validated, errors) in zip(creates, checked, strict=True):
        if errors:
            problems += _error_problems(lay, row, errors, headers)
        plan.validated = validated
    progress("check", total, total)
    # Validators may have touched the session (e.g. drawn a code): nothing of that stays.
    model.Session.rollback()
    result = ImportResult(kind, sorted(problems, key=_problem_order), planned)
    result.auto_bound = auto_bound
    if problems or dry_run:
        return result
    try:
        result.package_ids = write(planned, user, progress, processes)
    except SERVICE_ERRORS as error:
        # write() rolled everything back: the report says which service failed and what to do
        log.error("import not written, %s: %s", type(error).__name__, error)
        result.problems.append(W.Problem("", None, "", "", service_failure(error)))
        result.planned = []  # the summary counts what was done: nothing
        return result
    result.written = True
    return result


def _bind_elements(rows: list[Row], lay: L.Layout) -> list[dict[str, Any]]:
    """Fills the empty 数据元 of data items with the element suggested as safe (``auto``) unless
    that would break the entry's share or open type (elements/autobind.py); returns what it
    filled and what it left out with the rule it would break (``left_out``), for the report,
    as ``ckan govcatalog elements bind`` prints both."""
    from ckanext.govcatalog.elements import autobind

    sheets = [i for i in lay.item_sheets if any(c.field == "element_id" for c in i.columns)]
    ask = autobind.cached_suggest()
    filled: list[dict[str, Any]] = []
    for row in rows:
        for sheet in sheets:
            items = row.values.get(sheet.field)
            if not items:
                continue
            auto = autobind.auto_bind_items(
                items, row.values.get("share_type"), row.values.get("open_type"), ask
            )
            if auto.bound:
                row.values[sheet.field] = auto.items
            numbers = row.item_rows.get(sheet.field) or []
            made_and_why = [(made, None) for made in auto.bound] + list(auto.left_out)
            for made, reason in sorted(made_and_why, key=lambda pair: pair[0].row):
                in_sheet = made.row <= len(numbers)
                note = {
                    "sheet": sheet.title if in_sheet else row.sheet,
                    "row": numbers[made.row - 1] if in_sheet else row.row,
                    "title": str(row.values.get("title") or ""),
                    "item": made.item,
                    "element_id": made.element_id,
                    "element_name": made.element_name,
                    "confidence": made.confidence,
                }
                if reason is not None:
                    note["left_out"] = reason
                filled.append(note)
    return filled


def service_failure(error: BaseException) -> str:
    """What an import stopped by a failing service tells the user: what failed, that nothing
    was written, and what to do."""
    if isinstance(error, sqlalchemy.exc.DBAPIError):
        failed = tk._("The database (PostgreSQL) did not answer")
    else:
        failed = tk._("The search index (Solr) did not answer")
    return tk._(
        "{failed}: nothing of this file was written. Ask the operator to check the service, "
        "then import the file again."
    ).format(failed=failed)


def _problem_order(p: W.Problem) -> tuple[str, int, str]:
    return ((p.sheet != L.ENTRY_SHEET and p.sheet) or "", p.row or 0, p.column)


def _schema_fields(dataset_type: str) -> list[dict[str, Any]]:
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    return scheming_get_dataset_schema(dataset_type)["dataset_fields"]


# ---- writing ---------------------------------------------------------------------------------


def write(
    planned: list[Planned],
    user: str,
    progress: Progress = _noop,
    processes: int | None = 1,
    index: fastpath.Index | None = None,
) -> list[str]:
    """Writes every planned row in one transaction: changed entries through package_update, new
    ones through the fast path (whose search documents go out before the commit and are
    withdrawn if it fails; ``processes`` as for fastpath.write; ``index``: where they go, a new
    fastpath.Index by default). Any failure rolls everything back."""
    updates = [p for p in planned if p.action == "update"]
    creates = [p for p in planned if p.action == "create"]
    fast = [p for p in creates if p.validated is not None and fastpath.supported(p.validated)]
    fast_ids = {id(p) for p in fast}
    slow = [p for p in creates if id(p) not in fast_ids]
    index = index or fastpath.Index()
    ids: dict[int, str] = {}
    try:
        for i, p in enumerate(updates):
            # CKAN 2.12.0's package_update rolls its savepoint back when defer_commit is set
            # and it gets past the return_id_only exit (update.py:446, the "No update" else
            # branch), so it must leave there. That exit skips recording changed_entities,
            # which the activity plugin reads; this row is known to change, so we record it.
            context = _context(
                user,
                defer_commit=True,
                return_id_only=True,
                changed_entities={"packages": {p.package_id}},
            )
            ids[id(p)] = tk.get_action("package_update")(context, dict(p.data))
            if i % 100 == 0:
                progress("update", i, len(updates))
        for p in slow:
            context = _context(user, defer_commit=True, return_id_only=True)
            ids[id(p)] = tk.get_action("package_create")(context, dict(p.data))
        new = fastpath.write(
            [p.validated for p in fast],  # type: ignore[misc]
            user,
            index,
            progress,
            processes,
        )
        ids.update({id(p): pid for p, pid in zip(fast, new, strict=True)})
        # The changed and slowly created entries' documents go out before the commit too: if
        # Solr stops answering, the database is rolled back rather than left holding entries
        # the search does not know.
        index_packages([ids[id(p)] for p in updates + slow], progress, index)
        index.flush()
        model.repo.commit()
    except Exception:
        model.Session.rollback()
        _withdraw(index, [p.package_id for p in updates if p.package_id])
        raise
    index.commit()
    return [ids[id(p)] for p in planned if id(p) in ids]


def _withdraw(index: fastpath.Index, updated_ids: list[str]) -> None:
    """After a rollback: takes back the documents sent, and sends the updated entries' documents
    as the database has them again. When Solr is what failed this cannot reach it either; the
    caller's error is the one to report, and `ckan search-index rebuild` puts Solr right."""
    try:
        index.withdraw()
        if updated_ids:
            index_packages(updated_ids)
    except Exception as error:
        log.warning("search documents of a rolled-back import not withdrawn: %s", error)


def index_packages(
    ids: list[str], progress: Progress = _noop, index: fastpath.Index | None = None
) -> None:
    """Indexes the packages as package_create would, sending documents in batches: to ``index``
    (the caller flushes and commits it), else to a new index committed here."""
    from ckan import logic

    own = index is None
    index = index or fastpath.Index()
    for start in range(0, len(ids), INDEX_BATCH):
        pairs = [
            logic.package_show_default_and_custom_schemas(
                {"user": "", "model": model, "session": model.Session}, pid
            )
            for pid in ids[start : start + INDEX_BATCH]
        ]
        index.send(fastpath.solr_docs(pairs))
        progress("index", min(start + INDEX_BATCH, len(ids)), len(ids))
    if own:
        index.commit()
