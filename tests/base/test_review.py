"""The clerical review queue grouped by decision: one item per (review subject, candidate
entity) covering all its rows; one decision for all of them, now and on later builds.
Governance database only (SQLite), no Spark."""

from __future__ import annotations

import pytest

from jutong.base import review
from jutong.cli import main

ROWS = [f"renshe.shebao|b1|{n}|insured" for n in (12, 13, 14, 15)]


def _pair(subject="g:abc", entity="P0000000007", p=0.8, rows=ROWS):
    return {
        "mention_id": subject,
        "entity_id": entity,
        "match_probability": p,
        "details": {"mention": {"m_name": "杨军"}, "entity": {"m_name": "杨军"}, "mentions": rows},
    }


def test_one_item_covers_every_row_of_its_subject(settings):
    assert review.sync_pending(settings, "population", [_pair()]) == 1
    (item,) = review.list_items(settings, base="population")
    assert item.subject == "g:abc" and item.mentions == ROWS
    decided = review.decide(settings, item.id, "accepted", by="quality owner")
    assert decided.status == "accepted" and decided.mentions == ROWS
    assert review.decisions(settings, "population") == {("g:abc", "P0000000007"): "accepted"}


def test_a_decided_item_shows_the_rows_that_joined_its_subject_later(settings):
    review.sync_pending(settings, "population", [_pair()])
    (item,) = review.list_items(settings)
    review.decide(settings, item.id, "rejected", by="quality owner", note="twin")
    later = [*ROWS, "renshe.shebao|b2|3|insured"]
    # a later build proposes nothing for the decided pair, but reports what its subject covers
    assert review.sync_pending(settings, "population", [], {"g:abc": later}) == 0
    (again,) = review.list_items(settings, status="rejected")
    assert again.mentions == sorted(later) and again.note == "twin"
    assert review.list_items(settings) == []


def test_pending_items_no_longer_proposed_are_dropped(settings):
    review.sync_pending(settings, "population", [_pair(), _pair(entity="P0000000009", p=0.7)])
    assert len(review.list_items(settings)) == 2
    review.sync_pending(settings, "population", [_pair(entity="P0000000009", p=0.75)])
    (item,) = review.list_items(settings)
    assert (item.entity_id, item.match_probability) == ("P0000000009", 0.75)


def test_accepting_a_second_candidate_of_one_subject_is_refused(settings):
    review.sync_pending(settings, "population", [_pair(), _pair(entity="P0000000009", p=0.7)])
    first, second = review.list_items(settings)
    review.decide(settings, first.id, "accepted", by="a")
    with pytest.raises(review.ReviewError, match="already merged by review item"):
        review.decide(settings, second.id, "accepted", by="b")


def test_an_item_decided_on_one_mention_before_grouping_covers_that_mention(settings):
    one = "minzheng.hunyin|b1|4|wife"
    review.sync_pending(
        settings,
        "population",
        [{"mention_id": one, "entity_id": "P1", "match_probability": 0.7, "details": {}}],
    )
    (item,) = review.list_items(settings)
    assert item.mentions == [one]


def test_review_list_and_accept_on_the_command_line(settings, capsys):
    review.sync_pending(settings, "population", [_pair()])
    (item,) = review.list_items(settings)
    assert main(["base", "review", "list"]) == 0
    out = capsys.readouterr().out
    assert "renshe.shebao#12, renshe.shebao#13, renshe.shebao#14 +1" in out
    assert "1 item(s) covering 4 row(s)" in out
    assert main(["base", "review", "accept", str(item.id), "--by", "张三"]) == 0
    out = capsys.readouterr().out
    assert f"review item {item.id}: 4 row(s)" in out and "accepted by 张三" in out
    assert main(["base", "review", "list", "--status", "accepted", "--json"]) == 0
    assert '"mentions": [' in capsys.readouterr().out
    # the decision is in the audit chain (who, what, on which pair)
    from jutong.governance.audit import events

    [ev] = list(events(settings, subject=f"review:{item.id}"))
    assert (ev.action, ev.actor, ev.data["base"]) == ("review.accepted", "张三", "population")
