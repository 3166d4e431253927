"""Backing the catalog up and restoring it onto an empty database.

A backup folder holds:
- ``catalog.dump``: the whole database in pg_dump's custom format (Debian's postgresql-client),
  CKAN's tables, ours (requests, grants, the audit chain) and the migration versions;
- ``storage.tar``: the uploaded files under ``ckan.storage_path``;
- ``manifest.json``: when, from which database, the audit chain's head (seq and hash) and counts
  to compare after a restore.
Solr is not backed up: it is rebuilt from the database after a restore (ops/reindex.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

FORMAT = 1
DUMP = "catalog.dump"
STORAGE = "storage.tar"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what failed and what to do."""


@dataclasses.dataclass
class Manifest:
    format: int
    created: str
    database: str
    audit_head: str  # "seq:hash", what `ckan govcatalog audit verify --anchor` takes
    counts: dict[str, int]
    files: int

    def write(self, folder: str) -> None:
        with open(os.path.join(folder, MANIFEST), "w", encoding="utf-8") as f:
            json.dump(dataclasses.asdict(self), f, ensure_ascii=False, indent=2)

    @classmethod
    def read(cls, folder: str) -> Manifest:
        path = os.path.join(folder, MANIFEST)
        if not os.path.isfile(path):
            raise BackupError(
                tk._("{path} is not a backup folder: it has no {name}").format(
                    path=folder, name=MANIFEST
                )
            )
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if data.get("format") != FORMAT:
            raise BackupError(
                tk._("Backup format {found} is not supported (expected {expected})").format(
                    found=data.get("format"), expected=FORMAT
                )
            )
        return cls(**data)


def _database_url() -> sa.engine.URL:
    return sa.engine.make_url(tk.config["sqlalchemy.url"])


def _pg_args(url: sa.engine.URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore; the password goes through the environment."""
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            tk._("{tool} was not found: install Debian's postgresql-client").format(tool=name)
        )
    return path


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(
            tk._("{what} failed: {detail}").format(
                what=what, detail=(proc.stderr or proc.stdout).strip()[-2000:]
            )
        )


def storage_path() -> str | None:
    return tk.config.get("ckan.storage_path") or None


def catalog_counts() -> dict[str, int]:
    """What a restore must bring back, counted straight from the tables."""
    from ckanext.govcatalog.model import AccessRequest, AuditRecord, Grant

    session = model.Session
    return {
        "datasets": session.query(model.Package)
        .filter(model.Package.state == "active", model.Package.type == "dataset")
        .count(),
        "packages": session.query(model.Package).count(),
        "organizations": session.query(model.Group)
        .filter(model.Group.is_organization.is_(True))
        .count(),
        "users": session.query(model.User).count(),
        "resources": session.query(model.Resource).count(),
        "access_requests": session.query(AccessRequest).count(),
        "grants": session.query(Grant).count(),
        "audit_records": session.query(AuditRecord).count(),
    }


def _audit_head() -> str:
    from ckanext.govcatalog.audit import log

    current = log.head()
    seq, value = current if current else (0, log.GENESIS)
    return f"{seq}:{value}"


def backup(out: str, echo: Callable[[str], Any] = lambda _: None) -> Manifest:
    """Write a backup of the configured catalog into the folder ``out`` (created; must be empty)."""
    if os.path.exists(out) and os.listdir(out):
        raise BackupError(tk._("{path} is not empty: give a new folder").format(path=out))
    os.makedirs(out, exist_ok=True)
    url = _database_url()
    # the head and counts first: anything written during the dump comes after them in the chain,
    # so the anchor stays valid for the restored copy
    head = _audit_head()
    counts = catalog_counts()
    model.Session.rollback()
    args, env = _pg_args(url)
    echo(tk._("Dumping database {name}").format(name=url.database))
    _run(
        [
            _tool("pg_dump"),
            *args,
            "--format=custom",
            "--no-owner",
            "--no-acl",
            "--file",
            os.path.join(out, DUMP),
            url.database or "",
        ],
        env,
        "pg_dump",
    )
    files = 0
    storage = storage_path()
    with tarfile.open(os.path.join(out, STORAGE), "w") as tar:
        if storage and os.path.isdir(storage):
            echo(tk._("Archiving uploaded files in {path}").format(path=storage))
            for root, _dirs, names in os.walk(storage):
                for name in sorted(names):
                    full = os.path.join(root, name)
                    tar.add(full, arcname=os.path.relpath(full, storage), recursive=False)
                    files += 1
    manifest = Manifest(
        format=FORMAT,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        database=url.database or "",
        audit_head=head,
        counts=counts,
        files=files,
    )
    manifest.write(out)
    return manifest


def database_is_empty() -> bool:
    inspector = sa.inspect(model.meta.engine)
    return not inspector.get_table_names(schema="public")


def restore(folder: str, echo: Callable[[str], Any] = lambda _: None) -> Manifest:
    """Restore a backup onto the configured database, which must be empty, then rebuild Solr."""
    manifest = Manifest.read(folder)
    dump = os.path.join(folder, DUMP)
    if not os.path.isfile(dump):
        raise BackupError(tk._("{path} is missing from the backup").format(path=dump))
    model.Session.remove()
    if not database_is_empty():
        raise BackupError(
            tk._(
                "The database {name} is not empty: restore only onto an empty database "
                "(create a new one, or drop and recreate it first)"
            ).format(name=_database_url().database)
        )
    url = _database_url()
    args, env = _pg_args(url)
    echo(tk._("Restoring database {name}").format(name=url.database))
    # one transaction: a failed restore leaves the database as empty as it was
    _run(
        [
            _tool("pg_restore"),
            *args,
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            url.database or "",
            dump,
        ],
        env,
        "pg_restore",
    )
    model.meta.engine.dispose()  # connections opened before the tables existed cache nothing stale
    archive = os.path.join(folder, STORAGE)
    storage = storage_path()
    if os.path.isfile(archive) and storage:
        echo(tk._("Restoring uploaded files into {path}").format(path=storage))
        os.makedirs(storage, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(storage, filter="data")
    echo(tk._("Rebuilding the search index"))
    rebuild_search_index()
    return manifest


def rebuild_search_index() -> None:
    """Index every package of the restored database again with ops/reindex.py (the documents of
    `ckan search-index rebuild`, several times faster); the documents of this site whose
    packages the restored database lacks are removed, so the core ends holding exactly the
    restored catalog."""
    from ckanext.govcatalog.ops import reindex

    try:
        reindex.reindex()
    except reindex.ReindexError as error:
        raise BackupError(str(error)) from error
