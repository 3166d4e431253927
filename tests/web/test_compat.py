"""The Chinese UI's JavaScript gets its translations (CKAN 2.12 asks for zh_Hans-CN)."""

import pytest


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
def test_js_translations_for_the_locale_the_page_asks_for(app):
    # what ckan's client.js requests for <html lang="zh-Hans-CN">
    response = app.get("/api/i18n/zh_Hans-CN")
    assert response.status_code == 200
    assert response.json == app.get("/api/i18n/zh_Hans_CN").json


@pytest.mark.usefixtures("with_plugins")
def test_unknown_locales_are_still_refused(app):
    assert app.get("/api/i18n/xx-YY-ZZ", status=400).status_code == 400
