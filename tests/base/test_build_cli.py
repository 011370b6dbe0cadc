"""`jutong base build` on a lake with nothing to build."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.spark


def test_build_all_goes_on_past_a_base_with_nothing_to_build(settings, spark, capsys):
    """`jutong base build spatial` on an empty lake: a clear refusal naming what is missing,
    exit 1, no traceback (with `all`, the loop goes on to the next base)."""
    from jutong.cli import main

    assert main(["base", "build", "spatial"]) == 1
    err = capsys.readouterr().err
    assert "spatial: not built:" in err and "does not exist: nothing to build from" in err
    assert "not built: spatial (their published tables are unchanged)" in err
