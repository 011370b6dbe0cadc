"""No personal data in messages, logs or reason files: every refusal of the ingestion tests'
kinds is delivered with the fixture's people in it, and everything the platform says about it
(exceptions, log records, the command line's output, reason.json, ``raw status``) is scanned
for a full resident ID, mobile or name of the fixture."""

from __future__ import annotations

import json
import logging

import pytest

from jutong.catalog.model import PiiClass
from jutong.cli import main
from jutong.ingest import ContractError, LandingError, ingest_file
from jutong.ingest.redact import mask_value
from tests.ingest.extracts import deliver_csv

IDS = ["450102199003071234", "45010219900307123x", "450102198503071231"]
NAMES = ["韦小宝", "阿依古丽", "欧阳春", "莫小红"]
MOBILES = ["13800138000", "13912345678"]
PEOPLE = [
    [IDS[0], "韦小宝", "男", "1990-03-07", "壮族", "南宁市兴宁区朝阳路1号", ""],
    [IDS[1], "阿依古丽", "女", "1990-03-07", "维吾尔族", "南宁市青秀区民族大道5号", ""],
    [IDS[2], "欧阳春", "男", "1985-03-07", "汉族", "南宁市江南区", ""],
]


def test_values_are_masked_by_their_pii_class():
    assert mask_value("450102199003071364", PiiClass.resident_id) == "4501**********1364"
    assert mask_value("13800138000", PiiClass.mobile) == "138****8000"
    assert mask_value("韦小宝", PiiClass.person_name) == "韦**"
    assert mask_value("1990-03-07", PiiClass.birth_date) == "**********"
    assert "朝阳路1号" not in mask_value("广西壮族自治区南宁市兴宁区朝阳路1号", PiiClass.address)
    assert mask_value("一百万", PiiClass.none) == "一百万"
    assert mask_value("45010219900307123x", PiiClass.none) == "4501**********123x"


def _shebao(settings, name: str, lines: list[str]):
    folder = settings.landing_dir / "renshe" / "shebao"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _deliveries(settings, catalog, tmp_path):
    """(entry, path) of bad deliveries, each carrying the fixture's people."""
    huji = catalog.get("gongan.huji")
    shebao = catalog.get("renshe.shebao")
    out = []
    # the household register without its header row
    out.append((huji, deliver_csv(settings, huji, "no_header.csv", PEOPLE[1:], header=PEOPLE[0])))
    # a row too short, a row too long
    out.append((huji, deliver_csv(settings, huji, "ragged.csv", [PEOPLE[0], PEOPLE[1][:5]])))
    out.append((huji, deliver_csv(settings, huji, "wide.csv", [PEOPLE[0] + [IDS[2]]])))
    # a name with bytes that are not GBK
    p = deliver_csv(settings, huji, "bad_bytes.csv", PEOPLE[:1])
    p.write_bytes(p.read_bytes() + f"{IDS[2]},欧阳".encode("gbk") + b"\x81\xff,x,,,,\r\n")
    out.append((huji, p))
    # JSON: an ID as a key, a mobile in a nested value, a bad monthly base, a truncated line
    base = {"sfzh": IDS[0], "xm": "韦小宝", "xz": "失业保险", "cbrq": "2020-01-01"}
    out.append((shebao, _shebao(settings, "key.jsonl", [json.dumps({**base, IDS[1]: "x"})])))
    nested = {**base, "lxdh": {"m": MOBILES[0]}}
    out.append((shebao, _shebao(settings, "nested.jsonl", [json.dumps(nested)])))
    out.append((shebao, _shebao(settings, "base.jsonl", [json.dumps({**base, "jfjs": IDS[1]})])))
    line = json.dumps({**base, "lxdh": MOBILES[1]}, ensure_ascii=False)
    out.append((shebao, _shebao(settings, "cut.jsonl", [line[: len(line) - 8]])))
    # a link in landing to a file of people outside it
    outside = tmp_path / "people.csv"
    outside.write_text(",".join(PEOPLE[0]) + "\n", encoding="utf-8")
    link = settings.landing_dir / "gongan" / "huji" / "link.csv"
    link.symlink_to(outside)
    out.append((huji, link))
    return out


def test_no_refusal_shows_a_full_identifier_mobile_or_name(
    settings, catalog, tmp_path, caplog, capsys
):
    said: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for entry, path in _deliveries(settings, catalog, tmp_path):
            with pytest.raises((ContractError, LandingError)) as exc:
                ingest_file(settings, entry, path)
            said.append(str(exc.value))
        # the command line: every waiting file again, then the status
        huji = catalog.get("gongan.huji")
        deliver_csv(settings, huji, "again.csv", PEOPLE[1:], header=PEOPLE[0])
        assert main(["raw", "ingest", "gongan.huji"]) == 1
        assert main(["raw", "status"]) == 0
    cap = capsys.readouterr()
    said += [caplog.text, cap.out, cap.err]
    said += [p.read_text(encoding="utf-8") for p in settings.quarantine_dir.rglob("*.json")]
    assert len(said) > 12 and "header row missing" in "\n".join(said)
    text = "\n".join(said)
    leaks = [v for v in IDS + NAMES + MOBILES if v in text or v.upper() in text]
    assert leaks == [], text
