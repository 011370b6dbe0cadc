"""The scanner finds every kind of external asset a page loads, and only those."""

from jutong.webassets.scan import is_external, page_assets, scan_html

PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="https://cdn.example.com/a.css">
<link rel="icon" href="static/favicon.ico">
<script src="//cdn.example.com/b.js"></script>
<script src="static/local.js"></script>
<style>
  .x { background: url('https://img.example.com/c.png') }
  .y { background: url(static/local.png) }
  .z { background: url("data:image/svg+xml,%3csvg xmlns='http://www.w3.org/2000/svg'%3e") }
  @import "https://fonts.example.com/d.css";
</style>
<script>
  fetch("https://api.example.com/e");
  $.getScript('https://cdn.example.com/f.js');
  img.src = "https://track.example.com/g.gif";
  var doc = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json"};
  window.location = "https://example.com/not-loaded";
</script>
</head><body>
<img src="https://img.example.com/h.png" srcset="static/i.png 1x, https://img.example.com/i2.png 2x">
<div style="background-image:url(https://img.example.com/j.png)"></div>
<a href="https://docs.example.com/k">a link is not an asset</a>
<img src="static/local.png">
<iframe src="http://frame.example.com/l"></iframe>
<video poster="https://img.example.com/m.jpg"></video>
<object data="https://obj.example.com/n.swf"></object>
<script>new WebSocket('wss://ws.example.com/o')</script>
</body></html>"""

EXTERNAL = [
    "https://cdn.example.com/a.css",
    "//cdn.example.com/b.js",
    "https://img.example.com/c.png",
    "https://fonts.example.com/d.css",
    "https://api.example.com/e",
    "https://cdn.example.com/f.js",
    "https://track.example.com/g.gif",
    "https://img.example.com/h.png",
    "https://img.example.com/i2.png",
    "https://img.example.com/j.png",
    "http://frame.example.com/l",
    "https://img.example.com/m.jpg",
    "https://obj.example.com/n.swf",
    "wss://ws.example.com/o",
]


def test_every_kind_of_external_asset_is_found_and_nothing_else(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "page.html").write_text(PAGE, encoding="utf-8")
    found = scan_html(tmp_path)
    assert sorted(u for _, u in found) == sorted(EXTERNAL)
    assert {f for f, _ in found} == {"sub/page.html"}


def test_local_assets_are_listed_but_not_external():
    urls = page_assets(PAGE)
    assert "static/local.js" in urls and "static/local.png" in urls
    assert not any(is_external(u) for u in urls if u.startswith(("static/", "data:")))


def test_stylesheets_are_scanned_and_the_bureaus_host_is_allowed(tmp_path):
    (tmp_path / "s.css").write_text(
        "@font-face{src:url(../webfonts/x.woff2)}.a{background:url(https://data.gov.example/x.png)}"
        ".b{background:url(https://cdn.example.com/y.png)}",
        encoding="utf-8",
    )
    assert scan_html(tmp_path) == [
        ("s.css", "https://data.gov.example/x.png"),
        ("s.css", "https://cdn.example.com/y.png"),
    ]
    assert scan_html(tmp_path, allowed_hosts=("DATA.gov.example",)) == [
        ("s.css", "https://cdn.example.com/y.png")
    ]


def test_a_self_contained_folder_scans_empty(tmp_path):
    (tmp_path / "index.html").write_text(
        "<html><head><link rel='stylesheet' href='a.css'></head>"
        "<body><a href='https://example.com/'>x</a></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "a.css").write_text("body{color:red}", encoding="utf-8")
    assert scan_html(tmp_path) == []
