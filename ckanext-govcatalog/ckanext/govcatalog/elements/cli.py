"""`ckan govcatalog elements seed | import | export`: the data-element register from and to files
(the YAML form of schemas/elements, or an Excel workbook)."""

from __future__ import annotations

import sys

import ckan.plugins.toolkit as tk
import click


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def _load(records: list, user: str | None) -> None:
    from ckanext.govcatalog.elements import transfer

    try:
        result = transfer.import_records(records, user or _site_user())
    except tk.ValidationError as error:
        for element, messages in error.error_dict.items():
            for message in messages:
                click.echo(f"{element}\t{message}", err=True)
        click.echo(
            tk._("Nothing was imported: {n} data elements were refused").format(
                n=len(error.error_dict)
            ),
            err=True,
        )
        sys.exit(1)
    click.echo(
        f"created {len(result.created)}, updated {len(result.updated)}, "
        f"unchanged {len(result.unchanged)}"
    )


@click.group("elements")
def elements_group() -> None:
    """The data-element register (数据元)."""


@elements_group.command("seed")
@click.option("--user", default=None, help="Record the changes as this user (default: site user)")
@click.pass_context
def seed(ctx: click.Context, user: str | None) -> None:
    """Load the common government elements of schemas/elements (again: unchanged ones stay)."""
    from ckanext.govcatalog.elements import seedfile, transfer

    with ctx.meta["flask_app"].test_request_context():
        _load(seedfile.read_files(seedfile.seed_paths(transfer.seed_dir())), user)


@elements_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", default=None, help="Record the changes as this user (default: site user)")
@click.pass_context
def import_(ctx: click.Context, path: str, user: str | None) -> None:
    """Import elements from a .yaml or .xlsx file, all or nothing (known ids are updated)."""
    from ckanext.govcatalog.elements import transfer

    with ctx.meta["flask_app"].test_request_context():
        try:
            records = transfer.read_file(path)
        except ValueError as error:
            raise click.UsageError(str(error)) from None
        _load(records, user)


@elements_group.command("export")
@click.option(
    "--out",
    "out",
    default=None,
    type=click.Path(dir_okay=False),
    help="File to write (default: YAML to standard output)",
)
@click.option(
    "--status", "statuses", multiple=True, help="Only elements with this status (repeatable)"
)
@click.pass_context
def export(ctx: click.Context, out: str | None, statuses: tuple[str, ...]) -> None:
    """Export the register as YAML, or as a workbook when --out ends with .xlsx."""
    from ckanext.govcatalog.elements import transfer

    with ctx.meta["flask_app"].test_request_context():
        wanted = list(statuses) or None
        if out and out.lower().endswith(".xlsx"):
            with open(out, "wb") as f:
                f.write(transfer.export_workbook(wanted))
            click.echo(out)
            return
        text = transfer.export_yaml(wanted)
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
        click.echo(out)
    else:
        click.echo(text, nl=False)


def get_commands() -> list[click.Command]:
    return [elements_group]
