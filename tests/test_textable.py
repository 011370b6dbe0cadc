"""``jutong.textable``: columns line up by display width (汉字 take two columns)."""

from __future__ import annotations

import pytest

from jutong.textable import char_width, render, width


@pytest.mark.parametrize(
    "text, cols",
    [
        ("", 0),
        ("gongan.huji", 11),
        ("户籍人口登记信息", 16),
        ("ＡＢ１２", 8),  # full-width forms
        ("ｶﾀｶﾅ", 4),  # half-width katakana: one column each
        ("「人口」、", 10),  # CJK punctuation is wide
        ("e\u0301", 1),  # e + combining acute accent
        ("Zoë", 3),
        ("a\u200bb", 2),  # zero-width space
        ("社保 shebao", 11),
    ],
)
def test_width(text, cols):
    assert width(text) == cols


def test_char_width():
    assert [char_width(c) for c in "汉a\u0301\u200d"] == [2, 1, 0, 0]


def test_chinese_titles_mixed_with_ascii_line_up():
    table = render(
        ["dataset", "title", "rows", "status"],
        [
            ("gongan.huji", "户籍人口登记信息", 1234, "ok"),
            ("shebao.canbao", "参保人员 insured persons", 56, "blocked 已阻断"),
            ("x.y", "ascii only", 7_000_000, "ok"),
        ],
        right=(2,),
    )
    lines = table.splitlines()
    head, rule, *rows = lines
    assert head.split() == ["dataset", "title", "rows", "status"]
    assert set(rule) <= {"-", " "}
    # every cell of a column starts at the same display column as its header (left-aligned)
    # and ends at the same display column (right-aligned numbers)
    title_at = width(head[: head.index("title")])
    status_at = width(head[: head.index("status")])
    rows_end = width(head[: head.index("rows") + len("rows")])
    for line in rows:
        cells = [c for c in line.split("  ") if c.strip()]
        title = cells[1].strip()
        assert width(line[: line.index(title)]) == title_at, line
        status = cells[-1].strip()
        assert width(line[: line.index(status)]) == status_at, line
        number = cells[2].strip()
        assert width(line[: line.index(number) + len(number)]) == rows_end, line
    assert "7,000,000" in rows[2]
    # the rule is as wide as each column's widest cell
    assert [len(r) for r in rule.split("  ")] == [13, width("参保人员 insured persons"), 9, 14]


def test_combining_marks_do_not_push_columns():
    table = render(["name", "n"], [("Zoe\u0308", 1), ("Zoe", 22)], right=(1,))
    a, b = table.splitlines()[2:]
    assert width(a) == width(b) == len(b)


def test_empty_and_none_cells():
    table = render(["a", "b"], [(None, "x"), ("", None)])
    assert table.split("\n") == ["a  b", "-  -", "   x", ""]
