"""The masking-policy check of the marts, on the project and on broken copies of it."""

from __future__ import annotations

import shutil

import pytest

from jutong.cli import main
from jutong.themes.policies import policy_problems
from jutong.themes.project import CHECKOUT_PROJECT


def test_the_project_passes():
    assert policy_problems(CHECKOUT_PROJECT) == []


@pytest.fixture()
def copy(tmp_path):
    dst = tmp_path / "dbt_project"
    shutil.copytree(CHECKOUT_PROJECT / "models", dst / "models")
    return dst


def _edit(project, old: str, new: str) -> None:
    path = project / "models" / "marts" / "social_security" / "_social_security.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            ", masking: pseudonym}",
            "}",
            "ss_enrolments_employer_issues.person_id: reaches PII (resident_id) but has no masking policy",
        ),
        ("masking: pseudonym", "masking: scramble", "unknown masking action 'scramble'"),
        (
            "masking: keep, masking_basis: 汇总维度 / an aggregate's dimension",
            "masking: keep",
            "ss_insurance_coverage.sex_code: keeps PII (sex) without a stated basis",
        ),
        (
            "meta: {pii: none, derived_from: [renshe.shebao.insurance_type]}",
            "meta: {derived_from: []}",
            "no meta.pii",
        ),
    ],
)
def test_a_missing_or_bad_policy_is_named(copy, old, new, message):
    _edit(copy, old, new)
    problems = policy_problems(copy)
    assert len(problems) == 1 and message in problems[0], problems


def test_policies_command(copy, capsys):
    assert main(["themes", "policies"]) == 0
    _edit(copy, ", masking: pseudonym}", "}")
    assert main(["themes", "policies", "--project-dir", str(copy)]) == 1
    assert "person_id" in capsys.readouterr().err
