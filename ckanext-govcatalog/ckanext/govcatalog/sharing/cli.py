"""`ckan govcatalog requests ...`: deadlines and expiry of sharing requests (run from cron)."""

from __future__ import annotations

import datetime as dt

import click


@click.group("requests")
def requests_group() -> None:
    """Sharing requests (共享申请): overdue answers, expired grants."""


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@requests_group.command("overdue")
@click.option("--on", "on", default=None, help="Count as of this date (YYYY-MM-DD); default today.")
@click.option(
    "--notify",
    is_flag=True,
    help="Also notify the platform admins (once per request and due date).",
)
def overdue(on: str | None, notify: bool) -> None:
    """List pending requests whose answer is past due (tab-separated, the oldest first)."""
    from ckanext.govcatalog.sharing import queries, workdays, workflow

    day = _date(on) or workdays.today()
    late = queries.overdue(day)
    calendar = workdays.calendar()
    if late:
        click.echo("id\tdue_date\tworkdays_late\tentry\towner_org\trequester")
    for request in late:
        info = queries.dictize(request, day)
        click.echo(
            "\t".join(
                [
                    info["id"],
                    info["due_date"],
                    str(calendar.workdays_between(request.due_date, day)),
                    info["package_name"] or info["package_id"],
                    info["owner_org_title"] or info["owner_org"],
                    info["requester_name"] or info["requester_id"],
                ]
            )
        )
    if notify:
        flagged = workflow.flag_overdue(day)
        click.echo(f"notified platform admins of {len(flagged)} request(s)", err=True)
    click.echo(f"{len(late)} overdue request(s) as of {day.isoformat()}", err=True)


@requests_group.command("expire")
def expire() -> None:
    """Mark approved or suspended requests whose grant has run out as expired."""
    from ckanext.govcatalog.sharing import workflow

    expired = workflow.expire_due()
    for request in expired:
        click.echo(f"{request.id}\texpired")
    click.echo(f"{len(expired)} grant(s) expired", err=True)


def get_commands() -> list[click.Command]:
    return [requests_group]
