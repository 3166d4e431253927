"""`ckan govcatalog health`: is every service the catalog needs answering, and what stops if not.

For operations staff after a fault: each service (PostgreSQL, Solr, Redis, the storage folder) is
tried for real (a query, a search, a ping, a file written and removed), and each one that fails is
named with what it is needed for and what to do. Exits 1 when any fails.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable

import ckan.plugins.toolkit as tk
import click


@dataclasses.dataclass
class Check:
    service: str
    error: str | None  # None: answering
    needed_for: str
    what_to_do: str

    @property
    def ok(self) -> bool:
        return self.error is None


def _database() -> None:
    import sqlalchemy as sa
    from ckan import model

    with model.meta.engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))


def _search() -> None:
    from ckan.lib.search.common import make_connection

    make_connection().search("*:*", rows=0)


def _redis() -> None:
    from ckan.lib.redis import connect_to_redis

    connect_to_redis().ping()


def _storage() -> None:
    path = tk.config.get("ckan.storage_path")
    if not path:
        return
    with tempfile.NamedTemporaryFile(dir=path, prefix=".health-") as f:
        f.write(b"x" * 4096)
        f.flush()
        os.fsync(f.fileno())


def checks() -> list[Check]:
    """Tries every service; a failing one's error is kept (one line, for the operator)."""
    plan: list[tuple[str, Callable[[], None], str, str]] = [
        (
            "PostgreSQL",
            _database,
            tk._("everything: no page, command or API call works without it"),
            tk._("start PostgreSQL and check sqlalchemy.url"),
        ),
        (
            "Solr",
            _search,
            tk._("searching, and saving entries (a save that cannot be indexed is not kept)"),
            tk._(
                "start Solr and check solr_url; once it answers, rebuild the index "
                "(ckan search-index rebuild)"
            ),
        ),
        (
            "Redis",
            _redis,
            tk._(
                "background jobs (ckan jobs worker, large uploads); login throttling is off "
                "while it is down. Reading, searching and saving work without it"
            ),
            tk._("start Redis and check ckan.redis.url"),
        ),
        (
            tk._("storage folder"),
            _storage,
            tk._("uploading files (an upload that cannot be written is not registered)"),
            tk._("free disk space, or make ckan.storage_path a writable folder"),
        ),
    ]
    found = []
    for service, probe, needed_for, what_to_do in plan:
        try:
            probe()
            error = None
        except Exception as e:  # any failure of the probe is the service's
            error = " ".join(str(e).split())[:300] or type(e).__name__
        found.append(Check(service, error, needed_for, what_to_do))
    return found


@click.command("health")
@click.pass_context
def health(ctx: click.Context) -> None:
    """Check that PostgreSQL, Solr, Redis and the storage folder answer."""
    with ctx.meta["flask_app"].test_request_context():
        failed = _report(checks())
    if failed:
        raise click.exceptions.Exit(1)


def _report(found: list[Check]) -> int:
    failed = 0
    for check in found:
        if check.ok:
            click.echo(tk._("{service}: answering").format(service=check.service))
            continue
        failed += 1
        click.echo(
            tk._("{service}: NOT ANSWERING ({error})").format(
                service=check.service, error=check.error
            ),
            err=True,
        )
        click.echo("  " + tk._("needed for: {what}").format(what=check.needed_for), err=True)
        click.echo("  " + tk._("what to do: {what}").format(what=check.what_to_do), err=True)
    return failed


def get_commands() -> list[click.Command]:
    return [health]
