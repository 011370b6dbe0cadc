"""Share policies of the bureau's base and theme resources (``masking.policies.shared``)."""

from __future__ import annotations

import pytest

from jutong.catalog import load_catalog
from jutong.catalog.model import Action
from jutong.catalog.shared import SharedResource
from jutong.themes.project import CHECKOUT_PROJECT
from masking.policies import PolicyError
from masking.policies.shared import mart_policy, policies_for_resource, resource_problems


@pytest.fixture(scope="module")
def catalog(repo_root):
    return load_catalog(repo_root / "catalog")


def test_every_resource_on_the_repository_share_list_has_a_policy_per_item(catalog):
    assert resource_problems(catalog, CHECKOUT_PROJECT) == []


def test_base_columns_follow_their_catalog_item_or_the_explicit_policy(catalog):
    res = catalog.shared["base.population"]
    pols = {
        p.column: p
        for p in policies_for_resource(
            catalog, res, ["person_id", "resident_id", "name", "sex"], project=CHECKOUT_PROJECT
        )
    }
    assert pols["person_id"].action is Action.pseudonym  # the share list's explicit policy
    assert pols["person_id"].pii == "resident_id" and "share list" in pols["person_id"].source
    assert pols["resident_id"].source == "gongan.huji.id_number"  # 一数一源: the authority
    assert pols["name"].action is Action.mask and pols["name"].mask == "person_name"
    assert pols["sex"].action is Action.keep


def test_a_base_column_with_no_catalog_item_and_no_policy_is_refused(catalog):
    res = catalog.shared["base.population"]
    bare = SharedResource.model_validate(
        {
            **res.model_dump(mode="json"),
            "items": [{"name": "domicile_division", "label": "户籍地区县代码"}],
        }
    )
    with pytest.raises(PolicyError, match="'domicile_division' maps to no catalog item"):
        policies_for_resource(catalog, bare, ["domicile_division"], project=CHECKOUT_PROJECT)
    with pytest.raises(PolicyError, match="not on the share list: mobile"):
        policies_for_resource(catalog, res, ["mobile"], project=CHECKOUT_PROJECT)


@pytest.mark.parametrize(
    ("meta", "action", "error"),
    [
        ({"pii": "none"}, Action.keep, None),
        (
            {"pii": "address", "masking": "address_to_county", "masking_basis": "已为区县代码"},
            Action.keep,
            None,
        ),
        ({"pii": "resident_id", "masking": "pseudonym"}, Action.pseudonym, None),
        ({"pii": "resident_id"}, None, "reaches PII .resident_id. but has no masking policy"),
        ({"pii": "sex", "masking": "keep"}, None, "keeps PII .sex. without a stated basis"),
        ({"pii": "person_name", "masking": "mask"}, None, "needs meta.mask"),
        ({"pii": "address", "masking": "blur"}, None, "unknown masking action 'blur'"),
        ({}, None, "no meta.pii"),
    ],
)
def test_mart_column_policy_from_its_meta(meta, action, error):
    decl = {"name": "c", "meta": meta}
    if error:
        with pytest.raises(PolicyError, match=error):
            mart_policy("m", decl)
    else:
        assert mart_policy("m", decl).action is action


def test_mart_items_must_be_columns_of_the_mart(catalog):
    res = catalog.shared["theme.ss_insurance_coverage"]
    odd = SharedResource.model_validate(
        {**res.model_dump(mode="json"), "items": [{"name": "salary", "label": "工资"}]}
    )
    with pytest.raises(PolicyError, match="item 'salary' is not a column of the mart"):
        policies_for_resource(catalog, odd, ["salary"], project=CHECKOUT_PROJECT)
    gone = SharedResource.model_validate({**res.model_dump(mode="json"), "id": "theme.nope"})
    with pytest.raises(PolicyError, match="'nope' is not a mart"):
        policies_for_resource(catalog, gone, ["county_code"], project=CHECKOUT_PROJECT)
