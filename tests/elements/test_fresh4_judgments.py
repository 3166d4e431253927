"""The fourth fresh binding set (no database): tests/data/element_judgments_fresh4.yaml, taken by
fresh3's extraction rule (unchanged) from the next repository of fresh3's list, and its splits in
scripts/bench/element_binding.py (names new, distinct, each with a source, judged to a published
element or none; fresh4-dev's errors the only fresh4 names listed)."""

from __future__ import annotations

import os
import pathlib

import pytest
import yaml

from ckanext.govcatalog.elements import seedfile, transfer
from tests.elements.snapshot_repos import throwaway_repo
from tests.elements.test_fresh3_judgments import JAVA, SQL

# set to a folder of the repositories' git snapshots (owner+name/repo, as fetched) to check the
# judged file against what the rule yields from them; the check reads thousands of files through
# git, so it runs only when asked for (as `element_binding.py --snapshots DIR` does)
SNAPSHOTS = os.environ.get("GOVCATALOG_FRESH_SNAPSHOTS", "")


def earlier_names(bench) -> list[str]:
    """Every name of the four judged files before fresh4 (fresh4 leaves them all out)."""
    return [
        name
        for path in (
            bench.JUDGMENTS,
            bench.FRESH_JUDGMENTS,
            bench.FRESH2_JUDGMENTS,
            bench.FRESH3_JUDGMENTS,
        )
        for name in bench.read_judgments(path)
    ]


def test_fresh4_file_is_scorable_and_judged_to_published_elements_or_none(bench):
    judgments = bench.read_judgments(bench.FRESH4_JUDGMENTS)
    weights = bench.fresh3_weights(bench.FRESH4_JUDGMENTS)
    earlier = earlier_names(bench)
    assert bench.fresh3_problem(judgments, weights, earlier, "fresh4") is None
    assert len(judgments) > 500  # the rule stops after the repository that passes 500
    assert sum(v != "none" for v in judgments.values()) >= 100
    assert min(weights.values()) >= 1
    records = seedfile.read_files(seedfile.seed_paths(transfer.seed_dir()))
    published = {r["id"] for r in records if r.get("status") == "已发布"}
    assert {str(v) for v in judgments.values()} - {"none"} <= published
    # a fresh3 name in the fresh4 file would be refused: fresh3's names count as judged before
    fresh3_name = next(iter(bench.read_judgments(bench.FRESH3_JUDGMENTS)))
    problem = bench.fresh3_problem(
        {**judgments, fresh3_name: "none"}, {**weights, fresh3_name: 1}, earlier, "fresh4"
    )
    assert problem == f"fresh4 holds names judged before: {[fresh3_name]}"


def test_fresh4_records_its_repositories_and_their_commits(bench):
    with open(bench.FRESH4_JUDGMENTS, encoding="utf-8") as f:
        data = bench.load_judged_file(f)
    assert list(data["repositories"]) == ["yanFranklin/bdc20230104"]
    assert all(len(commit) == 40 for commit in data["repositories"].values())
    # every first file lies in a recorded repository
    assert {where.split(":", 1)[0] for _, where in data["sources"].values()} <= set(
        data["repositories"]
    )
    # the header's split sizes are the SHA-256 rule's
    parts = [bench.fresh_split_of(name, "fresh4") for name in data["judgments"]]
    assert (parts.count("fresh4-dev"), parts.count("fresh4-test")) == (1341, 1338)


def test_the_libyaml_loader_reads_a_judged_file_as_pyyaml_does(bench, tmp_path):
    text = (
        "# a note\njudgments:\n"
        '  "名称（万元）": none\n'
        '  "增量房标志\\\\t1": DE00001  # 公民身份号码\n'
    )
    path = tmp_path / "judged.yaml"
    path.write_text(text, encoding="utf-8")
    with open(path, encoding="utf-8") as f:
        assert bench.load_judged_file(f) == yaml.safe_load(text)
    assert bench.read_judgments(str(path)) == {"名称（万元）": "none", "增量房标志\\t1": "DE00001"}


def git_snapshot(root: pathlib.Path, files: dict[str, str]) -> str:
    """A repository laid out as fetched (owner+name/repo under ``root``) holding ``files``; its
    commit."""
    work, run = throwaway_repo(root)
    for path, text in files.items():
        (work / path).write_text(text, encoding="utf-8")
    run("add", ".")
    run("commit", "-q", "-m", "snapshot")
    return run("rev-parse", "HEAD").strip()


def test_the_snapshot_check_reads_the_file_it_is_given(bench, tmp_path):
    # fresh4's check is fresh3's, on fresh4's own file: a judged file written from what the rule
    # yields passes; one weight changed is named
    snapshots = tmp_path / "snapshots"
    commit = git_snapshot(snapshots, {"schema.sql": SQL, "Model.java": JAVA})
    files = bench.snapshot_source_files(str(snapshots), {"o/n": commit})
    counts, first = bench.fresh3_names(files, judged_before=["主键ID"])
    judged = {
        "repositories": {"o/n": commit},
        "judgments": dict.fromkeys(counts, "none"),
        "sources": {name: [counts[name], first[name].replace(f"@{commit}", "")] for name in counts},
    }
    judged_file = tmp_path / "element_judgments_fresh4.yaml"
    judged_file.write_text(
        yaml.safe_dump(judged, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    assert bench.fresh3_snapshot_problem(str(snapshots), ["主键ID"], str(judged_file)) is None

    judged["sources"]["权利人"][0] = 2
    judged_file.write_text(
        yaml.safe_dump(judged, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    problem = bench.fresh3_snapshot_problem(str(snapshots), ["主键ID"], str(judged_file))
    assert problem == f"权利人: the snapshots give 1 files from o/n@{commit}:Model.java"
    # with 主键ID no longer judged before, the rule yields one more name than the file holds
    assert "the rule yields" in bench.fresh3_snapshot_problem(str(snapshots), [], str(judged_file))


def test_fresh4_leaves_out_the_names_of_every_earlier_judged_file(bench):
    judged_file, _, before = bench.REPOSITORY_SETS["fresh4"]
    assert judged_file == bench.FRESH4_JUDGMENTS
    assert before == (bench.FRESH2_JUDGMENTS, bench.FRESH3_JUDGMENTS)


def test_fresh4_dev_errors_name_only_fresh4_dev_names(bench, capsys):
    # --split fresh4-dev --show-errors: the only fresh4 names whose errors are read when tuning
    assert bench.run_fresh(bench.CORPUS, "fresh4-dev", show_errors=True) in (0, 1)
    out = capsys.readouterr().out
    table = out.split("seed names")[0]
    assert "fresh4-dev " in table and "fresh4-test" not in table
    listed = [
        line.split("  ", 1)[1].split(" (x")[0].strip()
        for line in out.splitlines()
        if line.startswith(("WRONG AUTO", "MISSED"))
    ]
    assert listed, "fresh4-dev has errors to read"
    assert {bench.fresh_split_of(name, "fresh4") for name in listed} == {"fresh4-dev"}


@pytest.mark.skipif(
    not os.path.isdir(os.path.join(SNAPSHOTS, "yanFranklin+bdc20230104")),
    reason="set GOVCATALOG_FRESH_SNAPSHOTS to a folder holding the fetched snapshot",
)
def test_fresh4_file_is_what_the_rule_yields_from_the_snapshot(bench):
    assert (
        bench.fresh3_snapshot_problem(SNAPSHOTS, earlier_names(bench), bench.FRESH4_JUDGMENTS)
        is None
    )
