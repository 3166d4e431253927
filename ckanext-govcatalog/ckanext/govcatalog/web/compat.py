"""Work-arounds for CKAN 2.12 core bugs that break the Chinese UI.

The page's JavaScript asks for its translations at /api/i18n/<locale>, turning the page's
BCP 47 language back into a CKAN locale with ``locale.replace('-', '_')``
(ckan/public/base/javascript/client.js, getLocaleData), which replaces only the FIRST hyphen:
``zh-Hans-CN`` becomes ``zh_Hans-CN``, CKAN answers 400 "Unknown locale", and since modules are
initialised only after that request succeeds, no CKAN JavaScript module runs on any page in
zh_Hans_CN (no "add" button for repeating fields, no double-submit guard, no upload widget...).
Answering the misspelt locale with the right translations fixes every page at once.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

compat = Blueprint("govcatalog_compat", __name__)

I18N_PREFIX = "/api/i18n/"


@compat.before_app_request
def js_translations_for_bcp47_locale() -> Any:
    if not request.path.startswith(I18N_PREFIX):
        return None
    lang = request.path[len(I18N_PREFIX) :]
    if "-" not in lang or "/" in lang:
        return None
    from ckan.views.api import i18n_js_translations

    return i18n_js_translations(lang.replace("-", "_"))


def get_blueprints() -> list[Blueprint]:
    return [compat]
