"""The third fresh binding set (no database): the rule of scripts/bench/element_binding.py that
takes column names out of SQL, Java and TypeScript sources of public-service systems, and the
judged file tests/data/element_judgments_fresh3.yaml (names new, distinct, each with a source and
judged to a published element or none)."""

from __future__ import annotations

import pytest

from ckanext.govcatalog.elements import names, seedfile, transfer
from tests.elements.snapshot_repos import throwaway_repo

SQL = """CREATE TABLE `t_water` (
  `ID` bigint(10) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `APPLY_ID_TYPE` varchar(10) NULL DEFAULT NULL COMMENT '申请人证件类型',
  `STATE` int(5) NOT NULL COMMENT '业务办理状态（0=正在审核，1=正在办理中）',
  `reg_capital` decimal(16, 2) NULL COMMENT '[选填] 注册资金（2 位小数点）（万元为单位）',
  `capital` int NULL COMMENT '注册资本(万元)',
  `gender` varchar(15) COMMENT '性别 : Unknow(未知), Male(男)',
  `type` varchar(20) COMMENT 'DEVELOPER/ENTERPRISE',
  `phone` varchar(20) COMMENT '联系电话',
  PRIMARY KEY (`ID`) COMMENT '主键索引'
) ENGINE=InnoDB COMMENT = '用水人口变更业务表';
comment on column organizations.tyshxydm is '统一社会信用代码';
"""

JAVA = """public class DJBDTO {
    /** 权利人 */
    private String qlr;

    /**
     * 证件号码
     */
    @Column(name = "ZJHM")
    private String zjhm;
    private String AAC002;//社会保障号码
    @ApiModelProperty(value = "户籍地址")
    private String hjdz;
    /**
     * @Fields registrationNo : 工商注册号
     */
    private String registrationNo;
    private String noComment;
    public String getQlr() { return qlr; }
}
"""

TS = """export class Renyuanjiben {
    /**身份证号码 */
    AAC002: string = '';
    /** 姓名 */
    AAC003: string = '';
    xxdm?: string; // 学校代码
}
"""


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("申请人证件类型", "申请人证件类型"),
        # an explanation after a colon, space or comma is cut
        ("性别 : Unknow(未知)", "性别"),
        ("出生日期 yyyy-MM-dd", "出生日期"),
        ("是否启用(1=启用，0=禁用)", "是否启用"),
        # a bracket that explains is cut; a short unit stays
        ("业务办理状态（0=正在审核，1=正在办理中）", "业务办理状态"),
        ("注册资本(万元)", "注册资本(万元)"),
        ("[选填] 注册资金（2 位小数点）", "注册资金"),
        ("@Fields registrationNo : 工商注册号", "工商注册号"),
        # no CJK, or a sentence rather than a name: no name
        ("DEVELOPER/ENTERPRISE", None),
        ("最后处理时间不代表数据有变动用来表示数据处理过但可能无需处理", None),
        ("", None),
    ],
)
def test_the_clean_up_rule(bench, comment, expected):
    assert bench.clean_field_label(comment) == expected


def test_sql_labels_are_the_columns_comments_not_the_tables(bench):
    labels = bench.source_field_labels(SQL, ".sql")
    assert labels[0] == "主键ID" and labels[-1] == "统一社会信用代码"
    assert "用水人口变更业务表" not in labels and "主键索引" not in labels
    assert bench.file_field_names(SQL, ".sql") == [
        "主键ID",
        "申请人证件类型",
        "业务办理状态",
        "注册资金",
        "注册资本(万元)",
        "性别",
        "联系电话",
        "统一社会信用代码",
    ]


def test_java_and_typescript_fields_take_their_annotation_trailing_or_preceding_comment(bench):
    assert bench.source_field_labels(JAVA, ".java") == [
        "权利人",
        "证件号码",
        "社会保障号码",
        "户籍地址",
        "@Fields registrationNo : 工商注册号",
    ]
    assert bench.source_field_labels(TS, ".ts") == ["身份证号码", "姓名", "学校代码"]


