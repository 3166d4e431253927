"""`ckan govcatalog ...` commands."""

from __future__ import annotations

from typing import Any

import click


@click.group(short_help="政务信息资源目录 (govcatalog) commands")
def govcatalog() -> None:
    """Commands of the government information resource catalog."""


@govcatalog.group()
def demo() -> None:
    """The demo catalog of 石泉县."""


@demo.command("load")
def demo_load() -> None:
    """Load (or complete) the demo catalog. Safe to run again."""
    from ckanext.govcatalog import demo as demo_module

    report = demo_module.load()
    click.echo(f"demo catalog: {report}")


def get_commands() -> list[Any]:
    return [govcatalog]
