"""The single sign-on journey in a real browser against the test session's Keycloak: the police
department's data officer clicks 统一身份认证登录, signs in on Keycloak's page, lands on the
catalog as an editor of 石泉县公安局 only, creates nothing, and logs out of both."""

from __future__ import annotations

import subprocess
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
import requests

from ckanext.govcatalog.demo.loader import demo_password
from tests.journeys.conftest import assert_journey_passed, run_journey

EDITOR = "sq-gaj-editor"  # 李娜, 石泉县公安局's data officer in schemas/demo/users.yaml
ORG, ORG_TITLE = "shiquan-gaj", "石泉县公安局"
KEYCLOAK_SH = Path(__file__).resolve().parents[2] / "scripts" / "services" / "keycloak.sh"


def test_editor_logs_in_through_keycloak_and_out_again(journey_site):
    started = subprocess.run(
        ["bash", str(KEYCLOAK_SH), "start"], capture_output=True, text=True, timeout=600
    )
    if started.returncode != 0:
        pytest.fail(f"keycloak.sh start failed:\n{started.stdout}\n{started.stderr}")
    base = journey_site["base_url"]
    count = requests.get(
        f"{base}/api/3/action/package_search",
        params={"rows": 0, "include_private": "true"},
        headers={"Authorization": journey_site["tokens"]["sysadmin"]},
        timeout=60,
    ).json()["result"]["count"]
    site = dict(
        journey_site,
        sso={
            "username": EDITOR,
            # the realm's demo users have the demo loader's passwords (sso/realm.py render)
            "password": demo_password(EDITOR),
            "org": ORG,
            "org_title": ORG_TITLE,
            "datasets_before": count,
        },
    )
    assert tk.config.get("govcatalog.sso.enabled"), "test.ini keeps single sign-on on"
    records = run_journey(site, "sso.mjs")
    assert_journey_passed(records, "sso", journey_site)
