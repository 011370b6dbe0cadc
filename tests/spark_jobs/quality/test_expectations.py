"""The Great Expectations project in ``expectations/`` loads with the custom expectations
registered (GE silently drops an expectation whose type it does not know)."""

import json
import shutil

import great_expectations as gx

import spark_jobs.quality.expectations as cx


def test_the_ge_project_loads_every_suite_whole(repo_root, tmp_path):
    # a copy: a file context writes its stores (checkpoints, uncommitted/) into the project
    root = tmp_path / "expectations"
    shutil.copytree(repo_root / "expectations", root)
    ctx = gx.get_context(mode="file", project_root_dir=str(root))
    files = sorted((root / "gx" / "expectations").glob("*.json"))
    suites = {s.name: s for s in ctx.suites.all()}
    assert files and sorted(suites) == [f.stem for f in files]
    used = set()
    for f in files:
        written = json.loads(f.read_text(encoding="utf-8"))["expectations"]
        loaded = suites[f.stem].expectations
        assert len(loaded) == len(written), f.stem
        used |= {e.expectation_type for e in loaded}
    assert set(cx.CUSTOM_TYPES) <= used
