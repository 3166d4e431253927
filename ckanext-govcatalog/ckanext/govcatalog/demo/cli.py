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


def get_commands() -> list[click.Command]:
    return [demo]
