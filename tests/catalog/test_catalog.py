import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jutong.catalog import load_catalog
from jutong.cli import main
from tests.catalog.conftest import edit, problems


def test_repository_catalog_is_valid(repo_root: Path):
    cat = load_catalog(repo_root / "catalog")
    assert len(cat) >= 6
    assert len({e.department for e in cat}) >= 6
    huji = cat.get("gongan.huji")
    assert huji.extract.encoding == "gbk"
    assert huji.item("id_number").identifier.value == "resident_id"
    assert huji.share.legal_basis  # conditional share states its basis (LZ-Rules art. 22)
    assert cat.authoritative_source("population", "name").id == "gongan.huji"
    assert cat.authoritative_source("legal_entity", "org_name").id == "shichang.qiye"
    for e in cat:
        assert e.dag_id == f"ingest__{e.department}__{e.dataset}"
        assert e.items and all(it.label for it in e.items)


@pytest.mark.parametrize(
    ("mutate", "where", "text"),
    [
        (lambda d: d.update(titel="x"), "titel", "unknown field"),
        (
            lambda d: d["items"][1].update(pii="nickname"),
            "items[1].pii (item 'name')",
            "Input should be",
        ),
        (
            lambda d: d["items"][0].update(identifier="passport"),
            "items[0].identifier",
            "Input should be",
        ),
        (lambda d: d["share"].pop("legal_basis"), "share", "legal_basis (LZ-Rules art. 22)"),
        (lambda d: d["extract"].update(encoding="klingon"), "extract.encoding", "unknown encoding"),
        (
            lambda d: d["items"][1].update(name="id_number"),
            "items",
            "duplicate item names: id_number",
        ),
        (
            lambda d: d["base"]["authoritative_for"].append("shoe_size"),
            "base.authoritative_for",
            "shoe_size",
        ),
        (lambda d: d.pop("update_cycle"), "update_cycle", "Field required"),
        (
            lambda d: d["items"][2].update(sensitivity=9),
            "items[2].sensitivity",
            "less than or equal to 4",
        ),
        (lambda d: d.update(id="gongan.other"), "id", "file is named 'huji.yaml'"),
    ],
)
def test_bad_entry_names_file_and_field(cat_dir: Path, mutate, where: str, text: str):
    path = cat_dir / "gongan" / "huji.yaml"
    edit(path, mutate)
    probs = problems(cat_dir)
    assert len(probs) == 1, probs
    assert probs[0].startswith(f"{path}: {where}"), probs[0]
    assert text in probs[0]


def test_two_authoritative_sources_for_one_field_is_refused(cat_dir: Path):
    # 一数一源 (GX-Reg art. 16): renshe may not also be authoritative for the person's name.
    def make_authoritative(d):
        d["items"][1]["golden_field"] = "name"
        d["base"]["authoritative_for"].append("name")

    edit(cat_dir / "renshe" / "shebao.yaml", make_authoritative)
    probs = problems(cat_dir)
    assert any("'name' of population already has its authoritative source" in p for p in probs)


def test_unknown_department_and_wrong_folder(cat_dir: Path):
    edit(cat_dir / "gongan" / "huji.yaml", lambda d: None)
    shutil.copy(cat_dir / "gongan" / "huji.yaml", cat_dir / "minzheng" / "huji.yaml")
    probs = problems(cat_dir)
    assert any(
        "minzheng/huji.yaml: department: 'gongan' but the file is in folder 'minzheng/'" in p
        for p in probs
    )


def test_broken_yaml_names_line(cat_dir: Path):
    (cat_dir / "gongan" / "huji.yaml").write_text(
        "id: gongan.huji\ntitle: [unclosed\n", encoding="utf-8"
    )
    probs = problems(cat_dir)
    assert "huji.yaml: line" in probs[0] and "not valid YAML" in probs[0]


def test_new_yaml_adds_an_entry(cat_dir: Path):
    edit(cat_dir / "shenpi" / "xuke.yaml", lambda d: None)
    new = cat_dir / "shenpi" / "jiankang.yaml"
    shutil.copy(cat_dir / "shenpi" / "xuke.yaml", new)
    edit(new, lambda d: d.update(id="shenpi.jiankang", title="健康证明"))
    assert load_catalog(cat_dir).get("shenpi.jiankang").base.feeds.value == "e_license"
    cat = load_catalog(cat_dir)
    assert "shenpi.jiankang" in cat.entries
    assert cat.get("shenpi.jiankang").dag_id == "ingest__shenpi__jiankang"


def test_cli_validate_list_show(cat_dir: Path, capsys):
    assert main(["catalog", "--catalog", str(cat_dir), "validate"]) == 0
    assert "OK" in capsys.readouterr().out
    assert main(["catalog", "--catalog", str(cat_dir), "list"]) == 0
    out = capsys.readouterr().out
    assert "gongan.huji" in out and "户籍人口登记信息" in out and "有条件共享" in out
    assert main(["catalog", "--catalog", str(cat_dir), "show", "gongan.huji"]) == 0
    out = capsys.readouterr().out
    assert "公民身份号码" in out and "resident_id" in out and "ingest__gongan__huji" in out
    assert main(["catalog", "--catalog", str(cat_dir), "show", "gongan.nope"]) == 2
    assert "no catalog entry 'gongan.nope'" in capsys.readouterr().err

    edit(cat_dir / "gongan" / "huji.yaml", lambda d: d["items"][0].update(sensitivty=4))
    assert main(["catalog", "--catalog", str(cat_dir), "validate"]) == 1
    err = capsys.readouterr().err
    assert "huji.yaml: items[0].sensitivty (item 'id_number'): unknown field" in err


def test_installed_command_exits_non_zero_on_bad_catalog(cat_dir: Path):
    (cat_dir / "gongan" / "huji.yaml").write_text("id: gongan.huji\n", encoding="utf-8")
    jutong = Path(sys.executable).with_name("jutong")
    proc = subprocess.run(
        [str(jutong), "catalog", "--catalog", str(cat_dir), "validate"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "huji.yaml: title: Field required" in proc.stderr
