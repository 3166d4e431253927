"""Notifications about sharing requests: an in-app list always, e-mail where configured.

``add`` puts the in-app notice into the caller's transaction, so a decision and its notices
commit (or roll back) together; ``send_mail`` is called after the commit, and a mail failure
is logged, never raised: the decision stands whether or not the mail went out.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk
from ckan.lib import mailer

from ckanext.govcatalog.model import Notification

log = logging.getLogger(__name__)

EMAIL_OPTION = "govcatalog.requests.email"


def add(user_id: str, kind: str, message: str, link: str | None = None) -> Notification:
    """Queue an in-app notice in the current session (the caller commits)."""
    notice = Notification(
        id=str(uuid.uuid4()),
        user_id=user_id,
        created=dt.datetime.utcnow(),
        kind=kind,
        message=message,
        link=link,
        read=False,
    )
    core_model.Session.add(notice)
    return notice


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
        "message": notice.message,
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
