"""The stack runs for real: plugin loaded, Solr indexing, CLI, service scripts."""

import os
import socket
import subprocess
import time

import ckan.plugins as p
import pytest
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests.helpers import call_action

from tests import factories

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.usefixtures("with_plugins")
def test_plugins_load():
    assert p.plugin_loaded("govcatalog")
    assert p.plugin_loaded("scheming_datasets")
    status = call_action("status_show")
    assert "govcatalog" in status["extensions"]
    assert "scheming_datasets" in status["extensions"]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_dataset_created_through_the_api_is_found_by_solr():
    factories.Entry(
        user=factories.Sysadmin(),
        name="population-register",
        title="Population register",
        notes="Basic population records of the county",
    )
    result = call_action("package_search", q="population")
    assert result["count"] == 1
    assert result["results"][0]["name"] == "population-register"
    # and nothing for a word that is in no dataset: the search really ran
    assert call_action("package_search", q="zebra")["count"] == 0


@pytest.mark.usefixtures("with_plugins")
def test_cli_help(cli, ckan_config):
    result = cli.invoke(ckan_cli, ["govcatalog", "--help"])
    assert result.exit_code == 0, result.output
    assert "demo" in result.output


@pytest.fixture
def taken_port():
    """A port held by a process that is not ours (a listening socket that never answers)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    yield sock.getsockname()[1]
    sock.close()


@pytest.mark.parametrize("service", ["postgres", "redis", "solr"])
def test_service_script_reports_taken_port(service, taken_port, tmp_path):
    env = dict(
        os.environ,
        GOVCATALOG_DATA=str(tmp_path),
        **{
            f"GOVCATALOG_{'PG' if service == 'postgres' else service.upper()}_PORT": str(taken_port)
        },
    )
    started = time.monotonic()
    proc = subprocess.run(
        [os.path.join(ROOT, "scripts", "services", f"{service}.sh"), "start"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - started
    assert proc.returncode != 0
    assert f"port {taken_port}" in proc.stderr
    assert "already taken by" in proc.stderr
    assert str(os.getpid()) in proc.stderr  # names the process that holds it
    assert elapsed < 30, "the script waited instead of failing at once"
