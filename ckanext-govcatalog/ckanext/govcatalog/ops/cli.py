"""`ckan govcatalog backup|restore|reindex`: operating the catalog."""

from __future__ import annotations

import sys

import click


def _verify_against(anchor: str) -> bool:
    from ckanext.govcatalog.audit import log

    seq, _, value = anchor.partition(":")
    verdict = log.verify(anchors=[(int(seq), value)] if int(seq) else [])
    return verdict.ok


@click.command("backup")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False),
    help="A new (or empty) folder for the backup",
)
def backup_command(out: str) -> None:
    """Back the catalog up: database (pg_dump custom format), uploaded files, audit head."""
    import ckan.plugins.toolkit as tk

    from ckanext.govcatalog.ops import backup

    try:
        manifest = backup.backup(out, echo=click.echo)
    except backup.BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(
        tk._(
            "Backup written to {path}: {datasets} entries, {files} files, audit head {head}"
        ).format(
            path=out,
            datasets=manifest.counts["datasets"],
            files=manifest.files,
            head=manifest.audit_head,
        )
    )


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
def restore_command(folder: str) -> None:
    """Restore a backup onto an empty database, rebuild the search index, then check it: the
    counts against the backup's and the audit chain against the backup's head."""
    import ckan.plugins.toolkit as tk

    from ckanext.govcatalog.ops import backup

    try:
        manifest = backup.restore(folder, echo=click.echo)
    except backup.BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    counts = backup.catalog_counts()
    differ = {k: (v, counts.get(k)) for k, v in manifest.counts.items() if counts.get(k) != v}
    chain_ok = _verify_against(manifest.audit_head)
    for key, (saved, now) in differ.items():
        click.echo(
            tk._("{what}: {saved} in the backup, {now} restored").format(
                what=key, saved=saved, now=now
            ),
            err=True,
        )
    if not chain_ok:
        click.echo(
            tk._("The audit chain does not verify against the backup's head {head}").format(
                head=manifest.audit_head
            ),
            err=True,
        )
    if differ or not chain_ok:
        sys.exit(1)
    click.echo(
        tk._(
            "Restored {datasets} entries; counts match; audit chain verifies against {head}"
        ).format(datasets=manifest.counts["datasets"], head=manifest.audit_head)
    )


@click.command("reindex")
@click.option(
    "--workers",
    "processes",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per core, govcatalog.bulk.processes)",
)
@click.option("--quiet", is_flag=True, help="No progress bar")
def reindex_command(processes: int | None, quiet: bool) -> None:
    """Rebuild the search index from the database: the documents of `ckan search-index
    rebuild`, built in chunks by several processes and sent many at a time."""
    import ckan.plugins.toolkit as tk

    from ckanext.govcatalog.ops import reindex

    def show_progress(done: int, total: int) -> None:
        if quiet:
            return
        width = 30
        filled = width * done // max(total, 1)
        click.echo(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
            nl=done >= total,
            err=True,
        )

    try:
        result = reindex.reindex(processes, progress=show_progress)
    except reindex.ReindexError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    rate = result.indexed / result.seconds if result.seconds else 0.0
    click.echo(
        tk._(
            "Search index rebuilt: {indexed} entries indexed, {removed} stale documents "
            "removed, in {seconds:.1f} s ({rate:.0f} entries/s, {processes} processes)"
        ).format(
            indexed=result.indexed,
            removed=result.removed,
            seconds=result.seconds,
            rate=rate,
            processes=result.processes,
        )
    )


def get_commands() -> list[click.Command]:
    return [backup_command, restore_command, reindex_command]
