"""Auth functions of the sharing-request actions: who may act on a request.

Only logged-in users reach these (CKAN refuses anonymous callers of extension auth functions);
sysadmins pass without calling them. Who takes each step of the workflow is the ``actor`` of its
row in workflow.TRANSITIONS; whether the request's state allows the step is decided by
workflow.py too (a 409, not a 403).
"""

from __future__ import annotations

from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk

from ckanext.govcatalog.sharing import queries, workflow


def _user(context: dict[str, Any]) -> core_model.User | None:
    return context.get("auth_user_obj") or core_model.User.get(context.get("user") or "")


def _request(data_dict: dict[str, Any]) -> Any:
    return queries.get(data_dict.get("id") or "")


def _ok() -> dict[str, Any]:
    return {"success": True}


def _no(message: str) -> dict[str, Any]:
    return {"success": False, "msg": message}


def access_request_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    # any logged-in user; which entries they may request is a rule of access/policy.py
    return _ok() if _user(context) else _no(tk._("You must be logged in to request data"))


def access_request_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    if (data_dict.get("scope") or "mine") == "all":
        return _no(tk._("Only platform administrators may list all requests"))
    return _ok() if _user(context) else _no(tk._("You must be logged in"))


def access_request_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    user, request = _user(context), _request(data_dict)
    if queries.is_requester(user, request) or queries.is_decider(user, request):
        return _ok()
    return _no(tk._("Only the requester and the owner organization's admins may see a request"))


def _requester_only(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    if queries.is_requester(_user(context), _request(data_dict)):
        return _ok()
    return _no(tk._("Only the requester may change or withdraw a request"))


def _decider_only(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    if queries.is_decider(_user(context), _request(data_dict)):
        return _ok()
    return _no(tk._("Only admins of the entry's owner organization may decide its requests"))


def govcatalog_notification_list(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    return _ok() if _user(context) else _no(tk._("You must be logged in"))


def get_auth_functions() -> dict[str, Any]:
    functions: dict[str, Any] = {
        "access_request_create": access_request_create,
        "access_request_list": access_request_list,
        "access_request_show": access_request_show,
        "govcatalog_notification_list": govcatalog_notification_list,
        "govcatalog_notification_mark_read": govcatalog_notification_list,
    }
    for step in workflow.steps_of(workflow.REQUESTER):
        functions[f"access_request_{step}"] = _requester_only
    for step in workflow.steps_of(workflow.DECIDER):
        functions[f"access_request_{step}"] = _decider_only
    return functions
