"""Pages of the data officers' bulk work: the template download, upload -> report -> confirm,
and exports of what the caller may see.

An upload is kept on the server between the report and the confirmation, under
``ckan.storage_path/govcatalog_uploads/<token>/``, where ``token`` is random, the upload belongs
to the user who sent it and expires after a day. Checking and writing both call the importer's
public ``import_file`` (the same rules as the CLI and the web form); confirming claims the stored
file with an atomic rename first, so a second confirmation can never write again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import time
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, request

from ckanext.govcatalog.bulk import exporter, importer
from ckanext.govcatalog.bulk import layout as L
from ckanext.govcatalog.bulk import workbook as W

bp = Blueprint("govcatalog_bulk", __name__)

UPLOAD_DIR = "govcatalog_uploads"
TTL_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_DATA, _CLAIMED, _META, _PROBLEMS, _DONE = (
    "upload.bin",
    "upload.importing",
    "meta.json",
    "problems.json",
    "done.json",
)
XLSX_MIME = exporter.MIMETYPES["xlsx"]


# ---- who may do what ---------------------------------------------------------------------


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name, "auth_user_obj": tk.current_user}


def _require_login() -> None:
    if not tk.current_user.is_authenticated:
        tk.abort(403, tk._("Log in to import catalog entries."))


def officer_orgs() -> list[dict[str, Any]]:
    """The organizations where the current user may create entries (editor or admin)."""
    if not tk.current_user.is_authenticated:
        return []
    return tk.get_action("organization_list_for_user")(
        _context(), {"id": tk.current_user.id, "permission": "create_dataset"}
    )


def _all_orgs() -> list[dict[str, Any]]:
    return tk.get_action("organization_list")(
        {"user": tk.current_user.name}, {"all_fields": True, "limit": 1000}
    )


# ---- the stored uploads ------------------------------------------------------------------


def upload_root() -> str:
    storage = tk.config.get("ckan.storage_path")
    if not storage:
        tk.abort(500, tk._("File storage is not configured (ckan.storage_path)."))
    return os.path.join(storage, UPLOAD_DIR)


def _folder(token: str) -> str:
    if not _TOKEN.match(token or ""):
        tk.abort(
            404, tk._("This upload does not exist or has expired; please upload the file again.")
        )
    return os.path.join(upload_root(), token)


def _sweep(root: str, now: float) -> None:
    """Removes uploads older than a day (cheap: one listing, done when a new one arrives)."""
    if not os.path.isdir(root):
        return
    for name in os.listdir(root):
        path = os.path.join(root, name)
        try:
            if now - os.path.getmtime(path) > TTL_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def store_upload(data: bytes, filename: str, org: dict[str, Any]) -> str:
    root = upload_root()
    now = time.time()
    _sweep(root, now)
    token = secrets.token_urlsafe(32)
    folder = os.path.join(root, token)
    os.makedirs(folder, mode=0o700)
    with open(os.path.join(folder, _DATA), "wb") as f:
        f.write(data)
    meta = {
        "user_id": tk.current_user.id,
        "filename": filename,
        "org_id": org["id"],
        "org_title": org.get("display_name") or org.get("title") or org["name"],
        "created": now,
    }
    with open(os.path.join(folder, _META), "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False)
    return token


def _load(token: str) -> tuple[str, dict[str, Any]]:
    """The upload's folder and metadata; 404 unless it is the current user's and still fresh."""
    folder = _folder(token)
    try:
        with open(os.path.join(folder, _META), encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        tk.abort(
            404, tk._("This upload does not exist or has expired; please upload the file again.")
        )
    # Someone else's token is answered exactly like a missing one.
    if meta.get("user_id") != tk.current_user.id:
        tk.abort(
            404, tk._("This upload does not exist or has expired; please upload the file again.")
        )
    if time.time() - meta.get("created", 0) > TTL_SECONDS:
        shutil.rmtree(folder, ignore_errors=True)
        tk.abort(
            404, tk._("This upload does not exist or has expired; please upload the file again.")
        )
    return folder, meta


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _save_problems(folder: str, problems: list[W.Problem]) -> None:
    with open(os.path.join(folder, _PROBLEMS), "w", encoding="utf-8") as f:
        json.dump([p.as_dict() for p in problems], f, ensure_ascii=False)


def _done(folder: str) -> dict[str, Any] | None:
    try:
        with open(os.path.join(folder, _DONE), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


# ---- pages -------------------------------------------------------------------------------


def _max_bytes() -> int:
    return int(tk.config.get("ckan.max_resource_size") or 10) * 1024 * 1024


def _render_index(error: str | None = None, status: int = 200, org_id: str = "") -> Any:
    orgs = officer_orgs()
    return (
        tk.render(
            "govcatalog/bulk/index.html",
            {
                "officer_orgs": orgs,
                "all_orgs": _all_orgs(),
                "error": error,
                "selected_org": org_id or (orgs[0]["id"] if len(orgs) == 1 else ""),
                "formats": exporter.FORMATS,
                "max_mb": _max_bytes() // (1024 * 1024),
            },
        ),
        status,
    )


def index() -> Any:
    """The bulk work page: template, upload form, exports."""
    return _render_index()


def template() -> Response:
    """The import template (.xlsx), generated from the catalog schema."""
    data = W.template_bytes(L.layout())
    return _download(data, tk._("catalog-import-template") + ".xlsx", XLSX_MIME)


def upload() -> Any:
    """Stores the file and shows its report (checked, nothing written)."""
    _require_login()
    org_id = request.form.get("org", "")
    allowed = {o["id"]: o for o in officer_orgs()}
    org = allowed.get(org_id) or next(
        (o for o in allowed.values() if org_id and org_id == o["name"]), None
    )
    if org is None:
        if not allowed:
            tk.abort(
                403,
                tk._(
                    "Only data officers (editors or admins of an organization) may import entries."
                ),
            )
        if not org_id:
            return _render_index(tk._("Choose the organization the entries belong to."), 400)
        tk.abort(403, tk._("You are not an editor or admin of this organization."))
    file = request.files.get("file")
    if file is None or not file.filename:
        return _render_index(tk._("Choose a file to upload."), 400, org["id"])
    data = file.read(_max_bytes() + 1)
    if len(data) > _max_bytes():
        return _render_index(
            tk._("The file is larger than {mb} MB.").format(mb=_max_bytes() // (1024 * 1024)),
            413,
            org["id"],
        )
    try:
        W.sniff(data, file.filename)
    except W.FileError as e:
        return _render_index(
            tk._("{name} cannot be imported: {reason}").format(
                name=os.path.basename(file.filename), reason=str(e)
            ),
            400,
            org["id"],
        )
    token = store_upload(data, os.path.basename(file.filename), org)
    return tk.redirect_to("govcatalog_bulk.report", token=token)


def _render_report(
    folder: str, meta: dict[str, Any], token: str, result: importer.ImportResult, status: int = 200
) -> Any:
    return (
        tk.render(
            "govcatalog/bulk/report.html",
            {
                "token": token,
                "meta": meta,
                "summary": result.summary(),
                "problems": result.problems,
                "kind": result.kind,
                "done": _done(folder),
                "uploaded": dt.datetime.fromtimestamp(meta["created"]).strftime("%Y-%m-%d %H:%M"),
            },
        ),
        status,
    )


def report(token: str) -> Any:
    """The check of a stored upload: every problem with row, column, value and reason."""
    _require_login()
    folder, meta = _load(token)
    done = _done(folder)
    if done:
        result = importer.ImportResult("", [], [], written=True)
        return _render_report(folder, meta, token, result)
    path = os.path.join(folder, _DATA)
    if not os.path.exists(path):
        # claimed by a confirmation still writing
        tk.abort(409, tk._("This file is being imported right now."))
    result = importer.import_file(
        _read(path), meta["filename"], tk.current_user.name, meta["org_id"], dry_run=True
    )
    _save_problems(folder, result.problems)
    return _render_report(folder, meta, token, result, 200 if result.ok else 422)


def report_file(token: str) -> Response:
    """The uploaded file with an error column next to each faulty row."""
    _require_login()
    folder, meta = _load(token)
    data_path = os.path.join(folder, _DATA)
    if not os.path.exists(data_path):
        tk.abort(
            404, tk._("This upload does not exist or has expired; please upload the file again.")
        )
    data = _read(data_path)
    try:
        with open(os.path.join(folder, _PROBLEMS), encoding="utf-8") as f:
            problems = [W.Problem(**p) for p in json.load(f)]
    except (OSError, ValueError):
        result = importer.import_file(
            data, meta["filename"], tk.current_user.name, meta["org_id"], dry_run=True
        )
        problems = result.problems
    kind = W.kind_of(data)
    if not kind:
        tk.abort(404, tk._("This file cannot be read, so there is no report workbook."))
    content, ext = W.report_bytes(data, kind, problems)
    base = os.path.splitext(meta["filename"])[0] or "upload"
    mime = XLSX_MIME if ext == "xlsx" else exporter.MIMETYPES["csv"]
    return _download(content, f"{base}-{tk._('errors')}.{ext}", mime)


def confirm(token: str) -> Any:
    """Writes the stored upload, all or nothing. The file is claimed first (an atomic rename),
    so a repeated or concurrent confirmation finds nothing to write."""
    _require_login()
    folder, meta = _load(token)
    data_path = os.path.join(folder, _DATA)
    claimed = os.path.join(folder, _CLAIMED)
    try:
        os.rename(data_path, claimed)
    except FileNotFoundError:
        done = _done(folder)
        if done:
            tk.h.flash_notice(tk._("This file was already imported; nothing was written again."))
            return tk.redirect_to("govcatalog_bulk.report", token=token)
        tk.abort(409, tk._("This file is being imported right now."))
    try:
        result = importer.import_file(
            _read(claimed), meta["filename"], tk.current_user.name, meta["org_id"]
        )
    except Exception:
        os.rename(claimed, data_path)
        raise
    if not result.written:
        # Something changed since the check (or the file was never clean): nothing was written.
        os.rename(claimed, data_path)
        _save_problems(folder, result.problems)
        tk.h.flash_error(tk._("Nothing was written: the file has errors."))
        return _render_report(folder, meta, token, result, 422)
    summary = result.summary()
    with open(os.path.join(folder, _DONE), "w", encoding="utf-8") as f:
        json.dump({**summary, "at": time.time()}, f)
    os.remove(claimed)
    tk.h.flash_success(
        tk._("Imported: {c} new, {u} updated, {n} unchanged.").format(
            c=summary["created"], u=summary["updated"], n=summary["unchanged"]
        )
    )
    return tk.redirect_to("govcatalog_bulk.report", token=token)


def export() -> Response:
    """What the caller may see, as xlsx, CSV or JSON Lines (the access rules of package_search)."""
    fmt = request.args.get("format", "xlsx")
    if fmt not in exporter.FORMATS:
        tk.abort(400, tk._("Unknown export format: {fmt}").format(fmt=fmt))
    org = request.args.get("org") or None
    user = tk.current_user.name if tk.current_user.is_authenticated else None
    try:
        data = exporter.export(user, fmt, org)
    except tk.ObjectNotFound:
        tk.abort(404, tk._("no such organization"))
    stamp = dt.date.today().strftime("%Y%m%d")
    name = f"{tk._('catalog')}-{org or tk._('all')}-{stamp}.{fmt}"
    return _download(data, name, exporter.MIMETYPES[fmt])


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    from urllib.parse import quote

    response = Response(data, content_type=mimetype)
    # RFC 6266/5987: an ASCII fallback plus the UTF-8 name (Chinese file names)
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "download"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


bp.add_url_rule("/catalog/bulk", view_func=index, endpoint="index")
bp.add_url_rule("/catalog/bulk/template.xlsx", view_func=template, endpoint="template")
bp.add_url_rule("/catalog/bulk/upload", view_func=upload, endpoint="upload", methods=["POST"])
bp.add_url_rule("/catalog/bulk/upload/<token>", view_func=report, endpoint="report")
bp.add_url_rule(
    "/catalog/bulk/upload/<token>/report", view_func=report_file, endpoint="report_file"
)
bp.add_url_rule(
    "/catalog/bulk/upload/<token>/confirm", view_func=confirm, endpoint="confirm", methods=["POST"]
)
bp.add_url_rule("/catalog/bulk/export", view_func=export, endpoint="export")


def get_blueprints() -> list[Blueprint]:
    return [bp]
