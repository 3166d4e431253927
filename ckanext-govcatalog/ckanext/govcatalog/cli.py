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

    report = demo_module.load(echo=click.echo)
    click.echo(demo_module.format_report(report))


def _add_bulk_commands() -> None:
    from ckanext.govcatalog.bulk.commands import COMMANDS

    for command in COMMANDS:
        govcatalog.add_command(command)


_add_bulk_commands()


def _add_request_commands() -> None:
    from ckanext.govcatalog.cli_requests import requests_group

    govcatalog.add_command(requests_group)


_add_request_commands()


def _add_audit_commands() -> None:
    from ckanext.govcatalog.audit.cli import audit_group

    govcatalog.add_command(audit_group)


_add_audit_commands()


def get_commands() -> list[Any]:
    return [govcatalog]
