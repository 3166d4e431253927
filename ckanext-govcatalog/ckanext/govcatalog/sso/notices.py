"""Notices to the data administration (the sysadmins) about single sign-on logins that need a
person: a department the identity provider names and the catalog does not know."""

from __future__ import annotations

from collections.abc import Iterable

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govcatalog.sharing import notify

UNKNOWN_DEPARTMENT = "sso_unknown_department"


def data_administration_ids() -> list[str]:
    rows = model.Session.query(model.User.id).filter(
        model.User.sysadmin.is_(True), model.User.state == model.State.ACTIVE
    )
    return [user_id for (user_id,) in rows]


def unknown_departments(user: model.User, groups: Iterable[str]) -> int:
    """Tell every sysadmin which of the user's departments the group map lacks; returns how many
    were told. The notices commit with the caller's session."""
    message = tk._(
        "%(user)s logged in through single sign-on with departments the catalog does not map "
        "(%(groups)s): add them to govcatalog.sso.group_map or correct them in the identity "
        "platform."
    ) % {"user": user.display_name, "groups": "、".join(groups)}
    link = tk.url_for("user.read", id=user.name)
    recipients = data_administration_ids()
    mail = [notify.add_text(uid, UNKNOWN_DEPARTMENT, message, link) for uid in recipients]
    model.Session.commit()
    notify.send_mail(mail)
    return len(recipients)
