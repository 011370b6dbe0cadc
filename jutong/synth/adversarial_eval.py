"""The matcher on the adversarial populations (``jutong.synth.adversarial`` for persons,
``jutong.synth.adversarial_orgs`` for organisations), scored pairwise against their truth:
``jutong base evaluate --adversarial`` and the tests. Splink on DuckDB, no Spark, no lake.

Every mention counts: the keyed ones in their entity, the unkeyed ones where the matcher put
them (merged at or above the upper threshold; otherwise alone — in review or kept apart).
Besides precision and recall, the pairs that must never merge are counted: twins (persons),
a head office and its branches or one trade name in two cities (organisations).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass

from jutong.catalog.matching import DEFAULT, MatchSettings
from jutong.catalog.model import EntityKind

PRECISION_TARGET = 0.999
RECALL_TARGET = 0.99


@dataclass
class AdversarialScore:
    kind: str
    entities: int
    mentions: int
    unkeyed: int
    merged: int
    precision: float
    recall: float
    wrong_merges: int  # unkeyed mentions merged into another entity
    trap_merges: int  # ... into the entity it must never merge with (twin, branch, namesake)

    def meets(self) -> bool:
        return (
            self.precision >= PRECISION_TARGET
            and self.recall >= RECALL_TARGET
            and self.trap_merges == 0
        )


def _pairs(sizes: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


def pairwise(
    kind: str,
    known_ids: list[str],
    truth: dict[str, str],
    merged: dict[str, str],
    traps: set[frozenset[str]],
) -> AdversarialScore:
    """Pairwise precision and recall over every mention: ``known_ids`` (the entity of each
    keyed mention), ``truth`` (unkeyed mention -> its entity), ``merged`` (unkeyed mention
    -> the entity the matcher put it in, or ``c:`` + a mention id for a cluster of unkeyed
    mentions)."""
    cells = Counter((e, e) for e in known_ids)
    cells.update((t, merged.get(m, m)) for m, t in truth.items())
    true = Counter()
    found = Counter()
    for (t, p), n in cells.items():
        true[t] += n
        found[p] += n
    correct = _pairs(cells)
    # where each placed mention went, as a true entity: a cluster of unkeyed mentions
    # (``c:`` + a mention id) stands for the entity of that mention
    went = {m: truth[e[2:]] if e.startswith("c:") else e for m, e in merged.items()}
    wrong = [m for m, e in went.items() if truth[m] != e]
    return AdversarialScore(
        kind=kind,
        entities=len(true),
        mentions=len(known_ids) + len(truth),
        unkeyed=len(truth),
        merged=len(merged),
        precision=correct / _pairs(found) if _pairs(found) else 1.0,
        recall=correct / _pairs(true) if _pairs(true) else 1.0,
        wrong_merges=len(wrong),
        trap_merges=sum(1 for m in wrong if frozenset((truth[m], went[m])) in traps),
    )


def place_unkeyed(kind: EntityKind, unkeyed, known, match: MatchSettings) -> dict[str, str]:
    """Unkeyed mention -> where the matcher put it: a known entity (merged), or a cluster of
    unkeyed mentions (``c:`` + its smallest mention id), as the build does."""
    import pyarrow as pa

    from jutong.base.matching import clusters, score_among, score_unkeyed
    from spark_jobs.base.steps.probabilistic import decide

    pairs, model = score_unkeyed(kind, unkeyed, known, match=match)
    merged, pending = decide(pairs, {}, match)
    out = {m: e for m, (e, _, _) in merged.items()}
    waiting = {p["mention_id"] for p in pending}
    ids = unkeyed.column("mention_id").to_pylist()
    rest = [i for i, m in enumerate(ids) if m not in out and m not in waiting]
    among = score_among(kind, unkeyed.take(pa.array(rest, pa.int64())), model, match=match)
    for m, c in clusters(among, match.match_upper).items():
        out[m] = f"c:{c}"
    return out


def evaluate_adversarial(
    people: int = 2000,
    orgs: int = 600,
    seed: int = 7,
    matching: dict[str, MatchSettings] | None = None,
):
    """Generate both populations, match them with the settings of their base (``matching``,
    the catalog's; defaults when absent), score them (persons, then organisations)."""
    matching = matching or {}
    from jutong.synth.adversarial import adversarial_people
    from jutong.synth.adversarial_orgs import adversarial_orgs

    out = []
    if people:
        adv = adversarial_people(people, seed=seed)
        merged = place_unkeyed(
            EntityKind.person, adv.unkeyed, adv.known, matching.get("population", DEFAULT)
        )
        out.append(
            pairwise(
                "person",
                adv.known.column("entity_id").to_pylist(),
                adv.truth,
                merged,
                adv.twins,
            )
        )
    if orgs:
        org = adversarial_orgs(orgs, seed=seed)
        merged = place_unkeyed(
            EntityKind.org, org.unkeyed, org.known, matching.get("legal_entity", DEFAULT)
        )
        out.append(
            pairwise("org", org.known.column("entity_id").to_pylist(), org.truth, merged, org.traps)
        )
    return out


def render(scores: list[AdversarialScore], *, as_json: bool = False) -> str:
    if as_json:
        return json.dumps(
            [asdict(s) | {"meets_targets": s.meets()} for s in scores], ensure_ascii=False, indent=2
        )
    from jutong.textable import render as table

    rows = [
        [
            s.kind,
            f"{s.entities:,}",
            f"{s.mentions:,}",
            f"{s.unkeyed:,}",
            f"{s.merged:,}",
            f"{s.precision:.5f}",
            f"{s.recall:.5f}",
            f"{s.wrong_merges:,}",
            f"{s.trap_merges:,}",
            "yes" if s.meets() else "NO",
        ]
        for s in scores
    ]
    head = [
        "kind",
        "entities",
        "mentions",
        "unkeyed",
        "merged",
        "precision",
        "recall",
        "wrong merges",
        "twins/branches merged",
        "targets met",
    ]
    note = (
        f"\n(adversarial populations; targets: precision ≥ {PRECISION_TARGET}, recall ≥ "
        f"{RECALL_TARGET}, no twin, branch or shared-trade-name pair merged)"
    )
    return table(head, rows, right=(1, 2, 3, 4, 7, 8)) + note
