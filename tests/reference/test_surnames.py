"""Surnames reference list: shape, weights, and its two users (recognizer, synthetic province)."""

from __future__ import annotations

from jutong.reference.surnames import (
    compound_surnames,
    guangxi_weights,
    load_surnames,
    single_surnames,
)


def test_list_shape():
    rows = load_surnames()
    names = [s.surname for s in rows]
    assert len(names) == len(set(names))
    assert all(len(s) == 1 for s in single_surnames())
    assert all(len(s) == 2 for s in compound_surnames())
    assert {"黄", "韦", "覃", "王", "赵"} <= set(single_surnames())
    assert {"欧阳", "司马", "端木"} <= set(compound_surnames())


def test_guangxi_weights():
    single = guangxi_weights(compound=False)
    compound = guangxi_weights(compound=True)
    assert list(single)[:3] == ["黄", "李", "韦"]
    assert single["黄"] == 90 and all(w > 0 for w in single.values())
    assert set(compound) < set(compound_surnames())
    assert "端木" not in compound  # national list only


def test_drawn_surnames_are_gbk():
    # the synthetic household register is written in GBK
    for s in [*guangxi_weights(compound=False), *guangxi_weights(compound=True)]:
        s.encode("gbk")


def test_recognizer_and_synthetic_province_use_the_same_list():
    from jutong.synth import people
    from masking.recognizers import person_name

    assert frozenset(single_surnames()) == person_name.SURNAME_CHARS
    assert compound_surnames() == person_name.COMPOUNDS
    assert set(people._SURNAMES) <= person_name.SURNAME_CHARS
    assert set(people._COMPOUND) <= set(person_name.COMPOUNDS)
