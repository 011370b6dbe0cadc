"""Per-purpose pseudonym keys: from the environment or key_dir, never from the repository."""

import os
import stat

import pyarrow as pa
import pytest

from masking import keys
from masking.columns import pseudonymize


def test_missing_key_is_a_clear_error(settings):
    with pytest.raises(
        keys.KeyError_, match=r"no key for purpose 'release_x'.*JUTONG_KEY_RELEASE_X"
    ):
        keys.load_key(settings, "release_x")


def test_demo_key_is_random_private_and_stable(settings):
    path = keys.ensure_demo_key(settings, "release_a")
    assert path == settings.key_dir / "release_a.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    k1 = keys.load_key(settings, "release_a")
    assert len(k1) == 32
    assert keys.ensure_demo_key(settings, "release_a") == path  # not replaced
    assert keys.load_key(settings, "release_a") == k1
    keys.ensure_demo_key(settings, "release_b")
    assert keys.load_key(settings, "release_b") != k1


def test_pseudonyms_differ_between_purposes_and_equal_within_one(settings):
    keys.ensure_demo_key(settings, "release_a")
    keys.ensure_demo_key(settings, "release_b")
    ids = pa.array(["450102199001011234", "450102199001011234"])
    a = pseudonymize(ids, keys.load_key(settings, "release_a")).to_pylist()
    b = pseudonymize(ids, keys.load_key(settings, "release_b")).to_pylist()
    assert a[0] == a[1]
    assert b[0] == b[1]
    assert a[0] != b[0]


def test_key_from_environment_wins(settings, monkeypatch):
    monkeypatch.setenv("JUTONG_KEY_SHARE_MINZHENG", "ab" * 32)
    assert keys.load_key(settings, "share_minzheng") == bytes.fromhex("ab" * 32)
    assert keys.ensure_demo_key(settings, "share_minzheng") is None
    monkeypatch.setenv("JUTONG_KEY_SHARE_MINZHENG", "abcd")
    with pytest.raises(keys.KeyError_, match="at least 16"):
        keys.load_key(settings, "share_minzheng")
    monkeypatch.setenv("JUTONG_KEY_SHARE_MINZHENG", "not hex at all")
    with pytest.raises(keys.KeyError_, match="hexadecimal"):
        keys.load_key(settings, "share_minzheng")


def test_readable_key_file_is_refused(settings):
    path = keys.ensure_demo_key(settings, "release_c")
    os.chmod(path, 0o644)
    with pytest.raises(keys.KeyError_, match="readable by others"):
        keys.load_key(settings, "release_c")


def test_no_key_inside_a_git_tree(settings, tmp_path):
    from dataclasses import replace

    repo = tmp_path / "checkout"
    (repo / ".git").mkdir(parents=True)
    inside = replace(settings, key_dir=repo / "keys")
    with pytest.raises(keys.KeyError_, match="git working tree"):
        keys.ensure_demo_key(inside, "release_d")


def test_bad_purpose_names(settings):
    with pytest.raises(keys.KeyError_, match="purpose"):
        keys.load_key(settings, "../etc/passwd")


def test_no_key_files_in_the_repository(repo_root):
    found = [p for p in repo_root.rglob("*.key") if ".venv" not in p.parts]
    assert found == []


def test_purpose_dir_is_reserved_for_the_key_folder(settings):
    from masking.keys import KeyError_, env_var

    with pytest.raises(KeyError_, match="reserved"):
        env_var("dir")
