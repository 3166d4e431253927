"""Uploads kept on the server between the report and the confirmation.

Each upload lives under ``ckan.storage_path/govcatalog_uploads/<token>/``, where ``token`` is
random; it belongs to the user who sent it and expires after a day. The folder holds the file
(``upload.bin``; renamed to ``upload.importing`` while a confirmation writes it, so that only one
confirmation can ever claim it), ``meta.json`` (who, which organization, when, whether the
background jobs handle it), the problems of the last check and, once written, ``done.json``.
The pages (views.py) and the background jobs (jobs.py) both read and write it through here.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govcatalog.bulk import workbook as W

UPLOAD_DIR = "govcatalog_uploads"
TTL_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
DATA, CLAIMED, META, PROBLEMS, DONE, CHECKED = (
    "upload.bin",
    "upload.importing",
    "meta.json",
    "problems.json",
    "done.json",
    "checked.json",
)
AUTO_BOUND = "auto_bound.json"


class UploadGone(LookupError):
    """The token names no live upload (bad, expired, or someone else's)."""


class StorageMissing(RuntimeError):
    """ckan.storage_path is not configured."""


def upload_root() -> str:
    storage = tk.config.get("ckan.storage_path")
    if not storage:
        raise StorageMissing("ckan.storage_path")
    return os.path.join(storage, UPLOAD_DIR)


def folder_of(token: str) -> str:
    if not _TOKEN.match(token or ""):
        raise UploadGone(token)
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


def store(
    data: bytes, filename: str, org: dict[str, Any], user_id: str, background: bool = False
) -> str:
    """Keeps the file for ``user_id``; returns its token."""
    root = upload_root()
    now = time.time()
    _sweep(root, now)
    token = secrets.token_urlsafe(32)
    folder = os.path.join(root, token)
    os.makedirs(folder, mode=0o700)
    with open(os.path.join(folder, DATA), "wb") as f:
        f.write(data)
    meta = {
        "user_id": user_id,
        "filename": filename,
        "org_id": org["id"],
        "org_title": org.get("display_name") or org.get("title") or org["name"],
        "created": now,
        "background": background,
    }
    with open(os.path.join(folder, META), "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False)
    return token


def discard(token: str) -> None:
    shutil.rmtree(folder_of(token), ignore_errors=True)


def read_meta(folder: str) -> dict[str, Any]:
    try:
        with open(os.path.join(folder, META), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as error:
        raise UploadGone(folder) from error


def load(token: str, user_id: str) -> tuple[str, dict[str, Any]]:
    """The upload's folder and metadata; UploadGone unless it is ``user_id``'s and fresh."""
    folder = folder_of(token)
    meta = read_meta(folder)
    # Someone else's token is answered exactly like a missing one.
    if meta.get("user_id") != user_id:
        raise UploadGone(token)
    if time.time() - meta.get("created", 0) > TTL_SECONDS:
        shutil.rmtree(folder, ignore_errors=True)
        raise UploadGone(token)
    return folder, meta


def read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def claim(folder: str) -> bool:
    """Takes the file for writing (an atomic rename): False when it is already taken."""
    try:
        os.rename(os.path.join(folder, DATA), os.path.join(folder, CLAIMED))
    except FileNotFoundError:
        return False
    return True


def release(folder: str) -> None:
    """Gives a claimed file back, so that it can be confirmed again."""
    os.rename(os.path.join(folder, CLAIMED), os.path.join(folder, DATA))


def _write_json(path: str, value: Any) -> None:
    # written beside and renamed: a reader never sees half a file
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False)
    os.replace(path + ".tmp", path)


def _read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def save_problems(folder: str, problems: list[W.Problem]) -> None:
    _write_json(os.path.join(folder, PROBLEMS), [p.as_dict() for p in problems])


def problems(folder: str) -> list[W.Problem] | None:
    stored = _read_json(os.path.join(folder, PROBLEMS))
    return None if stored is None else [W.Problem(**p) for p in stored]


def save_auto_bound(folder: str, filled: list[dict[str, Any]]) -> None:
    """The 数据元 a check filled in (ImportResult.auto_bound), for the report and its workbook."""
    _write_json(os.path.join(folder, AUTO_BOUND), filled)


def auto_bound(folder: str) -> list[dict[str, Any]]:
    return _read_json(os.path.join(folder, AUTO_BOUND)) or []


def save_checked(folder: str, kind: str, summary: dict[str, Any]) -> None:
    """What a background check found (its problems go to save_problems)."""
    _write_json(os.path.join(folder, CHECKED), {"kind": kind, "summary": summary})


def checked(folder: str) -> dict[str, Any] | None:
    return _read_json(os.path.join(folder, CHECKED))


def save_done(folder: str, summary: dict[str, Any]) -> None:
    _write_json(os.path.join(folder, DONE), {**summary, "at": time.time()})


def done(folder: str) -> dict[str, Any] | None:
    return _read_json(os.path.join(folder, DONE))
