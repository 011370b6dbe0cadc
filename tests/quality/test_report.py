"""The scorecard page is self-contained and renders Chinese with the CJK font stack."""

from jutong.quality.report import render_html
from jutong.webassets.fonts import CJK_FONT_STACK
from jutong.webassets.scan import page_assets


def test_scorecard_uses_the_cjk_font_stack_and_loads_nothing():
    page = render_html(
        {
            "generated_at": "2026-12-02T00:00:00+00:00",
            "aggregation": "x",
            "dimensions": {},
            "departments": [],
        }
    )
    assert f"font-family:{CJK_FONT_STACK}" in page and "lang='zh'" in page
    assert page_assets(page) == []
