"""Notifications about sharing requests: an in-app list always, e-mail where configured.

``add`` puts the in-app notice into the caller's transaction, so a decision and its notices
commit (or roll back) together; ``send_mail`` is called after the commit, and a mail failure
is logged, never raised: the decision stands whether or not the mail went out.

A notice keeps its English message id and parameters, and the list renders them when it is
read, in the reader's language (``text``); ``message`` holds the text in the site's default
language, for mail and for the notices written before message ids were kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk
import flask_babel
from babel import support as babel_support
from ckan.lib import mailer

from ckanext.govcatalog.model import Notification
from ckanext.govcatalog.web import dates

log = logging.getLogger(__name__)

EMAIL_OPTION = "govcatalog.requests.email"

# the extension's compiled translations (plugin.py: DefaultTranslation's directory and domain)
_I18N_DIRECTORY = str(Path(__file__).resolve().parent.parent / "i18n")
_I18N_DOMAIN = "ckanext-govcatalog"

# parameters holding a date (YYYY-MM-DD), shown as the page shows dates (2026年11月27日)
DATE_PARAMS = ("due", "due_date", "expires")


def add(
    user_id: str,
    kind: str,
    message_id: str,
    params: Mapping[str, Any] | None = None,
    link: str | None = None,
) -> Notification:
    """Queue an in-app notice in the current session (the caller commits). ``message_id`` is an
    English msgid with {name} fields, filled from ``params`` whenever the notice is shown."""
    kept = {key: _plain(value) for key, value in (params or {}).items()}
    return _queue(user_id, kind, in_site_language(message_id, kept), link, message_id, kept)


def add_text(user_id: str, kind: str, message: str, link: str | None = None) -> Notification:
    """Queue a notice whose text is already written (it is shown as it is, in any language)."""
    return _queue(user_id, kind, message, link)


def _queue(
    user_id: str,
    kind: str,
    message: str,
    link: str | None,
    message_id: str | None = None,
    params: dict[str, Any] | None = None,
) -> Notification:
    # a written-out notice leaves message_id and params unset (SQL NULL; JSONB would keep an
    # explicit None as JSON null)
    rendered = {} if message_id is None else {"message_id": message_id, "params": params}
    notice = Notification(
        id=str(uuid.uuid4()),
        user_id=user_id,
        created=dt.datetime.utcnow(),
        kind=kind,
        message=message,
        link=link,
        read=False,
        **rendered,
    )
    core_model.Session.add(notice)
    return notice


def _plain(value: Any) -> Any:
    """A parameter as JSON keeps it: text, a number, or its text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def render(
    message_id: str, params: Mapping[str, Any], translate: Callable[[str], str] = tk._
) -> str:
    """The message in the current language, its dates as the page shows dates."""
    words = {
        key: dates.date_text(value) if key in DATE_PARAMS and isinstance(value, str) else value
        for key, value in params.items()
    }
    return translate(message_id).format(**words)


def in_site_language(message_id: str, params: Mapping[str, Any]) -> str:
    """The message in the site's default language (ckan.locale_default), whoever wrote it: a
    page in another language, or a command with no request at all (requests expire)."""
    locale = tk.config.get("ckan.locale_default") or "en"
    if flask_babel.get_locale() is not None:
        with flask_babel.force_locale(locale):
            return render(message_id, params)
    # no request: babel has no catalog to give, so read the extension's own (where every
    # message of a notice is; the dates follow ckan.locale_default by themselves)
    catalog = babel_support.Translations.load(_I18N_DIRECTORY, [locale], _I18N_DOMAIN)
    return render(message_id, params, catalog.gettext)


def text(notice: Notification) -> str:
    """What the reader reads: the message rendered in their language, or the stored text of a
    notice without a message id (written before they were kept, or written as text)."""
    if not notice.message_id:
        return notice.message
    try:
        return render(notice.message_id, notice.params or {})
    except (KeyError, IndexError, ValueError):  # a translation whose fields do not match
        return notice.message


def email_enabled() -> bool:
    """Mail is configured: a server and a sender address (CKAN's mailer needs both)."""
    return bool(
        tk.asbool(tk.config.get(EMAIL_OPTION, True))
        and tk.config.get("smtp.server")
        and tk.config.get("smtp.mail_from")
    )


def send_mail(notices: Iterable[Notification]) -> int:
    """E-mail each notice to its user; returns how many were sent. Failures are logged."""
    if not email_enabled():
        return 0
    sent = 0
    site_url = (tk.config.get("ckan.site_url") or "").rstrip("/")
    site_title = tk.config.get("ckan.site_title") or "CKAN"
    for notice in notices:
        user = core_model.User.get(notice.user_id)
        if user is None or not user.email:
            continue
        body = notice.message
        if notice.link:
            body += "\n\n" + site_url + notice.link
        try:
            mailer.mail_user(user, f"[{site_title}] {notice.message[:60]}", body)
            sent += 1
        except Exception as error:  # a mail outage must not undo a recorded decision
            log.warning("could not e-mail notice %s to %s: %s", notice.id, user.name, error)
    return sent


def dictize(notice: Notification) -> dict[str, Any]:
    return {
        "id": notice.id,
        "user_id": notice.user_id,
        "created": notice.created.isoformat(),
        "kind": notice.kind,
        "message": text(notice),
        "link": notice.link,
        "read": notice.read,
    }


def list_for(user_id: str, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    query = core_model.Session.query(Notification).filter(Notification.user_id == user_id)
    if unread_only:
        query = query.filter(Notification.read.is_(False))
    return query.order_by(Notification.created.desc()).limit(limit).all()


def unread_count(user_id: str) -> int:
    return (
        core_model.Session.query(Notification)
        .filter(Notification.user_id == user_id, Notification.read.is_(False))
        .count()
    )


def mark_read(user_id: str, ids: Iterable[str] | None = None) -> int:
    """Mark the user's notices read (all of them when ids is None); returns how many changed."""
    query = core_model.Session.query(Notification).filter(
        Notification.user_id == user_id, Notification.read.is_(False)
    )
    if ids is not None:
        query = query.filter(Notification.id.in_(list(ids)))
    changed = query.update({Notification.read: True}, synchronize_session=False)
    core_model.repo.commit()
    return changed
