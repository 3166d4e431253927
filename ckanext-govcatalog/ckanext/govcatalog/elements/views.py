"""Pages of the data-element register: the list with search, an element's page with its history,
and the form to add or change one (data bureau and sysadmins). Every read and change goes through
the data_element_* actions, so the pages show and enforce exactly what the API does."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model as core_model
from flask import Blueprint, jsonify, request

from ckanext.govcatalog import vocab
from ckanext.govcatalog.access import policy
from ckanext.govcatalog.elements import auth, provenance, register, terms

bp = Blueprint("govcatalog_elements", __name__, url_prefix="/data-element")
PAGE_SIZE = 50
# the form's checkboxes: a box left unticked is not posted at all
_FLAGS = ("personal_info", "sensitive_personal_info")


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name, "auth_user_obj": tk.current_user}


def _is_editor() -> bool:
    return auth.editor_in(_context())


def _error_summary(errors: dict[str, Any]) -> dict[str, str]:
    return {
        key: "; ".join(str(m) for m in (msgs if isinstance(msgs, list) else [msgs]))
        for key, msgs in errors.items()
    }


def _form_choices() -> dict[str, Any]:
    organizations = (
        core_model.Session.query(core_model.Group.name, core_model.Group.title)
        .filter(core_model.Group.is_organization.is_(True), core_model.Group.state == "active")
        .order_by(core_model.Group.title)
        .all()
    )
    return {
        "data_types": terms.options(terms.DATA_TYPE),
        "grades": terms.options(terms.DATA_GRADE),
        "statuses": terms.options(terms.STATUS),
        "value_rules": terms.options(terms.VALUE_RULE),
        "code_tables": terms.options(terms.CODE_TABLE),
        "organizations": [{"value": name, "text": title or name} for name, title in organizations],
    }


def index() -> Any:
    q = request.args.get("q", "").strip()
    status = request.args.get("status", "").strip()
    try:
        page = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        page = 1
    data: dict[str, Any] = {"q": q, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    if status:
        data["status"] = status
    result = tk.get_action("data_element_search")(_context(), data)
    editor = _is_editor()
    return tk.render(
        "govcatalog/elements/index.html",
        extra_vars={
            "q": q,
            "status": status,
            "page": page,
            "page_size": PAGE_SIZE,
            "result": result,
            "is_editor": editor,
            "statuses": terms.options(terms.STATUS) if editor else [],
        },
    )


def read(id: str) -> Any:
    try:
        element = tk.get_action("data_element_show")(
            _context(), {"id": id, "include_versions": True}
        )
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Unknown data element {id}").format(id=id))
    replacement = register.get(element["replaced_by"]) if element.get("replaced_by") else None
    return tk.render(
        "govcatalog/elements/read.html",
        extra_vars={
            "element": element,
            "is_editor": _is_editor(),
            "replacement": replacement,
            "labels": {
                "data_type": terms.label(terms.DATA_TYPE, element["data_type"]),
                "data_grade": terms.label(terms.DATA_GRADE, element["data_grade"]),
                "status": terms.label(terms.STATUS, element["status"]),
                "value_rule": terms.label(terms.VALUE_RULE, element["value_rule"])
                if element.get("value_rule")
                else "",
                "code_table": terms.label(terms.CODE_TABLE, element["code_table"])
                if element.get("code_table")
                else "",
            },
            "public": element["status"] in terms.public_statuses(),
            "retired": element["status"] in terms.retired_statuses(),
            # 一数一源: who holds it, as far as this reader may know (elements/provenance.py)
            "holders": provenance.element_holders(
                register.require(element["id"]), policy.viewer_from_context(_context())
            ),
        },
    )


def _source_link(held: provenance.HeldEntry) -> dict[str, str]:
    """Where the note sends the officer: the request form of a conditionally shared entry they
    may still request (or their open request), else the entry's page (its sharing, or for 不予共享
    the law it rests on)."""
    entry_page = {"href": tk.h.url_for("dataset.read", id=held.name), "label": tk._("Open {entry}")}
    if held.share_type != policy.SHARE_CONDITIONAL:
        return entry_page
    state = tk.h.govcatalog_request_state(held.as_package())
    if state.get("open_request"):
        return {
            "href": tk.h.url_for("govcatalog_requests.read", id=state["open_request"]),
            "label": tk._("View my request"),
        }
    if state.get("may_request"):
        return {
            "href": tk.h.url_for("govcatalog_requests.new", id=held.name),
            "label": tk._("Request {entry}"),
        }
    return entry_page


def source_note(id: str) -> Any:
    """一数一源 while an officer records a data item (assets/data_item_grid.js): what is true for
    THIS reader about obtaining the element from its 数源部门 instead of collecting it again. The
    source entry is one the reader may see (provenance.source_for_viewer), so the answer tells a
    department user nothing the element page would not. ``owner_org``: the department the entry
    is recorded for; no note when it is the source itself (or below it)."""
    context = _context()
    try:
        shown = tk.get_action("data_element_show")(context, {"id": id})
    except tk.ObjectNotFound:
        return jsonify({"note": None}), 404
    found = provenance.source_for_viewer(
        register.require(shown["id"]),
        policy.viewer_from_context(context),
        request.args.get("owner_org", "").strip() or None,
    )
    if found is None or found.own:
        return jsonify({"note": None})
    org, element, held = found.source_org["title"], shown["name"], found.entry
    if held is None:
        text = tk._(
            "{org} is the source department of {element}, but has no catalog entry holding it "
            "that you may see: ask {org} how to obtain it rather than collecting it again."
        ).format(org=org, element=element)
        return jsonify({"note": text, "share_type": None, "entry": None, "link": None})
    share = vocab.label("share_type", held.share_type)
    messages = {
        policy.SHARE_UNCONDITIONAL: tk._(
            "{org} is the source department of {element} and holds it in {entry} ({share}): "
            "obtain it by sharing instead of collecting it again."
        ),
        policy.SHARE_CONDITIONAL: tk._(
            "{org} is the source department of {element} and holds it in {entry} ({share}): "
            "request it by sharing instead of collecting it again."
        ),
        policy.SHARE_NONE: tk._(
            "{org} is the source department of {element}, but does not share {entry} ({share}), "
            "so it cannot be requested. Ask {org} for the data, or collect it only where a law "
            "or regulation gives your department the basis to."
        ),
    }
    text = messages.get(held.share_type, messages[policy.SHARE_NONE]).format(
        org=org, element=element, entry=held.title, share=share
    )
    link = _source_link(held)
    return jsonify(
        {
            "note": text,
            "share_type": held.share_type,
            "entry": {"name": held.name, "title": held.title},
            "link": {"href": link["href"], "label": link["label"].format(entry=held.title)},
        }
    )


def _posted() -> dict[str, Any]:
    data: dict[str, Any] = {
        key: value for key, value in request.form.items() if key in register.FIELDS
    }
    for flag in _FLAGS:
        data[flag] = flag in request.form
    return data


def _form(element: dict[str, Any] | None) -> Any:
    if not _is_editor():
        return tk.abort(
            403, tk._("Only the data bureau and platform administrators may edit data elements")
        )
    errors: dict[str, Any] = {}
    values: dict[str, Any] = dict(element or {})
    if element and element.get("source_org_name"):
        values["source_org"] = element["source_org_name"]
    if request.method == "POST":
        values = _posted()
        try:
            if element is None:
                saved = tk.get_action("data_element_create")(_context(), values)
                tk.h.flash_success(tk._("Data element {id} is registered.").format(id=saved["id"]))
            else:
                saved = tk.get_action("data_element_update")(
                    _context(), dict(values, id=element["id"])
                )
                tk.h.flash_success(tk._("Data element {id} is saved.").format(id=saved["id"]))
                for warning in saved.get("warnings") or []:
                    tk.h.flash_notice(warning)
            return tk.redirect_to("govcatalog_elements.read", id=saved["id"])
        except tk.ValidationError as e:
            errors = e.error_dict
    if isinstance(values.get("synonyms"), list):
        values["synonyms"] = "、".join(values["synonyms"])
    return tk.render(
        "govcatalog/elements/form.html",
        extra_vars={
            "element": element,
            "values": values,
            "errors": _error_summary(errors),
            **_form_choices(),
        },
    )


def new() -> Any:
    return _form(None)


def edit(id: str) -> Any:
    try:
        element = tk.get_action("data_element_show")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Unknown data element {id}").format(id=id))
    return _form(element)


bp.add_url_rule("", view_func=index, endpoint="index")
bp.add_url_rule("/new", view_func=new, endpoint="new", methods=["GET", "POST"])
bp.add_url_rule("/<id>", view_func=read, endpoint="read")
bp.add_url_rule("/<id>/source-note", view_func=source_note, endpoint="source_note")
bp.add_url_rule("/<id>/edit", view_func=edit, endpoint="edit", methods=["GET", "POST"])


def get_blueprints() -> list[Blueprint]:
    return [bp]
