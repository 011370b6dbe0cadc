"""The production-like stack only uses settings that exist."""

import re
from pathlib import Path

import yaml

from jutong.settings import Settings


def test_compose_variables_are_real_settings(repo_root: Path):
    text = (repo_root / "docker" / "docker-compose.yml").read_text(encoding="utf-8")
    compose = yaml.safe_load(text)
    assert {"postgres", "objectstore", "spark-master", "spark-worker", "airflow"} <= set(
        compose["services"]
    )
    names = set(re.findall(r"\bJUTONG_([A-Z_]+):", text))
    assert names, "the stack sets no JUTONG_* variables"
    fields = set(Settings.__dataclass_fields__) | {"home"}
    unknown = sorted(n for n in names if n.lower() not in fields)
    assert unknown == []
    # no secret values in the compose file: passwords come from the environment
    assert not re.search(r"PASSWORD:\s*[^$\s]", text)
