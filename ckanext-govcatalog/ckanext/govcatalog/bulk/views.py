"""Pages of the data officers' bulk work: the template download, upload -> report -> confirm,
and exports of what the caller may see.

An upload is kept on the server between the report and the confirmation (uploads.py). Checking
and writing both call the importer's public ``import_file`` (the same rules as the CLI and the
web form); confirming claims the stored file with an atomic rename first, so a second
confirmation can never write again. An upload with more entry rows than
``govcatalog.bulk.background_rows`` is checked and written by background jobs (jobs.py): its
report page shows their progress, polled from :func:`status`, until the report is there.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any, NoReturn

import ckan.plugins.toolkit as tk
import redis.exceptions
from flask import Blueprint, Response, jsonify, request

from ckanext.govcatalog.bulk import exporter, importer, jobs, uploads
from ckanext.govcatalog.bulk import layout as L
from ckanext.govcatalog.bulk import workbook as W
from ckanext.govcatalog.bulk.uploads import TTL_SECONDS

bp = Blueprint("govcatalog_bulk", __name__)

# (kept importable from here: tests and the CLI name them through the views)
__all__ = ["TTL_SECONDS", "get_blueprints", "upload_root"]
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
    try:
        return uploads.upload_root()
    except uploads.StorageMissing:
        tk.abort(500, tk._("File storage is not configured (ckan.storage_path)."))


def _gone() -> NoReturn:
    tk.abort(404, tk._("This upload does not exist or has expired; please upload the file again."))


def _load(token: str) -> tuple[str, dict[str, Any]]:
    """The upload's folder and metadata; 404 unless it is the current user's and still fresh."""
    upload_root()
    try:
        return uploads.load(token, tk.current_user.id)
    except uploads.UploadGone:
        _gone()


def _jobs_unavailable() -> str:
    return tk._(
        "The background job service (Redis) is not answering, so large files cannot be "
        "imported right now. Try again later or tell the operator."
    )


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
                "background_rows": jobs.background_rows(),
            },
        ),
        status,
    )


def index() -> Any:
    """The bulk work page: template, upload form, exports."""
    return _render_index()


def template() -> Response:
    """The import template (.xlsx), generated from the catalog schema, with the choices the
    downloader may see (layout.visible_links)."""
    user = tk.current_user.name if tk.current_user.is_authenticated else None
    data = W.template_bytes(L.visible_links(L.layout(), user))
    return _download(data, tk._("catalog-import-template") + ".xlsx", XLSX_MIME)


def upload() -> Any:
    """Stores the file and shows its report (checked, nothing written); a large file is
    checked by a background job, and the report page shows its progress."""
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
    rows = jobs.entry_rows(data)
    background = rows > jobs.background_rows()
    upload_root()
    token = uploads.store(
        data, os.path.basename(file.filename), org, tk.current_user.id, background
    )
    if background:
        try:
            jobs.enqueue(token, "check", tk.current_user.name, tk.h.lang() or "en", rows)
        except redis.exceptions.RedisError:
            uploads.discard(token)
            return _render_index(_jobs_unavailable(), 503, org["id"])
    return tk.redirect_to("govcatalog_bulk.report", token=token)


def _render_report(
    folder: str,
    meta: dict[str, Any],
    token: str,
    result: importer.ImportResult,
    status: int = 200,
    job: dict[str, Any] | None = None,
    summary: dict[str, Any] | None = None,
    has_report: bool = True,
    auto_bound: list[dict[str, Any]] | None = None,
) -> Any:
    return (
        tk.render(
            "govcatalog/bulk/report.html",
            {
                # the 数据元 the check filled in, listed for review
                "auto_bound": result.auto_bound if auto_bound is None else auto_bound,
                "token": token,
                "meta": meta,
                "summary": summary or result.summary(),
                "problems": result.problems,
                "kind": result.kind,
                "done": uploads.done(folder),
                "uploaded": dt.datetime.fromtimestamp(meta["created"]).strftime("%Y-%m-%d %H:%M"),
                "job": job,
                "can_confirm": os.path.exists(os.path.join(folder, uploads.DATA)),
                "has_report": has_report,
            },
        ),
        status,
    )


def report(token: str) -> Any:
    """The check of a stored upload: every problem with row, column, value and reason; for a
    large upload, the progress of its background job until the report is there."""
    _require_login()
    folder, meta = _load(token)
    if uploads.done(folder):
        result = importer.ImportResult("", [], [], written=True)
        return _render_report(folder, meta, token, result)
    if meta.get("background"):
        return _background_report(folder, meta, token)
    path = os.path.join(folder, uploads.DATA)
    if not os.path.exists(path):
        # claimed by a confirmation still writing
        tk.abort(409, tk._("This file is being imported right now."))
    result = importer.import_file(
        uploads.read(path), meta["filename"], tk.current_user.name, meta["org_id"], dry_run=True
    )
    uploads.save_problems(folder, result.problems)
    uploads.save_auto_bound(folder, result.auto_bound)
    return _render_report(folder, meta, token, result, 200 if result.ok else 422)


def _job_status(token: str) -> dict[str, Any] | None:
    try:
        return jobs.status(token)
    except redis.exceptions.RedisError:
        tk.abort(503, _jobs_unavailable())


def _background_report(folder: str, meta: dict[str, Any], token: str) -> Any:
    job = _job_status(token)
    if job is None:
        _gone()  # its job state expired with it
    checked = uploads.checked(folder)
    if job["state"] in jobs.RUNNING or checked is None:
        # the progress bar (or a check that failed); the page fetches itself again when the
        # job has ended
        empty = importer.ImportResult("", [], [])
        return _render_report(folder, meta, token, empty, 200, job, has_report=False)
    # a write that failed leaves the (clean) check's report, to confirm again
    problems = [] if job["state"] == "failed" else (uploads.problems(folder) or [])
    result = importer.ImportResult(checked["kind"], problems, [])
    status = 422 if problems else 200
    filled = uploads.auto_bound(folder)
    summary = checked["summary"]
    return _render_report(folder, meta, token, result, status, job, summary, auto_bound=filled)


def status(token: str) -> Response:
    """Where the upload's background job is, for the progress bar (JSON)."""
    _require_login()
    _load(token)
    job = _job_status(token)
    if job is None:
        _gone()
    return jsonify(
        {
            "state": job["state"],
            "job": job["job"],
            "rows": job["rows"],
            "checked": job["checked"],
            "to_write": job["to_write"],
            "written": job["written"],
            "message": job.get("message") or "",
            "finished": job["state"] not in jobs.RUNNING,
        }
    )


