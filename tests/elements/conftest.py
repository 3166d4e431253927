"""Fixtures of the data-element register tests: the shipped seed loaded, and a data bureau
(the organization named by govcatalog.elements.bureau_org) with an editor and a plain member."""

from __future__ import annotations

import pytest

from ckanext.govcatalog.elements import seedfile, transfer
from ckanext.govcatalog.elements.suggest import Element, Index
from tests import factories

BUREAU = "data-bureau"
PASSWORD = "correct123"


@pytest.fixture(scope="module")
def index() -> Index:
    """The suggester's index of the shipped seed's published elements (no database)."""
    records = seedfile.read_files(seedfile.seed_paths(transfer.seed_dir()))
    return Index(Element.of(r) for r in records if r.get("status") == "已发布")


@pytest.fixture
def seeded(clean_db):
    """The register holding the shipped seed elements."""
    records = seedfile.read_files(seedfile.seed_paths(transfer.seed_dir()))
    return transfer.import_records(records, actor=None)


@pytest.fixture
def bureau(clean_db):
    """The data bureau's organization with an editor and a member, another department's admin,
    and a sysadmin (all with the password PASSWORD)."""
    editor = factories.User(password=PASSWORD)
    member = factories.User(password=PASSWORD)
    outsider = factories.User(password=PASSWORD)
    org = factories.Organization(
        name=BUREAU,
        title="石泉县数据局",
        division_code="610922",
        users=[
            {"name": editor["name"], "capacity": "editor"},
            {"name": member["name"], "capacity": "member"},
        ],
    )
    other = factories.Organization(
        name="dept-gaj",
        title="石泉县公安局",
        division_code="610922",
        users=[{"name": outsider["name"], "capacity": "admin"}],
    )
    return {
        "org": org,
        "other": other,
        "editor": editor,
        "member": member,
        "outsider": outsider,
        "sysadmin": factories.Sysadmin(password=PASSWORD),
    }


def element_data(**overrides) -> dict:
    """A valid new element (a draft unless ``status`` says otherwise)."""
    data = {
        "name": "测试证照号码",
        "synonyms": ["测试证号"],
        "data_type": "C",
        "format": "c..30",
        "object_class": "证照",
        "property": "测试证照",
        "representation": "号码",
    }
    data.update(overrides)
    return data


@pytest.fixture(scope="module")
def bench():
    """scripts/bench/element_binding.py as a module (the scoring and the splits under test)."""
    import importlib.util
    import pathlib
    import sys

    path = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "bench" / "element_binding.py"
    spec = importlib.util.spec_from_file_location("element_binding_under_test", path)
    module = importlib.util.module_from_spec(spec)
    # its dataclasses look their module up by name while the class is made
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)
