"""`ckan govcatalog elements seed | import | export`: the data-element register from and to files
(the YAML form of schemas/elements, or an Excel workbook); `elements bind`: binding a
department's data items to elements (elements/autobind.py)."""

from __future__ import annotations

import sys
from typing import Any

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
    for warning in result.warnings:
        click.echo(warning, err=True)
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


@elements_group.command("sources")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", default=None, help="Record the changes as this user (default: site user)")
def sources(path: str, user: str | None) -> None:
    """Sets the 数源部门 of elements from a YAML file of ``element id: organization name``."""
    import yaml

    from ckanext.govcatalog.elements import refresh

    with open(path, encoding="utf-8") as stream:
        wanted = yaml.safe_load(stream) or {}
    # no worker needed: the entries bound to a changed element are indexed again here
    context = {"user": user or _site_user(), refresh.INLINE: True}
    for element_id, org in sorted(wanted.items()):
        try:
            tk.get_action("data_element_update")(
                dict(context), {"id": element_id, "source_org": org}
            )
        except (tk.ValidationError, tk.ObjectNotFound) as error:
            detail = getattr(error, "error_dict", None) or error
            click.echo(f"{element_id}\t{org}\t{detail}", err=True)
            sys.exit(1)
        click.echo(f"{element_id}\t{org}")


@elements_group.command("bind")
@click.option("--org", "orgs", multiple=True, help="An organization (name or id; repeatable)")
@click.option("--all", "all_orgs", is_flag=True, help="Every organization")
@click.option("--apply", "apply_", is_flag=True, help="Write the bindings (default: show them)")
@click.option("--user", default=None, help="Record the changes as this user (default: site user)")
@click.pass_context
def bind(
    ctx: click.Context, orgs: tuple[str, ...], all_orgs: bool, apply_: bool, user: str | None
) -> None:
    """Bind the unbound data items of a department's entries to the elements suggested as safe
    (auto); prints each binding, what was left out and why, and grades raised (就高从严)."""
    from ckan import model as core_model

    from ckanext.govcatalog.catalog import orgs as catalog_orgs
    from ckanext.govcatalog.elements import autobind

    with ctx.meta["flask_app"].test_request_context():
        if bool(orgs) == all_orgs:
            raise click.UsageError(tk._("Give --org (one or more) or --all"))
        if all_orgs:
            org_ids = [
                org_id
                for (org_id,) in core_model.Session.query(core_model.Group.id)
                .filter(core_model.Group.is_organization.is_(True))
                .filter(core_model.Group.state == "active")
                .order_by(core_model.Group.name)
            ]
        else:
            org_ids = []
            for name in orgs:
                org = catalog_orgs.active_org(name)
                if org is None:
                    raise click.UsageError(tk._("Unknown organization {value}").format(value=name))
                org_ids.append(org.id)
        # one transaction per department: package_update under defer_commit leaves a savepoint
        # per entry open, and a few hundred of them exhaust SQLAlchemy's commit recursion
        total = autobind.BindPlan()
        written: list[str] = []
        for org_id in org_ids:
            plan = autobind.plan([org_id])
            _echo_plan(plan)
            total.bindings += plan.bindings
            total.updates.update(plan.updates)
            total.entries_seen += plan.entries_seen
            total.items_seen += plan.items_seen
            total.unbound_left += plan.unbound_left
            if not apply_ or not plan.updates:
                continue
            try:
                written += autobind.apply(plan, user or _site_user())
            except tk.ValidationError as error:
                for field, messages in error.error_dict.items():
                    click.echo(f"{field}\t{messages}", err=True)
                click.echo(
                    tk._("Nothing of this department was bound: an entry was refused"), err=True
                )
                sys.exit(1)
        summary = tk._(
            "{entries} entries, {items} data items: {bound} to bind in {changed} entries, "
            "{left} left for review"
        ).format(
            entries=total.entries_seen,
            items=total.items_seen,
            bound=len(total.bindings),
            changed=len(total.updates),
            left=total.unbound_left,
        )
        if not apply_:
            click.echo(summary + tk._(" (nothing written: add --apply to bind)"))
            return
        click.echo(summary + tk._(" (written: {n} entries)").format(n=len(written)))


def _echo_plan(plan: Any) -> None:
    for b in plan.bindings:
        line = tk._("{title}: row {row}, \u201c{item}\u201d \u2192 {element} ({confidence})")
        click.echo(
            line.format(
                title=b.title,
                row=b.row,
                item=b.item,
                element=f"{b.element_name}（{b.element_id}）",
                confidence=f"{b.confidence:.2f}",
            )
        )
    for left in plan.left_out:
        click.echo(
            tk._("Not bound: {title}: {reason}").format(title=left.title, reason=left.reason)
        )
    for raised in plan.raised:
        click.echo(
            tk._("Grade raised: {title}: {old} \u2192 {new}").format(
                title=raised.title, old=raised.old or "—", new=raised.new
            )
        )


@elements_group.command("report")
@click.option(
    "--csv",
    "csv_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Write one table of the map as CSV to this file instead of printing the summary",
)
@click.option(
    "--table",
    type=click.Choice(["elements", "places", "repeated"]),
    default="elements",
    show_default=True,
    help="Which table --csv writes: elements by department, towns and villages, or entries "
    "collecting again",
)
@click.pass_context
def report(ctx: click.Context, csv_path: str | None, table: str) -> None:
    """The repeated-collection map (重复采集): independent collections per element and department,
    information systems per town and village, and the entries flagged 重复采集."""
    from ckanext.govcatalog.access import policy
    from ckanext.govcatalog.elements import collection_map, report_views

    with ctx.meta["flask_app"].test_request_context():
        found = collection_map.build(policy.viewer_for(_site_user()))
        if csv_path:
            rows = collection_map.table(found, table, report_views.table_headers(found.levels))
            with open(csv_path, "w", encoding="utf-8", newline="") as f:
                f.write(report_views.csv_text(rows))
            click.echo(f"{csv_path}: {len(rows) - 1}")
            return
        click.echo(collection_map.summary_text(found), nl=False)


def get_commands() -> list[click.Command]:
    return [elements_group]
