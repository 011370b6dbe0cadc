"""``jutong base evaluate``: entity resolution against the synthetic province's ground truth.

Every mention the base build saw (``base.<base>_links``) is joined to the generator's truth
record for the same extract file, row and role (``truth/records.parquet``). Mentions the
build saw but did not place in an entity (quarantined: no usable key and no confident match,
or waiting in clerical review) count as clusters of their own, against recall. Truth
mentions the build never saw — their batch was blocked by the quality gate, or never
delivered or ingested — are not entity resolution's to judge: they are counted apart
(``not_in_base``) and left out of the pairs. Pairwise precision = correct same-entity pairs /
pairs the build put together; pairwise recall = correct same-entity pairs / pairs that
belong together.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from jutong.catalog.model import EntityKind
from jutong.lake import Lake, Zone
from jutong.settings import Settings


class EvaluationError(RuntimeError):
    """The evaluation cannot run (no truth file, no base build)."""


@dataclass
class KindScore:
    kind: str
    base: str
    mentions: int
    truth_entities: int
    predicted_clusters: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    unplaced_mentions: int
    not_in_base: int  # truth mentions in no staged batch (blocked by a gate, not ingested)
    split_entities: int  # true entities spread over more than one predicted cluster
    merged_clusters: int  # predicted clusters holding more than one true entity

    def meets(self, precision: float = 0.999, recall: float = 0.99) -> bool:
        return self.precision >= precision and self.recall >= recall


def _links(lake: Lake, base: str) -> pa.Table:
    if not lake.table_exists(Zone.base, f"{base}_links"):
        raise EvaluationError(f"base.{base}_links does not exist: build the base databases first")
    return (
        lake.table(Zone.base, f"{base}_links")
        .scan(
            selected_fields=(
                "mention_id",
                "dataset",
                "source_file",
                "row_number",
                "role",
                "entity_id",
                "status",
                "duplicate_of",
            )
        )
        .to_arrow()
    )


def evaluate(settings: Settings, truth_dir: Path) -> list[KindScore]:
    records = Path(truth_dir) / "records.parquet"
    if not records.is_file():
        raise EvaluationError(f"{records}: no ground truth there (jutong synth writes it)")
    lake = Lake(settings)
    truth = pq.read_table(
        records, columns=["dataset", "file", "row_number", "role", "entity_kind", "entity_id"]
    )
    con = duckdb.connect()
    con.register("truth", truth)
    out = []
    for kind, base in ((k.value, k.base) for k in EntityKind):
        con.register("links", _links(lake, base))
        row = con.execute(
            """
            WITH t AS (
                SELECT dataset, regexp_extract(file, '[^/]+$') AS file, row_number, role,
                       entity_id AS true_id
                FROM truth WHERE entity_kind = ?
            ),
            l AS (
                SELECT dataset, regexp_extract(source_file, '[^/]+$') AS file, row_number,
                       role, status,
                       coalesce(entity_id, duplicate_of, mention_id) AS pred_id
                FROM links
            ),
            tl AS (
                SELECT t.true_id, l.pred_id, l.status
                FROM t LEFT JOIN l USING (dataset, file, row_number, role)
            ),
            j AS (SELECT * FROM tl WHERE pred_id IS NOT NULL),
            cells AS (SELECT true_id, pred_id, count(*) AS n FROM j GROUP BY ALL),
            tr AS (SELECT true_id, sum(n) AS n, count(*) AS parts FROM cells GROUP BY ALL),
            pr AS (SELECT pred_id, sum(n) AS n, count(*) AS parts FROM cells GROUP BY ALL)
            SELECT
                (SELECT count(*) FROM j) AS mentions,
                (SELECT count(*) FROM tr) AS truth_entities,
                (SELECT count(*) FROM pr) AS predicted_clusters,
                (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM tr) AS true_pairs,
                (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM pr) AS predicted_pairs,
                (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM cells) AS correct_pairs,
                (SELECT count(*) FROM j WHERE status = 'quarantined') AS unplaced,
                (SELECT count(*) FROM tl WHERE pred_id IS NULL) AS not_in_base,
                (SELECT count(*) FROM tr WHERE parts > 1) AS split_entities,
                (SELECT count(*) FROM pr WHERE parts > 1) AS merged_clusters
            """,
            [kind],
        ).fetchall()[0]
        con.unregister("links")
        (mentions, te, pc, tp, pp, cp, unplaced, unseen, split, merged) = (int(x) for x in row)
        out.append(
            KindScore(
                kind=kind,
                base=base,
                mentions=mentions,
                truth_entities=te,
                predicted_clusters=pc,
                true_pairs=tp,
                predicted_pairs=pp,
                correct_pairs=cp,
                precision=cp / pp if pp else 1.0,
                recall=cp / tp if tp else 1.0,
                unplaced_mentions=unplaced,
                not_in_base=unseen,
                split_entities=split,
                merged_clusters=merged,
            )
        )
    return out


def render(scores: list[KindScore], *, as_json: bool = False) -> str:
    if as_json:
        return json.dumps(
            [asdict(s) | {"meets_targets": s.meets()} for s in scores], ensure_ascii=False, indent=2
        )
    from jutong.textable import render

    rows = [
        [
            s.kind,
            s.base,
            f"{s.mentions:,}",
            f"{s.truth_entities:,}",
            f"{s.predicted_clusters:,}",
            f"{s.precision:.5f}",
            f"{s.recall:.5f}",
            f"{s.unplaced_mentions:,}",
            f"{s.not_in_base:,}",
            "yes" if s.meets() else "NO",
        ]
        for s in scores
    ]
    head = [
        "kind",
        "base",
        "mentions",
        "true entities",
        "clusters",
        "precision",
        "recall",
        "unplaced",
        "not in base",
        "targets met",
    ]
    note = "\n(targets: precision ≥ 0.999, recall ≥ 0.99, over the mentions in the base)"
    if any(s.not_in_base for s in scores):
        note += (
            "\n'not in base': truth mentions whose batch never reached staging (blocked by the "
            "quality gate, or not ingested): see `jutong tickets list`"
        )
    return render(head, rows, right=(2, 3, 4, 7, 8)) + note