def report_file(token: str) -> Response:
    """The uploaded file with an error column next to each faulty row."""
    _require_login()
    folder, meta = _load(token)
    data_path = os.path.join(folder, uploads.DATA)
    if not os.path.exists(data_path):
        _gone()
    data = uploads.read(data_path)
    problems = uploads.problems(folder)
    filled = uploads.auto_bound(folder)
    if problems is None:
        result = importer.import_file(
            data, meta["filename"], tk.current_user.name, meta["org_id"], dry_run=True
        )
        problems, filled = result.problems, result.auto_bound
    kind = W.kind_of(data)
    if not kind:
        tk.abort(404, tk._("This file cannot be read, so there is no report workbook."))
    content, ext = W.report_bytes(data, kind, problems, filled, L.layout())
    base = os.path.splitext(meta["filename"])[0] or "upload"
    mime = XLSX_MIME if ext == "xlsx" else exporter.MIMETYPES["csv"]
    return _download(content, f"{base}-{tk._('errors')}.{ext}", mime)


def confirm(token: str) -> Any:
    """Writes the stored upload, all or nothing. The file is claimed first (an atomic rename),
    so a repeated or concurrent confirmation finds nothing to write; a large upload is written
    by a background job, and a second click enqueues nothing."""
    _require_login()
    folder, meta = _load(token)
    if meta.get("background"):
        return _confirm_in_background(folder, meta, token)
    if not uploads.claim(folder):
        if uploads.done(folder):
            tk.h.flash_notice(tk._("This file was already imported; nothing was written again."))
            return tk.redirect_to("govcatalog_bulk.report", token=token)
        tk.abort(409, tk._("This file is being imported right now."))
    claimed = os.path.join(folder, uploads.CLAIMED)
    try:
        result = importer.import_file(
            uploads.read(claimed), meta["filename"], tk.current_user.name, meta["org_id"]
        )
    except Exception:
        uploads.release(folder)
        raise
    if not result.written:
        # Something changed since the check (or the file was never clean): nothing was written.
        uploads.release(folder)
        uploads.save_problems(folder, result.problems)
        tk.h.flash_error(tk._("Nothing was written: the file has errors."))
        return _render_report(folder, meta, token, result, 422)
    summary = result.summary()
    uploads.save_done(folder, summary)
    os.remove(claimed)
    tk.h.flash_success(
        tk._("Imported: {c} new, {u} updated, {n} unchanged.").format(
            c=summary["created"], u=summary["updated"], n=summary["unchanged"]
        )
    )
    return tk.redirect_to("govcatalog_bulk.report", token=token)


def _confirm_in_background(folder: str, meta: dict[str, Any], token: str) -> Any:
    checked = uploads.checked(folder)
    if checked is None:
        tk.h.flash_notice(
            tk._("The file is still being checked; confirm when the report is there.")
        )
        return tk.redirect_to("govcatalog_bulk.report", token=token)
    if not checked["summary"]["ok"]:
        tk.h.flash_error(tk._("Nothing was written: the file has errors."))
        return tk.redirect_to("govcatalog_bulk.report", token=token)
    if not uploads.claim(folder):
        if uploads.done(folder):
            tk.h.flash_notice(tk._("This file was already imported; nothing was written again."))
        else:
            tk.h.flash_notice(
                tk._(
                    "This file is already being imported in the background; nothing new was queued."
                )
            )
        return tk.redirect_to("govcatalog_bulk.report", token=token)
    counts = checked["summary"]
    rows = counts["created"] + counts["updated"] + counts["unchanged"]
    try:
        jobs.enqueue(token, "write", tk.current_user.name, tk.h.lang() or "en", rows)
    except redis.exceptions.RedisError:
        uploads.release(folder)
        tk.h.flash_error(_jobs_unavailable())
        return tk.redirect_to("govcatalog_bulk.report", token=token)
    tk.h.flash_success(tk._("The import is queued; this page shows its progress."))
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
bp.add_url_rule("/catalog/bulk/upload/<token>/status", view_func=status, endpoint="status")
bp.add_url_rule(
    "/catalog/bulk/upload/<token>/report", view_func=report_file, endpoint="report_file"
)
bp.add_url_rule(
    "/catalog/bulk/upload/<token>/confirm", view_func=confirm, endpoint="confirm", methods=["POST"]
)
bp.add_url_rule("/catalog/bulk/export", view_func=export, endpoint="export")


def get_blueprints() -> list[Blueprint]:
    return [bp]
