"""Suites generated from the catalog: committed, fresh, additions merged, loadable by GE."""

import json

import pytest

from jutong.catalog import load_catalog
from jutong.quality.suites import (
    REPO_EXPECTATIONS,
    SuiteError,
    generate_suite,
    load_additions,
    merge,
    stale_suites,
    suite_for,
)


@pytest.fixture(scope="module")
def catalog(repo_root):
    return load_catalog(repo_root / "catalog")


def test_committed_suites_are_not_stale(catalog):
    assert stale_suites(catalog, REPO_EXPECTATIONS) == [], (
        "run `jutong quality suites --write` and commit expectations/gx/expectations"
    )


def test_suite_follows_the_catalog(catalog):
    s = generate_suite(catalog.get("renshe.shebao"))
    by_key = {e["meta"]["jutong"]["key"]: e for e in s["expectations"]}
    # the required resident ID: not null + valid by our rules, one batch-level rate at 2 %
    for k in ("not_null:id_number", "valid_resident_id:id_number"):
        m = by_key[k]["meta"]["jutong"]
        assert m["level"] == "batch" and m["group"] == "identifier:id_number"
        assert m["max_rate"] == 0.02
    # optional credit code: validity only
    assert "valid_uscc:employer_uscc" in by_key and "not_null:employer_uscc" not in by_key
    assert by_key["in_set:insurance_type"]["meta"]["jutong"]["level"] == "row"
    assert by_key["not_null:name"]["kwargs"] == {"column": "name", "mostly": 0.95}
    # cross-field: birth date and sex against the ID
    assert (
        by_key["pair_equal:birth_date:id_number_birth_date"]["meta"]["jutong"]["level"] == "batch"
    )
    assert by_key["in_set:sex"]["kwargs"]["value_set"] == ["0", "1", "2", "9"]
    # monthly: fresh within 35 days
    assert by_key["fresh:_loaded_at"]["meta"]["jutong"]["max_age_days"] == 35
    # the licence register's key: unique among rows that are not exact copies
    x = {
        e["meta"]["jutong"]["key"]: e
        for e in generate_suite(catalog.get("shenpi.xuke"))["expectations"]
    }
    assert x["unique:license_no"]["kwargs"]["row_condition"]["column"]["name"] == "_duplicate_of"


def test_additions_survive_and_override(tmp_path, catalog):
    entry = catalog.get("gongan.huji")
    add = tmp_path / "additions" / "gongan.huji.json"
    add.parent.mkdir(parents=True)
    add.write_text(
        json.dumps(
            {
                "expectations": [
                    {
                        "type": "expect_column_values_to_match_regex",
                        "kwargs": {"column": "ethnicity", "regex": "族$"},
                        "meta": {"jutong": {"key": "ethnicity_suffix", "level": "row"}},
                    },
                    {
                        "type": "expect_column_values_to_not_be_null",
                        "kwargs": {"column": "name"},
                        "meta": {"jutong": {"key": "not_null:name", "level": "row"}},
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    merged = merge(generate_suite(entry), load_additions(tmp_path, entry.id))
    keys = [e["meta"]["jutong"]["key"] for e in merged["expectations"]]
    assert keys[-1] == "ethnicity_suffix" and keys.count("not_null:name") == 1
    nn = next(e for e in merged["expectations"] if e["meta"]["jutong"]["key"] == "not_null:name")
    assert "mostly" not in nn["kwargs"]  # the hand-written one replaced the generated one
    add.write_text("[1]", encoding="utf-8")
    with pytest.raises(SuiteError, match="gongan.huji.json"):
        load_additions(tmp_path, entry.id)


def test_runtime_suite_is_generated_plus_repo_additions(catalog):
    entry = catalog.get("gongan.huji")
    assert suite_for(entry)["expectations"][: len(generate_suite(entry)["expectations"])]


def test_unknown_unique_key_is_named(catalog):
    entry = catalog.get("shenpi.xuke")
    bad = entry.model_copy(
        update={"quality": entry.quality.model_copy(update={"unique_key": ["nope"]})}
    )
    with pytest.raises(SuiteError, match="shenpi.xuke: quality.unique_key names unknown item"):
        generate_suite(bad)
