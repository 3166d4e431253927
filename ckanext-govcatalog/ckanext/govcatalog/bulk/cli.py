"""`ckan govcatalog template | import | export` (added to the govcatalog group in cli.py)."""

from __future__ import annotations

import os
from typing import Any

import ckan.plugins.toolkit as tk
import click


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


@click.command("template")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
@click.pass_context
def template(ctx: click.Context, out: str) -> None:
    """Write the import template (.xlsx), generated from the catalog schema."""
    from ckanext.govcatalog.bulk import layout, workbook

    with ctx.meta["flask_app"].test_request_context():
        data = workbook.template_bytes(layout.layout())
    with open(out, "wb") as f:
        f.write(data)
    click.echo(out)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--org", default=None, help="Organization of every row (name, title or code)")
@click.option("--user", default=None, help="Import as this user (default: the site user)")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing")
@click.option(
    "--report",
    default=None,
    type=click.Path(dir_okay=False),
    help="Where to write the workbook with an error column when rows fail",
)
@click.pass_context
def import_(
    ctx: click.Context,
    path: str,
    org: str | None,
    user: str | None,
    dry_run: bool,
    report: str | None,
) -> None:
    """Import catalog entries from an .xlsx or .csv file, all or nothing."""
    from ckanext.govcatalog.bulk import importer, workbook

    with open(path, "rb") as f:
        data = f.read()
    bars: dict[str, Any] = {}

    def progress(phase: str, done: int, total: int) -> None:
        if not total:
            return
        bar = bars.get(phase)
        if bar is None:
            label = {
                "check": tk._("Checking"),
                "write": tk._("Writing"),
                "index": tk._("Indexing"),
            }.get(phase, phase)
            bar = bars[phase] = click.progressbar(length=total, label=label, file=None)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    with ctx.meta["flask_app"].test_request_context():
        # a command runs no other threads: new rows are checked by one process per core
        result = importer.import_file(
            data,
            os.path.basename(path),
            user or _site_user(),
            org,
            dry_run,
            progress,
            processes=None,
        )
        for p in result.problems:
            where = f"{p.sheet} " if p.sheet else ""
            where += tk._("row {row}").format(row=p.row) + " " if p.row else ""
            cell = f"{p.column} [{p.value}]: " if p.column or p.value else ""
            click.echo(f"{where}{cell}{p.reason}", err=True)
        s = result.summary()
        click.echo(
            tk._("created {c}, updated {u}, unchanged {n}, errors {e}{dry}").format(
                c=s["created"],
                u=s["updated"],
                n=s["unchanged"],
                e=s["errors"],
                dry=(" (" + tk._("dry run, nothing written") + ")") if dry_run else "",
            )
        )
        if result.problems:
            if result.kind:
                report = report or os.path.splitext(path)[0] + ".errors"
                content, ext = workbook.report_bytes(data, result.kind, result.problems)
                if not report.endswith("." + ext):
                    report += "." + ext
                with open(report, "wb") as f:
                    f.write(content)
                click.echo(tk._("report: {path}").format(path=report), err=True)
            raise click.exceptions.Exit(1)


@click.command("export")
@click.option("--org", default=None)
@click.option("--format", "fmt", default="xlsx", type=click.Choice(["xlsx", "csv", "jsonl"]))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
@click.option("--user", default=None, help="Export what this user may see (default: everything)")
@click.pass_context
def export(ctx: click.Context, org: str | None, fmt: str, out: str, user: str | None) -> None:
    """Export the catalog entries (the given user's view) as xlsx, CSV or JSON Lines."""
    from ckanext.govcatalog.bulk import exporter

    with ctx.meta["flask_app"].test_request_context():
        data = exporter.export(user or _site_user(), fmt, org)
    with open(out, "wb") as f:
        f.write(data)
    click.echo(out)


COMMANDS = [template, import_, export]


def get_commands() -> list[click.Command]:
    return list(COMMANDS)
