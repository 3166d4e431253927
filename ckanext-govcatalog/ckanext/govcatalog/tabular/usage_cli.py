"""`ckan govcatalog usage ...`: the daily usage digest and the retention purge."""

from __future__ import annotations

import datetime as dt

import click


@click.group("usage")
def usage_group() -> None:
    """Usage records of governed data (使用记录)."""


@usage_group.command("digest")
@click.option("--day", help="The UTC day to digest (YYYY-MM-DD); default: yesterday.")
def digest(day: str | None) -> None:
    """Write the daily usage digest into the audit chain (once per day; days already digested
    are left alone). Reads also write it, on the first DataStore read of a new day."""
    from ckanext.govcatalog.tabular import usage

    if day:
        try:
            until = dt.date.fromisoformat(day)
        except ValueError:
            raise click.BadParameter(f"expected YYYY-MM-DD, got {day!r}") from None
    else:
        until = dt.datetime.utcnow().date() - dt.timedelta(days=1)
    written = usage.digest_days(until)
    if written:
        click.echo("digested: " + ", ".join(d.isoformat() for d in written))
    else:
        click.echo(f"nothing to digest up to {until.isoformat()}")


@usage_group.command("purge")
def purge() -> None:
    """Delete usage records older than govcatalog.usage.retention_years (at least 3)."""
    from ckanext.govcatalog.tabular import usage

    click.echo(f"deleted {usage.purge_expired()} usage records")


def get_commands() -> list[click.Command]:
    return [usage_group]
