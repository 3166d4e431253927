"""`ckan govcatalog demo ...`: the demo catalog of 石泉县."""

from __future__ import annotations

import click


@click.group()
def demo() -> None:
    """The demo catalog of 石泉县."""


@demo.command("load")
def demo_load() -> None:
    """Load (or complete) the demo catalog. Safe to run again."""
    from ckanext.govcatalog.demo import loader

    report = loader.load(echo=click.echo)
    click.echo(loader.format_report(report))


@demo.command("files")
def demo_files() -> None:
    """Attach sample data files to the open and shared demo entries and load their tables into
    the DataStore. Safe to run again."""
    from ckanext.govcatalog.demo import files

    counts = files.attach(echo=click.echo)
    click.echo(
        "sample files: {attached} attached, {skipped} already there; "
        "tables: {loaded} loaded, {failed} failed".format(**counts)
    )
    if counts["failed"]:
        raise SystemExit(1)


def get_commands() -> list[click.Command]:
    return [demo]