def test_a_file_without_a_seed_name_yields_nothing(bench):
    # JAVA holds 户籍地址, a seed; without it the file records no common element
    assert bench.file_field_names(JAVA, ".java")
    assert bench.file_field_names(JAVA.replace("户籍地址", "备注"), ".java") == []


def test_fresh3_names_are_distinct_new_and_counted_by_file(bench):
    files = [
        ("a/b@1", "sql/one.sql", SQL),
        ("a/b@1", "sql/two.sql", SQL.replace("联系电话", "联系电话（手机）")),
        ("a/b@1", "src/.svn/pristine/x.java", JAVA),  # Subversion's copy: skipped
        ("c/d@2", "src/Model.java", JAVA),
        ("c/d@2", "README.md", SQL),  # not a source file
    ]
    counts, first = bench.fresh3_names(files, judged_before=["主键ID", "性别"])
    assert "主键ID" not in counts and "性别" not in counts
    assert counts["统一社会信用代码"] == 2 and counts["权利人"] == 1
    assert first["权利人"] == "c/d@2:src/Model.java"
    assert first["注册资本(万元)"] == "a/b@1:sql/one.sql"
    assert len({names.fold(n) for n in counts}) == len(counts)


def test_fresh3_file_is_scorable_and_judged_to_published_elements_or_none(bench):
    judgments = bench.read_judgments(bench.FRESH3_JUDGMENTS)
    weights = bench.fresh3_weights(bench.FRESH3_JUDGMENTS)
    earlier = [
        *bench.read_judgments(bench.JUDGMENTS),
        *bench.read_judgments(bench.FRESH_JUDGMENTS),
        *bench.read_judgments(bench.FRESH2_JUDGMENTS),
    ]
    assert bench.fresh3_problem(judgments, weights, earlier) is None
    assert len(judgments) >= 400
    assert sum(v != "none" for v in judgments.values()) >= 100
    assert min(weights.values()) >= 1
    records = seedfile.read_files(seedfile.seed_paths(transfer.seed_dir()))
    published = {r["id"] for r in records if r.get("status") == "已发布"}
    assert {str(v) for v in judgments.values()} - {"none"} <= published
    # a name judged before is refused
    assert bench.fresh3_problem(judgments, weights, [*earlier, next(iter(judgments))])


def test_fresh3_dev_errors_name_only_fresh3_dev_names(bench, capsys):
    # --split fresh3-dev --show-errors: the only fresh3 names whose errors are read when tuning
    assert bench.run_fresh(bench.CORPUS, "fresh3-dev", show_errors=True) in (0, 1)
    out = capsys.readouterr().out
    assert "fresh3-test" not in out.split("seed names")[0]
    listed = [
        line.split("  ", 1)[1].split(" (x")[0].strip()
        for line in out.splitlines()
        if line.startswith(("WRONG AUTO", "MISSED"))
    ]
    assert listed, "fresh3-dev has errors to read"
    assert {bench.fresh_split_of(name, "fresh3") for name in listed} == {"fresh3-dev"}


def test_snapshot_files_are_read_at_the_recorded_commit(bench, tmp_path):
    # a repository snapshot laid out as fetched (owner+name/repo), read at one commit
    work, run = throwaway_repo(tmp_path)
    (work / "schema.sql").write_text(SQL, encoding="utf-8")
    (work / "notes.md").write_text(SQL, encoding="utf-8")
    (work / "Model.java").write_bytes(JAVA.encode("gb18030"))  # an older source's encoding
    run("add", ".")
    run("commit", "-q", "-m", "first")
    commit = run("rev-parse", "HEAD").strip()
    (work / "schema.sql").write_text("-- emptied later\n", encoding="utf-8")
    run("commit", "-q", "-am", "later")

    files = list(bench.snapshot_source_files(str(tmp_path), {"o/n": commit}))
    assert [path for _, path, _ in files] == ["Model.java", "schema.sql"]
    counts, first = bench.fresh3_names(files, judged_before=[])
    assert "统一社会信用代码" in counts and "权利人" in counts
    assert first["统一社会信用代码"] == f"o/n@{commit}:schema.sql"
