"""The vendored packages are exactly the bytes recorded (taken once from the npm registry),
each with its licence, nothing else is vendored, and the added weight stays modest."""

import hashlib

import pytest

from jutong.webassets.datadocs import CDN
from jutong.webassets.install import copy_packages, licence_files
from jutong.webassets.packages import PACKAGES, VENDOR_DIR


@pytest.mark.parametrize("folder", sorted(PACKAGES))
def test_each_vendored_file_has_its_recorded_hash_and_a_licence(folder):
    package = PACKAGES[folder]
    for rel, sha in package.files.items():
        data = package.path(rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha, f"{folder}/{rel} changed"
    assert licence_files(package), f"{folder} has no licence file"
    assert package.tarball.startswith("https://registry.npmjs.org/")


def test_nothing_else_is_vendored_and_the_weight_is_modest():
    listed = {
        VENDOR_DIR / p.folder / rel
        for p in PACKAGES.values()
        for rel in [*p.files, *licence_files(p)]
    }
    on_disk = {p for p in VENDOR_DIR.rglob("*") if p.is_file() and p.name != "README.md"}
    assert on_disk == listed
    assert sum(p.stat().st_size for p in on_disk) < 2_300_000


def test_every_cdn_url_maps_to_a_vendored_file():
    for url, (folder, rel) in CDN.items():
        assert PACKAGES[folder].path(rel).is_file(), url
    used = {folder for folder, _ in CDN.values()}
    assert used == set(PACKAGES)  # nothing vendored that the pages do not load


def test_an_unknown_file_is_refused():
    with pytest.raises(KeyError, match="no vendored file"):
        PACKAGES["jquery-3.7.1"].path("dist/jquery.js")


def test_copy_packages_copies_once(tmp_path):
    first = copy_packages(tmp_path, [PACKAGES["jquery-3.7.1"]])
    assert {p.relative_to(tmp_path).as_posix() for p in first} == {
        "jquery-3.7.1/dist/jquery.min.js",
        "jquery-3.7.1/LICENSE.txt",
    }
    assert copy_packages(tmp_path, [PACKAGES["jquery-3.7.1"]]) == []
    (tmp_path / "jquery-3.7.1/dist/jquery.min.js").write_text("tampered")
    assert len(copy_packages(tmp_path, [PACKAGES["jquery-3.7.1"]])) == 1
