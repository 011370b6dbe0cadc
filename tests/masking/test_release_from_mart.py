"""A release may read a theme mart (``source: {zone: theme, table: <mart>}``) only when every
mart column it reads that reaches PII by lineage carries a masking policy in the dbt project
(``meta.masking``; ``jutong themes policies``): otherwise it is refused before anything is
read, naming the column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jutong.catalog.releases import ReleaseDefinition, ReleaseError
from masking.release.build import read_source

REPO = Path(__file__).resolve().parents[2]
MART_YML = Path("models/marts/social_security/_social_security.yml")


def _definition(table: str = "ss_insurance_coverage") -> ReleaseDefinition:
    return ReleaseDefinition.model_validate(
        {
            "id": "insured_by_county",
            "title": "参保人数（按区县）",
            "catalog_entry": "renshe.shebao",
            "source": {"zone": "theme", "table": table},
            "kind": "aggregate",
            "open_type": "unconditional",
            "open_conditions": "按区县汇总",
            "summary": "参保人数按区县统计。",
            "columns": [
                {"name": "county_code", "label": "区县代码", "source": "county_code"},
                {"name": "insured", "label": "参保人数", "source": "insured_persons"},
            ],
            "aggregate": {"dimensions": ["county_code"], "threshold": 5},
        }
    )


def test_a_mart_whose_columns_carry_policies_is_read(settings):
    # the policies hold: the read goes on to the lake (no theme built yet here)
    with pytest.raises(ReleaseError, match="does not exist yet"):
        read_source(settings, _definition())


def test_a_column_reaching_pii_without_a_policy_is_refused(settings):
    project = settings.home / "dbt_project"
    shutil.copytree(REPO / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    yml = project / MART_YML
    text = yml.read_text(encoding="utf-8")
    policy = " masking: address_to_county, masking_basis: 已为区县代码 / already a county code"
    assert policy in text
    yml.write_text(text.replace("," + policy, "", 1), encoding="utf-8")
    with pytest.raises(ReleaseError) as err:
        read_source(settings, _definition())
    assert "ss_insurance_coverage.county_code: reaches PII (address)" in str(err.value)


def test_a_table_that_is_no_mart_is_refused(settings):
    with pytest.raises(ReleaseError, match="theme.population is not a mart"):
        read_source(settings, _definition("population"))
