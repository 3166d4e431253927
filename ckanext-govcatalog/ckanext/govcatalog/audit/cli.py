"""`ckan govcatalog audit ...`: verify the audit chain (目录链) and export its head."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import click


def _anchor(value: str) -> tuple[int, str]:
    seq, sep, digest = value.partition(":")
    if not sep or not seq.strip().isdigit() or len(digest.strip()) != 64:
        raise click.BadParameter(f"expected SEQ:HASH (as printed by `audit head`), got {value!r}")
    return int(seq), digest.strip().lower()


def describe(broken: Any) -> str:
    """One line naming the first broken record and what is wrong with it (translated)."""
    import ckan.plugins.toolkit as tk

    from ckanext.govcatalog.audit import log as chain

    detail = broken.detail
    messages = {
        chain.HASH_MISMATCH: tk._(
            "hash mismatch: the record's content was changed after it was chained"
            " (stored {stored}, computed {computed})"
        ),
        chain.PREV_HASH_MISMATCH: tk._(
            "prev_hash mismatch: the record does not follow the previous one"
            " (holds {stored}, previous record's hash is {expected})"
        ),
        chain.GAP: tk._("gap in seq: record {expected} is missing (the next one is {found})"),
        chain.REORDERED: tk._("reordered: this record was chained at seq {belongs_at}"),
        chain.ANCHOR_MISSING: tk._(
            "anchor lost: record {seq} no longer exists (anchored hash {anchor});"
            " records were removed from the end of the chain"
        ),
        chain.ANCHOR_MISMATCH: tk._(
            "anchor mismatch: record {seq} has hash {stored}, the anchor says {anchor}"
        ),
    }
    text = messages.get(broken.problem, broken.problem).format(seq=broken.seq, **detail)
    return tk._("BROKEN at seq {seq}: {problem}").format(seq=broken.seq, problem=text)


@click.group("audit")
def audit_group() -> None:
    """The audit chain (目录链): verify it, export its head."""


@audit_group.command("verify")
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    help="SEQ:HASH printed earlier by `audit head` (repeatable); reveals records removed "
    "from the end of the chain.",
)
@click.pass_context
def verify(ctx: click.Context, anchors: tuple[str, ...]) -> None:
    """Check every record's hash and link; print OK and the count, or the first broken record."""
    import ckan.plugins.toolkit as tk

    from ckanext.govcatalog.audit import log as chain

    pairs = [_anchor(a) for a in anchors]
    app = ctx.meta.get("flask_app")
    # a request context lets the messages follow ckan.locale_default
    with app.test_request_context() if app else contextlib.nullcontext():
        verdict = chain.verify(anchors=pairs)
        if verdict.ok:
            head = verdict.head
            click.echo(
                tk._("OK: {count} records, head seq {seq} hash {hash}").format(
                    count=verdict.count,
                    seq=head[0] if head else 0,
                    hash=head[1] if head else chain.GENESIS,
                )
            )
            return
        click.echo(describe(verdict.broken))
        click.echo(
            tk._("{count} records verified before the break").format(count=verdict.count),
            err=True,
        )
    sys.exit(1)


@audit_group.command("head")
def head() -> None:
    """Print the head as SEQ:HASH, to be kept elsewhere and passed back to `verify --anchor`.

    While the chain is empty that is seq 0 and the genesis hash."""
    from ckanext.govcatalog.audit import log as chain

    current = chain.head()
    seq, value = current if current else (0, chain.GENESIS)
    click.echo(f"{seq}:{value}")


def get_commands() -> list[click.Command]:
    return [audit_group]
