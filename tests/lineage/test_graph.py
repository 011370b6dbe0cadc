"""Reading lineage: an unknown column is named with close matches; trees up and down."""

from __future__ import annotations

import pytest

from jutong.lineage.catalog_edges import catalog_edges
from jutong.lineage.graph import Lineage, UnknownColumnError


@pytest.fixture(scope="module")
def graph(catalog):
    return Lineage(catalog_edges(catalog))


def test_an_unknown_column_is_named_with_close_matches(graph):
    with pytest.raises(UnknownColumnError) as err:
        graph.tree("base.population.nmae")
    assert "unknown column 'base.population.nmae'" in str(err.value)
    assert "base.population.name" in err.value.matches
    with pytest.raises(UnknownColumnError) as err:
        graph.tree("staging.gongan__huji.birthdate")
    assert "staging.gongan__huji.birth_date" in err.value.matches


def test_downstream_of_an_extract_column(graph):
    tree = graph.tree("extract.gongan__huji.出生日期", downstream=True)
    [raw] = tree["edges"]
    assert raw["column"] == "raw.gongan__huji.birth_date"
    staging = {e["column"] for e in raw["edges"]}
    assert staging == {"staging.gongan__huji.birth_date", "staging.gongan__huji.birth_date_raw"}
    text = graph.render("extract.gongan__huji.出生日期", downstream=True)
    assert "→ base.population.birth_date" in text and "GX-Reg art. 16" in text
