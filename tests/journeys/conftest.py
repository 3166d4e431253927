"""A real CKAN for the browser journeys: the test database with the demo catalog loaded, served
by `ckan run` on a spare port, and the facts the journeys need (who is who, which entry is which),
read from that database.

The served process uses .data/test.ini (test database, ckan_test Solr core, Redis db 1) with the
site URL of the spare port and the Chinese UI, so the journeys see what a user of `make run` sees.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CKAN = Path(sys.executable).with_name("ckan")
SCREENSHOTS = ROOT / "screenshots"
JOURNEY_PASSWORD = "Journey-Pass-2026"  # set on the demo users the journeys log in as


def _free_port(preferred: int) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]


def _write_ini(path: Path, test_ini: str, port: int) -> None:
    # `use = config:` inherits [app:main]; the logging sections are not inherited, so copy them.
    logging_sections = Path(test_ini).read_text(encoding="utf-8").split("[loggers]", 1)[1]
    path.write_text(
        "[app:main]\n"
        f"use = config:{test_ini}\n"
        f"ckan.site_url = http://127.0.0.1:{port}\n"
        "ckan.locale_default = zh_Hans_CN\n"
        "debug = false\n\n"
        "[loggers]" + logging_sections,
        encoding="utf-8",
    )


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"ckan run exited with {proc.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"CKAN did not answer {url} within {timeout}s:\n{log.read_text()[-3000:]}")


def _ckan(ini: Path, *args: str, log: Path) -> str:
    proc = subprocess.run(
        [str(CKAN), "-c", str(ini), *args], capture_output=True, text=True, timeout=600
    )
    with log.open("a", encoding="utf-8") as f:
        f.write(f"$ ckan {' '.join(args)}\n{proc.stdout}\n{proc.stderr}\n")
    if proc.returncode != 0:
        raise RuntimeError(f"ckan {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def _attach_files(base_url: str, token: str, facts: dict[str, Any]) -> None:
    """The entries the journeys download from get a file when the demo gave them none: the
    owner department uploads it through the API, as it would through the resource form."""
    import requests

    for key in ("open_entry", "conditional_entry"):
        entry = facts.get(key)
        if not entry or entry["resources"]:
            continue
        body = f"序号,{','.join(entry['data_items'][:4]) or '名称'}\n1,示例\n".encode()
        response = requests.post(
            f"{base_url}/api/3/action/resource_create",
            data={"package_id": entry["name"], "name": f"{entry['title']}.csv", "format": "CSV"},
            files={"upload": ("data.csv", body, "text/csv")},
            headers={"Authorization": token},
            timeout=60,
        )
        response.raise_for_status()
        result = response.json()["result"]
        entry["resources"] = [{"id": result["id"], "url_type": result.get("url_type"), "url": ""}]


def _build_workbooks(workdir: Path, ini: Path, facts: dict[str, Any], log: Path) -> dict[str, str]:
    """The files the officer uploads: the site's own import template filled in with one entry,
    once with an error (conditional sharing without its conditions) and once fixed, and a file
    that is not a spreadsheet at all."""
    from openpyxl import load_workbook

    officer = facts.get("officer")
    if not officer:
        return {}
    template = workdir / "template.xlsx"
    _ckan(ini, "govcatalog", "template", "--out", str(template), log=log)
    stamp = str(int(time.time()))[-6:]
    entry = {
        "序号": 1,
        "信息资源名称": f"石泉县特困人员供养名册（导入{stamp}）",
        "信息资源摘要": "全县特困人员基本信息与供养方式，按月更新。",
        "信息资源分类（类）": "基础信息资源",
        "项": "人口",
        "信息资源提供方": officer["org_title"],
        "格式分类": "电子表格",
        "格式类型": "xlsx",
        "共享类型": "有条件共享",
        "共享方式": "共享平台方式（接口）",
        "开放属性": "不予开放",
        "更新周期": "每月",
        "发布日期": "2026-01-10",
        "数据分级": "一般数据",
        "数源部门": officer["org_title"],
        "数据责任人及联系方式": "王敏 0915-6321234",
    }
    items = [
        [1, "姓名", "C 字符型", 50, "特困人员姓名", "是"],
        [1, "供养方式", "C 字符型", 20, "", "否"],
    ]

    def write(path: Path, values: dict[str, Any]) -> str:
        wb = load_workbook(template)
        sheet = wb["信息资源"]
        headers = [str(c.value or "").replace("*", "").strip() for c in sheet[1]]
        sheet.append([values.get(h) for h in headers])
        for row in items:
            wb["信息项"].append(row)
        wb.save(path)
        return str(path)

    not_a_sheet = workdir / "目录说明.pdf"
    not_a_sheet.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    return {
        "title": entry["信息资源名称"],
        "bad": write(workdir / "目录导入（有错误）.xlsx", entry),
        "good": write(
            workdir / "目录导入.xlsx",
            {**entry, "共享条件／不予共享依据": "仅限民政、医保部门核对救助对象时使用"},
        ),
        "not_spreadsheet": str(not_a_sheet),
    }


def _facts() -> dict[str, Any]:
    """Who and what the journeys use, read from the loaded demo; journey passwords are set."""
    from tests.journeys import journey_facts

    return journey_facts.collect(JOURNEY_PASSWORD)


def _pg_command(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments of pg_dump / pg_restore for a SQLAlchemy URL, and their environment
    (the password; a lock that is not granted within a minute fails the run rather than
    hanging it)."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    args = ["-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432)]
    args += ["-U", parsed.username or "", "-d", parsed.database or ""]
    env = dict(os.environ, PGPASSWORD=parsed.password or "", PGOPTIONS="-c lock_timeout=60000")
    return args, env


def _run(command: list[str], env: dict[str, str], log: Path) -> None:
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    with log.open("a", encoding="utf-8") as f:
        f.write(f"$ {' '.join(command)}\n{proc.stdout}\n{proc.stderr}\n")
    if proc.returncode != 0:
        raise RuntimeError(f"{command[0]} failed:\n{proc.stderr[-3000:]}")


def _release_database() -> None:
    """Closes this process's connections to the test database, which the commands below drop
    tables of or write."""
    import ckan.model as model

    model.Session.remove()
    model.ensure_engine().dispose()


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory, pytestconfig, reset_db, reset_index) -> dict[str, Any]:
    """The demo catalog as `ckan govcatalog demo load` leaves it in the test database, loaded
    once per session (a minute and a half on 2 cores) and kept as a pg_dump of that database.
    The first journey module serves it as loaded; each later one starts from a restore of the
    dump and a rebuild of the search index from it (:func:`_restore_demo`)."""
    workdir = tmp_path_factory.mktemp("demo-snapshot")
    log = workdir / "load.log"
    ini = workdir / "load.ini"
    test_ini = str(Path(pytestconfig.getoption("ckan_ini")).resolve())
    # the site URL the journey modules serve at (the port they prefer)
    _write_ini(ini, test_ini, int(os.environ.get("GOVCATALOG_JOURNEY_PORT", "5055")))
    started = time.monotonic()
    reset_db()
    reset_index()
    _release_database()  # the subprocesses below migrate and write the same database
    # The plugins' migrations run in a `ckan` process that loads the plugins of the ini.
    _ckan(ini, "db", "upgrade", "-p", "activity", log=log)
    _ckan(ini, "db", "upgrade", "-p", "govcatalog", log=log)
    _ckan(ini, "govcatalog", "demo", "load", log=log)
    import ckan.plugins.toolkit as tk

    dump = workdir / "demo.dump"
    args, env = _pg_command(tk.config["sqlalchemy.url"])
    _run(["pg_dump", "--format=custom", "-f", str(dump), *args], env, log)
    loaded = round(time.monotonic() - started, 1)
    return {"dump": dump, "fresh": [True], "load_seconds": loaded}


def _restore_demo(snapshot: dict[str, Any], reset_index: Any, ini: Path, log: Path) -> None:
    """The test database and the search index as the demo load left them: the dump restored
    over what the modules before changed (tables dropped and made again, in one transaction),
    then the index emptied and rebuilt from the database by `ckan govcatalog reindex`."""
    import ckan.plugins.toolkit as tk

    args, env = _pg_command(tk.config["sqlalchemy.url"])
    _release_database()
    restore = ["pg_restore", "--clean", "--if-exists", "--single-transaction", "--exit-on-error"]
    _run([*restore, *args, str(snapshot["dump"])], env, log)
    reset_index()
    _ckan(ini, "govcatalog", "reindex", "--quiet", log=log)


# One served demo per journey module: the journeys of one module work on the catalog the ones
# before them left behind; a module of its own starts from the demo as loaded (shared across
# modules, the counts the single-sign-on journey compares and the department's request form
# changed under them).
@pytest.fixture(scope="module")
def journey_site(tmp_path_factory, pytestconfig, demo_snapshot, reset_index):
    if not shutil.which("node") or not (ROOT / "node_modules" / "playwright-core").is_dir():
        pytest.fail("node and playwright-core are needed: run scripts/install.sh (npm ci)")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        pytest.fail("Debian's chromium is needed: GOVCATALOG_BROWSER=1 scripts/install.sh")

    workdir = tmp_path_factory.mktemp("journeys")
    log = workdir / "ckan.log"
    port = _free_port(int(os.environ.get("GOVCATALOG_JOURNEY_PORT", "5055")))
    ini = workdir / "journeys.ini"
    test_ini = str(Path(pytestconfig.getoption("ckan_ini")).resolve())
    _write_ini(ini, test_ini, port)

    started = time.monotonic()
    if demo_snapshot["fresh"]:
        demo_snapshot["fresh"].clear()  # the first module: the database as the load left it
        demo_seconds = demo_snapshot["load_seconds"]
    else:
        _restore_demo(demo_snapshot, reset_index, ini, log)
        demo_seconds = time.monotonic() - started
    facts = _facts()
    import_files = _build_workbooks(workdir, ini, facts, log)

    with log.open("a", encoding="utf-8") as out:
        serve = [str(CKAN), "-c", str(ini), "run", "--host", "127.0.0.1", "--disable-reloader"]
        serve.append("--threaded")  # two clicks of a double click arrive together, as in production
        proc = subprocess.Popen(
            [*serve, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=str(ROOT),
            start_new_session=True,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_up(base_url + "/api/3/action/status_show", proc, log)
        tokens = {
            who: _ckan(ini, "user", "token", "add", facts[who]["name"], "journeys", log=log)
            .strip()
            .splitlines()[-1]
            .strip()
            for who in ("sysadmin", "requester")
            if facts.get(who)
        }
        _attach_files(base_url, tokens["sysadmin"], facts)
        yield {
            "base_url": base_url,
            "chromium": chromium,
            "screenshots_dir": str(SCREENSHOTS),
            "facts": facts,
            "tokens": tokens,
            "import_files": import_files,
            "log": log,
            "setup_seconds": round(demo_seconds, 1),
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_journey(site: dict[str, Any], script: str, timeout: int = 240) -> list[dict[str, Any]]:
    """Runs tests/journeys/<script> in node; returns its step records (JSON lines)."""
    config = {k: v for k, v in site.items() if k not in ("log", "tokens")}
    env = dict(os.environ, JOURNEY_CONFIG=json.dumps(config, ensure_ascii=False, default=str))
    proc = subprocess.run(
        ["node", str(Path(__file__).with_name(script))],
        cwd=str(ROOT),
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    records = []
    for line in proc.stdout.splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            records.append({"log": line})
    if proc.returncode != 0 and not any(r.get("done") for r in records):
        records.append({"status": "fail", "step": "node", "error": proc.stderr[-3000:]})
    return records


def journey_report(records: list[dict[str, Any]]) -> str:
    """The steps of a journey, one line each (FAIL with its error), and what the script logged."""
    lines = []
    for r in records:
        if "step" in r:
            mark = "ok  " if r.get("status") == "pass" else "FAIL"
            lines.append(f"{mark} [{r.get('section', '')}] {r['step']} ({r.get('ms', 0)} ms)")
            if r.get("error"):
                lines.append("      " + r["error"].replace("\n", "\n      ")[:1200])
        elif "log" in r:
            lines.append(f"     {r['log']}")
    return "\n".join(lines)


def assert_journey_passed(records: list[dict[str, Any]], name: str, site: dict[str, Any]) -> str:
    """Fails naming each failed step unless the journey ran steps, all passed and it ended;
    returns the report (printed, so a passing run shows its steps too)."""
    steps = [r for r in records if "step" in r]
    failed = [r for r in steps if r.get("status") != "pass"]
    done = next((r for r in records if r.get("done")), None)
    report = journey_report(records)
    print(report)
    assert steps, f"the {name} journey ran no step:\n{report}"
    assert not failed and done and not done["failed"], (
        f"{name} journey: {len(failed)} step(s) failed\n{report}\nserver log: {site['log']}"
    )
    return report
