"""Pages of the sharing-request workflow: the request form, 我的申请, 待我审批, one request with
its decision forms, and the in-app notification list. Every change goes through the
access_request_* actions, so the pages enforce exactly what the API does."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from ckanext.govcatalog.sharing import checks, queries, states, workdays, workflow

bp = Blueprint("govcatalog_requests", __name__)

# the steps a form on the request page may post, and the action each one calls
STEPS = {
    step: f"access_request_{step}"
    for step in workflow.steps_of(workflow.REQUESTER) + workflow.steps_of(workflow.DECIDER)
}
SUCCESS = {
    "update": "Your request is complete again; the answer clock restarts.",
    "withdraw": "The request is withdrawn.",
    "approve": "The request is approved and access granted.",
    "reject": "The request is rejected.",
    "ask_info": "The requester is asked for more information.",
    "extend": "The deadline is extended.",
    "suspend": "Access is suspended.",
    "resume": "Access is restored.",
    "revoke": "Access is revoked.",
}


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name, "auth_user_obj": tk.current_user}


def _require_login() -> None:
    if not tk.current_user.is_authenticated:
        tk.abort(403, tk._("Log in to see your requests."))


def _form_data() -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in request.form.items() if k != "_csrf_token"}
    if "data_items" in request.form:
        data["data_items"] = request.form.getlist("data_items")
    return data


def _field_labels() -> dict[str, str]:
    """The request forms' field labels: the error summary above a form names each field as the
    form does (it showed the keys, "legal_basis: 缺少值")."""
    return {
        "legal_basis": tk._("Legal basis"),
        "usage_scenario": tk._("Usage scenario"),
        "usage_scope": tk._("Usage scope"),
        "share_mode": tk._("Sharing mode"),
        "period_end": tk._("Use until"),
        "data_items": tk._("Data items wanted"),
        "expires": tk._("Access until"),
        "reason": tk._("Reason"),
        "missing": tk._("Everything that is missing (one list)"),
        "days": tk._("Working days"),
        "response": tk._("Your answer to the request for information"),
    }


def _error_summary(errors: dict[str, Any]) -> dict[str, str]:
    labels = _field_labels()
    return {
        labels.get(key, key): "; ".join(
            str(m) for m in (msgs if isinstance(msgs, list) else [msgs])
        )
        for key, msgs in errors.items()
    }


def _share_mode_options() -> list[dict[str, str]]:
    """The schema's 共享方式 choices as select options, labelled in the page's language."""
    options = []
    for choice in checks.share_mode_choices():
        label = choice.get("label") or choice["value"]
        if isinstance(label, dict):
            label = tk.h.scheming_language_text(label)
        options.append({"value": choice["value"], "text": label})
    return options


def new(id: str) -> Any:
    """The request form for one entry (申请使用)."""
    _require_login()
    try:
        entry = tk.get_action("package_show")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Catalog entry not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You may not see this entry"))
    data: dict[str, Any] = {"share_mode": entry.get("share_mode") or ""}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        data = _form_data()
        data["package_id"] = entry["id"]
        try:
            created = tk.get_action("access_request_create")(_context(), data)
        except tk.ValidationError as error:
            errors = error.error_dict
        except tk.NotAuthorized as error:
            return tk.abort(403, str(error))
        else:
            tk.h.flash_success(
                tk._("Your request is submitted; the answer is due {0}.").format(
                    created["due_date"]
                )
            )
            return tk.redirect_to("govcatalog_requests.read", id=created["id"])
    existing = queries.open_request_for(tk.current_user.id, entry["id"])
    refusal = None if existing else checks.refusal(tk.current_user, entry)
    status = 409 if errors else 200
    return (
        tk.render(
            "govcatalog/requests/new.html",
            {
                "pkg": entry,
                "data": data,
                "errors": errors,
                "error_summary": _error_summary(errors),
                "refusal": refusal,
                "existing": existing,
                "data_item_choices": checks.entry_data_items(entry),
                "share_mode_choices": _share_mode_options(),
            },
        ),
        status,
    )


def read(id: str, errors: dict[str, Any] | None = None, step: str | None = None) -> Any:
    """One request: its details and history, and the forms the viewer may use on it."""
    _require_login()
    context = _context()
    try:
        info = tk.get_action("access_request_show")(context, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Access request not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You may not see this request"))
    req = queries.get(id)
    steps = workflow.open_steps(tk.current_user, req)
    entry = checks.entry_dict(req.package_id)
    errors = errors or {}
    return (
        tk.render(
            "govcatalog/requests/read.html",
            {
                "req": info,
                "steps": steps,
                "errors": errors,
                "error_summary": _error_summary(errors),
                "failed_step": step,
                "posted": _form_data() if errors else {},
                "data_item_choices": checks.entry_data_items(entry),
                "share_mode_choices": _share_mode_options(),
                "max_extension": workdays.max_extension_workdays(),
                "today": workdays.today().isoformat(),
            },
        ),
        409 if errors else 200,
    )


def act(id: str, step: str) -> Any:
    """Post one step (a decision, a completion or a withdrawal) on a request."""
    _require_login()
    action = STEPS.get(step)
    if action is None:
        return tk.abort(404, tk._("Unknown step"))
    data = _form_data()
    data["id"] = id
    try:
        tk.get_action(action)(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Access request not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error) or tk._("Not authorized"))
    except tk.ValidationError as error:
        return read(id, errors=error.error_dict, step=step)
    tk.h.flash_success(tk._(SUCCESS[step]))
    return tk.redirect_to("govcatalog_requests.read", id=id)


def _listing(scope: str, template: str) -> Any:
    _require_login()
    status = request.args.get("status") or ""
    overdue = tk.asbool(request.args.get("overdue", False))
    if scope == "decide" and request.args.get("all") and tk.current_user.sysadmin:
        scope = "all"
    if not status and not overdue and scope in ("decide", "all") and "status" not in request.args:
        status = ",".join(states.OPEN_STATUSES)  # the work waiting for a decision
    try:
        page = int(request.args.get("page", 1))
    except ValueError:
        page = 1
    limit = 50
    try:
        result = tk.get_action("access_request_list")(
            _context(),
            {
                "scope": scope,
                "status": status,
                "overdue": overdue,
                "limit": limit,
                "offset": (max(page, 1) - 1) * limit,
            },
        )
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized"))
    except tk.ValidationError as error:
        return tk.abort(400, "; ".join(_error_summary(error.error_dict).values()))
    return tk.render(
        template,
        {
            "requests": result["results"],
            "count": result["count"],
            "status": status,
            "overdue": overdue,
            "scope": scope,
            "statuses": states.STATUSES,
            "page": page,
            "limit": limit,
        },
    )


def mine() -> Any:
    """我的申请."""
    return _listing("mine", "govcatalog/requests/mine.html")


def decide() -> Any:
    """待我审批."""
    return _listing("decide", "govcatalog/requests/decide.html")


def notifications() -> Any:
    """The in-app notification list; posting marks them read."""
    _require_login()
    if request.method == "POST":
        ids = request.form.getlist("id") or None
        tk.get_action("govcatalog_notification_mark_read")(_context(), {"ids": ids})
        return tk.redirect_to("govcatalog_requests.notifications")
    result = tk.get_action("govcatalog_notification_list")(_context(), {"limit": 100})
    return tk.render(
        "govcatalog/requests/notifications.html",
        {"notices": result["results"], "unread": result["unread"]},
    )


bp.add_url_rule("/dataset/<id>/access-request", view_func=new, methods=["GET", "POST"])
bp.add_url_rule("/access-request/<id>", view_func=read, methods=["GET"])
bp.add_url_rule("/access-request/<id>/<step>", view_func=act, methods=["POST"])
bp.add_url_rule("/dashboard/access-requests", view_func=mine, endpoint="mine")
bp.add_url_rule("/dashboard/access-requests/decide", view_func=decide, endpoint="decide")
bp.add_url_rule("/dashboard/notifications", view_func=notifications, methods=["GET", "POST"])


def get_blueprints() -> list[Blueprint]:
    return [bp]
