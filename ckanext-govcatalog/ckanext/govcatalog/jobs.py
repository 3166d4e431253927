"""What every background job of the catalog needs around its work.

`ckan jobs worker` gives a job an application context only, while CKAN's validators translate
their messages and read the locale from a request: a job that checks, shows or writes entries
runs inside a request context of the CKAN app.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def request_context(lang: str | None = None) -> Iterator[None]:
    """A request context of the CKAN app around a job's work, speaking ``lang`` when given (the
    language of the page that started the job). Inside a request already and with no language
    asked for, that request serves."""
    import flask

    if lang is None and flask.has_request_context():
        yield
        return
    if flask.has_app_context():
        app = flask.current_app._get_current_object()  # type: ignore[attr-defined]
    else:
        import click

        context = click.get_current_context(silent=True)
        app = context.meta.get("flask_app") if context else None
        if app is None:
            raise RuntimeError("run background jobs with `ckan jobs worker`")
    overrides = {"CKAN_LANG": lang} if lang else {}
    with app.test_request_context(environ_overrides=overrides):
        yield
