"""jutong.lake.catalog.Lake.ensure_namespace: idempotent, also when another process creates the
zone between the catalog's check and its insert (CI saw two standardize runs race there)."""

from __future__ import annotations

import pytest

from jutong.lake.catalog import Lake


def test_ensure_namespace_is_idempotent(new_settings, tmp_path):
    lake = Lake(new_settings(tmp_path / "home"))
    lake.ensure_namespace("staging")
    lake.ensure_namespace("staging")
    assert ("staging",) in lake.catalog.list_namespaces()


def test_a_namespace_created_by_another_process_meanwhile_is_no_error(
    new_settings, tmp_path, monkeypatch
):
    s = new_settings(tmp_path / "home")
    ours, theirs = Lake(s), Lake(s)
    ours.catalog  # noqa: B018 (opened before the other process writes)
    real_exists = type(ours.catalog).namespace_exists
    calls = []

    def stale_check(self, namespace):
        # our check runs before the other process's insert; it commits before ours
        if self is not ours.catalog:
            return real_exists(self, namespace)
        calls.append(namespace)
        if len(calls) == 1:
            theirs.catalog.create_namespace("staging")
            return False
        return real_exists(self, namespace)

    monkeypatch.setattr(type(ours.catalog), "namespace_exists", stale_check)
    ours.ensure_namespace("staging")  # the real insert is refused by the SQL catalog
    assert len(calls) == 2  # … and the namespace was looked up again, found
    assert theirs.catalog.namespace_exists("staging")


def test_a_namespace_that_still_is_missing_raises(new_settings, tmp_path, monkeypatch):
    lake = Lake(new_settings(tmp_path / "home"))

    def refused(self, namespace, properties=None):
        raise RuntimeError("catalog refused the namespace")

    monkeypatch.setattr(type(lake.catalog), "create_namespace", refused)
    with pytest.raises(RuntimeError, match="refused"):
        lake.ensure_namespace("staging")
