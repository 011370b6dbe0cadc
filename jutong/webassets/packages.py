"""The vendored web packages: which npm package, which version, which of its files, and the
SHA-256 of each (of the registry tarball, and of every file kept from it).

The files live in ``vendor/<package>-<version>/`` with the paths they have inside the npm
package, beside the package's licence. They were taken once, at development time, from the
npm registry tarballs named here (``vendor/README.md`` gives the recipe); nothing downloads them
at run time. ``tests/webassets/test_packages.py`` checks every file against its hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parent / "vendor"


@dataclass(frozen=True)
class Package:
    name: str  # npm package name (with its scope)
    version: str
    licence: str  # SPDX identifier(s)
    tarball_sha256: str
    files: dict[str, str]  # path inside the package -> SHA-256 of the file

    @property
    def folder(self) -> str:
        """The package's folder under ``vendor/`` (and under a site's ``static/vendor/``)."""
        return f"{self.name.rsplit('/', 1)[-1]}-{self.version}"

    @property
    def tarball(self) -> str:
        """Where the registry serves the package (development-time provenance only)."""
        base = self.name.rsplit("/", 1)[-1]
        return f"https://registry.npmjs.org/{self.name}/-/{base}-{self.version}.tgz"

    def path(self, file: str) -> Path:
        if file not in self.files:
            raise KeyError(f"{self.name}@{self.version} has no vendored file {file!r}")
        return VENDOR_DIR / self.folder / file


PACKAGES: dict[str, Package] = {
    p.folder: p
    for p in (
        Package(
            "jquery",
            "3.7.1",
            "MIT",
            "68a9f787516da47c680e09c187bcbac4536b6f85d90eb882844e12919e583f53",
            {
                "dist/jquery.min.js": "fc9a93dd241f6b045cbff0481cf4e1901becd0e12fb45166a8f17f95823f0b1a"
            },
        ),
        Package(
            "popper.js",
            "1.12.9",
            "MIT",
            "4233fad2da34a2a6bc982e7e02c85c14180af075853d97d7e3bfa7124c853cbf",
            {
                "dist/umd/popper.min.js": "a52f7aa54d7bcaafa056ee0a050262dfc5694ae28dee8b4cac3429af37ff0d66"
            },
        ),
        Package(
            "bootstrap",
            "4.3.1",
            "MIT",
            "b109c069bbb7cee57c3ddffb65d8481db5fe7e428b6d9b1ca502119a0429bd16",
            {
                "dist/css/bootstrap.min.css": "60b19e5da6a9234ff9220668a5ec1125c157a268513256188ee80f2d2c8d8d36",
                "dist/js/bootstrap.min.js": "0a34a87842c539c1f4feec56bba982fd596b73500046a6e6fe38a22260c6577b",
            },
        ),
        Package(
            "bootstrap-table",
            "1.19.1",
            "MIT",
            "80f84cbf2f8f92e0d5444a82fb99495ab8a286b5cdb0594102e568eb9d9fa69a",
            {
                "dist/bootstrap-table.min.css": "643f536f6982af4d7287af23f89ad457dd7e4a82f9c695330a112b0881c30a4a",
                "dist/bootstrap-table.min.js": "06a571a9beb50bd5ddd60517159775dfec1f3e798fff38fb117ae2350dc9ba9d",
                "dist/extensions/filter-control/bootstrap-table-filter-control.min.js": "111f68d31d1bdd714f9503bf5f4e162e0739c363e4ff2feef950d39e78266ffc",
            },
        ),
        Package(
            "bootstrap-table",
            "1.19.0",
            "MIT",
            "d3b319ebdfaff6ae6d501d2c9e6afc39dab71e26c22fb104b8afcc11e6d0599f",
            {
                "dist/extensions/filter-control/bootstrap-table-filter-control.css": "b3ff051168696ec9ae3cf8616c59a6db8734fb282863b23edfd8c0f93eb5c4f0",
                "dist/extensions/filter-control/bootstrap-table-filter-control.min.css": "2c707bb54520737762a76f2238e87627993fb63bcef6d789a21a4957f393fa1c",
            },
        ),
        Package(
            "bootstrap-datepicker",
            "1.9.0",
            "Apache-2.0",
            "342bd95b65db796e0ac35ad9296edbe6733daefc9869b2e5b27286d423e38146",
            {
                "dist/css/bootstrap-datepicker.min.css": "b22c8ea45fe905650f8087108b5ed32c1923bcd80d400adc9b0241f18be40208",
                "dist/js/bootstrap-datepicker.min.js": "6ea55ea86749ee1fe560fabac6b3effd81b33046fa74dc657e24d41d28110a9f",
            },
        ),
        Package(
            "@forevolve/bootstrap-dark",
            "1.1.0",
            "MIT",
            "20b089d52bc2ae80424fc43e5263023e96bd8479e7c5d346b8766c1b792a1cfd",
            {
                "dist/css/bootstrap-prefers-dark.min.css": "424070f1f798087a68c110a776228f9eaae5406df143940faa67d77344293ac8"
            },
        ),
        Package(
            "@fortawesome/fontawesome-free",
            "6.6.0",
            "CC-BY-4.0 AND OFL-1.1 AND MIT",
            "cf0b890ab2b68d3c4ea0f93ceb81cc24b956cccf9db36c63be044a672bd3b4dd",
            {
                "css/all.min.css": "e5e202e3c899507992952533f57b634722b69b34241d271963559d31aa33ef81",
                "webfonts/fa-brands-400.woff2": "c411f11975d26eb04cd2aa3c071181d4b18e489f1fb97060d4176a3531dfb36e",
                "webfonts/fa-regular-400.woff2": "c732f106e91bc618767fbac8e2c7b27e5c736d477b2bb4fb83f597a43198c33c",
                "webfonts/fa-solid-900.woff2": "1f0189e087fcefbf654fad74a3a06668b782c01353a61d5c0b7f0bf23e33c020",
                "webfonts/fa-v4compatibility.woff2": "2aca24b35bd41474dcc5e7fb5f11ec43fa06e3ac1d0035ad41108fa6b30b0871",
            },
        ),
        Package(
            "vega",
            "5.33.1",
            "BSD-3-Clause",
            "1b8504b6731c5311be3269c4d84ca996a5cc293bc772283293ede20c490e16c3",
            {
                "build/vega.min.js": "463f3db6a40b20e9747b4ed38f37ed0add508838f9141b1cf8366784b07b30c8"
            },
        ),
        Package(
            "vega-lite",
            "5.23.0",
            "BSD-3-Clause",
            "e4cbfdd8f6f1abe381c59cd558fd6a559c12b1496bfdf2e0c3295263a40fe4da",
            {
                "build/vega-lite.min.js": "58c27358e26f2d319cf62f45bc17a4c8362f08645001df2ec8d341eee4097c7f"
            },
        ),
        Package(
            "vega-embed",
            "6.29.0",
            "BSD-3-Clause",
            "ecf1ee709c2bac9e0a4ead6908114b05b62c71493e10a8a4308109bb070f8eb1",
            {
                "build/vega-embed.min.js": "12d02acfbe3ec59ef9a37dd4822a2e04e2961b5bbb671bbe661d2221715b99da"
            },
        ),
    )
}
