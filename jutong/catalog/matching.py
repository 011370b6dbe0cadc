"""Entity-resolution settings per entity base database (``catalog/matching.yaml``).

The probabilistic matcher (``jutong.base.matching``) scores each mention without a usable
key against the known entities; two thresholds decide what happens to the best candidate:
merged at or above ``match_upper`` (when no second candidate reaches ``match_lower``), sent
to clerical review between the two, left apart below ``match_lower``. The model's own
parameters (u from random pairs, m from labelled pairs and expectation maximisation) are
learned per build; these settings only bound what the build decides and how it learns.

Defaults are the values the synthetic and adversarial provinces were evaluated with
(``jutong base evaluate``, ``docs/base_databases.md``); a bureau that wants fewer review
items or fewer automatic merges changes them here, per base, and ``jutong catalog
validate`` checks the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jutong.catalog.model import ENTITY_BASES as _BASES

ENTITY_BASES = tuple(b.value for b in _BASES)

MATCHING_FILE = "matching.yaml"


class MatchSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # at or above: merged automatically (no second candidate at or above match_lower)
    match_upper: Annotated[float, Field(gt=0, le=1)] = 0.99
    # below: left apart (quarantined with the reason); between: clerical review
    match_lower: Annotated[float, Field(gt=0, le=1)] = 0.60
    # review candidates shown per mention (the best ones at or above match_lower)
    review_candidates: Annotated[int, Field(ge=1, le=10)] = 3
    # the identifier comparison's m probabilities are learned by expectation maximisation on
    # the candidate pairs sharing a name only when there are at least this many
    em_min_pairs: Annotated[int, Field(ge=1)] = 20
    # no comparison level's m probability is taken below this (its log-odds stay finite)
    m_floor: Annotated[float, Field(gt=0, lt=0.01)] = 1e-4

    @model_validator(mode="after")
    def _ordered(self) -> MatchSettings:
        if self.match_lower >= self.match_upper:
            raise ValueError(
                f"match_lower ({self.match_lower}) must be below match_upper ({self.match_upper})"
            )
        return self


DEFAULT = MatchSettings()


def load_matching(root: Path, problems: list[str]) -> dict[str, MatchSettings]:
    """The settings of each entity base from ``<root>/matching.yaml`` (defaults where the
    file or a base is absent); problems are appended as ``file: base.field: message``."""
    out = {b: DEFAULT for b in ENTITY_BASES}
    path = Path(root) / MATCHING_FILE
    if not path.is_file():
        return out
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problems.append(f"{path}: not valid YAML: {exc}")
        return out
    if data is None:
        return out
    if not isinstance(data, dict):
        problems.append(f"{path}: expected a mapping of base database -> settings")
        return out
    for base, body in data.items():
        if base not in ENTITY_BASES:
            problems.append(
                f"{path}: '{base}' is not an entity base database "
                f"(expected one of {', '.join(ENTITY_BASES)})"
            )
            continue
        try:
            out[base] = MatchSettings.model_validate(body or {})
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(x) for x in err["loc"])
                msg = err["msg"].removeprefix("Value error, ")
                problems.append(f"{path}: {base}{'.' + where if where else ''}: {msg}")
    return out
