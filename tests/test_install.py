"""The fresh-machine path of the two commands: what scripts/install.sh decides to install, what
`make test` hands it, and what scripts/doctor.sh reports.

The install decision is run for real (``install.sh --plan``) with a PATH and a system root made
for the test, so that it sees a machine with none of the tools (or all of them) whatever this
machine has installed. Nothing here installs anything.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INSTALL = ROOT / "scripts" / "install.sh"
DOCTOR = ROOT / "scripts" / "doctor.sh"

# What a shell script needs to run at all (never what install.sh probes for).
BASICS = ("bash", "dirname", "mkdir", "sed", "head", "grep", "cat", "printf", "sleep")

EVERY_PACKAGE = {
    "python3.11",
    "python3.11-venv",
    "gcc",
    "libc6-dev",
    "libpq-dev",
    "python3.11-dev",
    "postgresql",
    "postgresql-contrib",
    "postgresql-client",
    "redis-server",
    "openjdk-17-jdk-headless",
    "maven",
    "curl",
    "iproute2",
    "gettext",
    "libmagic1",
    "nodejs",
    "npm",
}
BROWSER_PACKAGES = {"chromium", "fonts-noto-cjk"}


def _bin_dir(path: Path, fakes: dict[str, str] | None = None) -> Path:
    """A PATH folder with the basic shell tools and the given fake programs (name -> script)."""
    path.mkdir(parents=True, exist_ok=True)
    for tool in BASICS:
        real = shutil.which(tool)
        if real:
            (path / tool).symlink_to(real)
    for name, body in (fakes or {}).items():
        (path / name).write_text("#!/bin/sh\n" + body + "\n")
        (path / name).chmod(0o755)
    return path


def _env(tmp_path: Path, bin_dir: Path, **extra: str) -> dict[str, str]:
    sysroot = tmp_path / "sysroot"
    sysroot.mkdir(exist_ok=True)
    return {
        "PATH": str(bin_dir),
        "HOME": str(tmp_path),
        "GOVCATALOG_SYSROOT": str(sysroot),
        "GOVCATALOG_DATA": str(tmp_path / "data"),
        "GOVCATALOG_VENV": str(tmp_path / "no-venv"),
        **extra,
    }


def _plan(env: dict[str, str]) -> dict[str, str]:
    """install.sh --plan as {package: reason}."""
    proc = subprocess.run(
        [str(INSTALL), "--plan"], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    plan = {}
    for line in proc.stdout.splitlines():
        package, _, reason = line.partition("  ")
        plan[package] = reason
    return plan


def test_plan_on_an_empty_machine_names_every_debian_package(tmp_path):
    """With no chromium, fonts, PostgreSQL, Redis, Java, Maven, Node, gettext, curl, ss, Python
    or compiler, and GOVCATALOG_BROWSER=1, every package a later step needs is planned, each with
    the reason."""
    env = _env(tmp_path, _bin_dir(tmp_path / "bin"), GOVCATALOG_BROWSER="1")
    plan = _plan(env)
    assert set(plan) == EVERY_PACKAGE | BROWSER_PACKAGES
    assert "chromium" in plan["chromium"]
    assert "initdb" in plan["postgresql"]


def test_plan_leaves_the_browser_out_unless_asked(tmp_path):
    """Without GOVCATALOG_BROWSER=1 (`make run`), chromium and the CJK fonts are not installed."""
    for flag in (None, "0"):
        extra = {"GOVCATALOG_BROWSER": flag} if flag is not None else {}
        plan = _plan(_env(tmp_path, _bin_dir(tmp_path / f"bin-{flag}"), **extra))
        assert set(plan) == EVERY_PACKAGE


def test_browser_flag_with_trailing_blanks_is_refused(tmp_path):
    """A GOVCATALOG_BROWSER of "1  " (what a comment after the value on a Makefile line gives)
    stops install.sh with a message, instead of silently skipping the browser."""
    env = _env(tmp_path, _bin_dir(tmp_path / "bin"), GOVCATALOG_BROWSER="1  ")
    proc = subprocess.run([str(INSTALL), "--plan"], env=env, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "GOVCATALOG_BROWSER must be 1 or 0" in proc.stderr
    assert "'1  '" in proc.stderr


def _complete_machine(tmp_path: Path, java_version: str = "17.0.15") -> dict[str, str]:
    java = f"echo 'openjdk version \"{java_version}\" 2025-04-15' >&2"
    fakes = dict.fromkeys(
        (
            "python3.11",
            "gcc",
            "pg_config",
            "psql",
            "redis-server",
            "mvn",
            "curl",
            "ss",
            "msgfmt",
            "node",
            "npm",
            "chromium",
        ),
        "exit 0",
    )
    fakes["java"] = java
    env = _env(tmp_path, _bin_dir(tmp_path / f"bin-{java_version}", fakes), GOVCATALOG_BROWSER="1")
    sysroot = Path(env["GOVCATALOG_SYSROOT"])
    for rel in (
        "usr/lib/postgresql/15/bin/initdb",
        "usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "usr/lib/x86_64-linux-gnu/libmagic.so.1",
        "usr/include/stdio.h",
        "usr/include/python3.11/Python.h",
    ):
        (sysroot / rel).parent.mkdir(parents=True, exist_ok=True)
        (sysroot / rel).touch()
    return env


def test_plan_is_empty_when_everything_is_there(tmp_path):
    """Each probe finds its tool where the later step looks for it, so a complete machine gets
    no apt-get run at all."""
    assert _plan(_complete_machine(tmp_path)) == {}


def test_plan_replaces_a_java_older_than_17(tmp_path):
    """Solr 9 needs Java 17: a java 11 on PATH is not enough."""
    plan = _plan(_complete_machine(tmp_path, java_version="11.0.22"))
    assert set(plan) == {"openjdk-17-jdk-headless"}
    assert "Java 11" in plan["openjdk-17-jdk-headless"]


def test_make_test_hands_install_a_browser_flag_of_exactly_1(tmp_path):
    """`make test`, run from the project's real Makefile, exports GOVCATALOG_BROWSER as exactly
    "1" to install.sh and to the doctor, so that install.sh plans chromium and the CJK fonts."""
    if not shutil.which("make"):
        pytest.fail("GNU make is needed (Debian package make)")
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "Makefile", project / "Makefile")
    seen = tmp_path / "seen"
    seen.mkdir()
    empty = _env(tmp_path, _bin_dir(tmp_path / "bin"))
    for step in ("install", "services", "doctor", "test"):
        record = f"printf '%s' \"${{GOVCATALOG_BROWSER-unset}}\" > {seen}/{step}\n"
        if step == "install":  # the real decision, on a machine that has nothing
            record += (
                f"env -i PATH={empty['PATH']} GOVCATALOG_SYSROOT={empty['GOVCATALOG_SYSROOT']} "
                f"GOVCATALOG_DATA={empty['GOVCATALOG_DATA']} "
                f"GOVCATALOG_VENV={empty['GOVCATALOG_VENV']} "
                f'GOVCATALOG_BROWSER="$GOVCATALOG_BROWSER" {INSTALL} --plan > {seen}/plan\n'
            )
        script = project / "scripts" / f"{step}.sh"
        script.write_text("#!/bin/bash\nset -e\n" + record)
        script.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "GOVCATALOG_BROWSER"}
    proc = subprocess.run(
        ["make", "-s", "test"], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (seen / "install").read_text() == "1"
    assert (seen / "doctor").read_text() == "1"
    planned = {line.split("  ")[0] for line in (seen / "plan").read_text().splitlines()}
    assert planned >= BROWSER_PACKAGES


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_doctor_names_every_missing_piece(tmp_path):
    """On a machine with no virtualenv, Java, chromium, node, health-check tools, ini files or
    running services, the doctor fails once, naming each of them (not just the first)."""
    env = _env(
        tmp_path,
        _bin_dir(tmp_path / "bin"),
        GOVCATALOG_BROWSER="1",
        GOVCATALOG_PG_PORT=str(_closed_port()),
        GOVCATALOG_REDIS_PORT=str(_closed_port()),
        GOVCATALOG_SOLR_PORT=str(_closed_port()),
        GOVCATALOG_KEYCLOAK_PORT=str(_closed_port()),
    )
    proc = subprocess.run([str(DOCTOR)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    missing = [line for line in proc.stdout.splitlines() if "MISSING" in line]
    for piece in (
        "the virtualenv",
        "Java 17",
        "curl, ss and redis-cli",
        "the CKAN configuration",
        "chromium answers --version",
        "a CJK font",
        "node on PATH",
        "PostgreSQL",
        "Redis",
        "Solr cores",
        "Java 21 or later (Keycloak",
        "the Keycloak distribution",
        "Keycloak (realm govcatalog)",
    ):
        assert any(piece in line for line in missing), (piece, proc.stdout)
        assert piece in proc.stderr  # the closing error line lists them all
    assert len(missing) == 13
    assert "run scripts/install.sh" in proc.stdout


def test_doctor_passes_where_the_suite_runs():
    """Here the services and the installation are complete (the suite is running on them), and
    the doctor says so."""
    env = {k: v for k, v in os.environ.items() if k != "GOVCATALOG_BROWSER"}
    proc = subprocess.run([str(DOCTOR)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "MISSING" not in proc.stdout
