"""Probabilistic matching of mentions that have no valid key, with Splink (DuckDB backend).

Exact matching on the normalized resident ID / credit code resolves almost every mention.
What is left — an ID with a wrong check character, an empty or placeholder ID, a legacy
code no register maps — is scored against the mentions whose entity is known, by
Fellegi–Sunter as Splink implements it:

- **u** probabilities from random pairs of known mentions (``estimate_u_using_random_sampling``);
- **m** probabilities from pairs of known mentions of the same entity, the valid key being
  the label (``estimate_m_from_label_column``) — the departments' own dirt (homophone
  names, outdated addresses, missing values) is what the model learns — except for the
  identifier comparison, whose m probabilities EM learns on the unkeyed candidates;
- the prior from the number of candidate entities (one of them, at most, is the one).

Then ``predict_between`` scores unkeyed mentions against the known ones. The caller decides
with two thresholds (``catalog/matching.yaml``, ``jutong.catalog.matching``): merge at or
above ``match_upper``, clerical review between, apart below ``match_lower``. What is left is
scored among itself by ``score_among`` (same model, ``dedupe_only``) and ``clusters`` groups
the pairs that reach ``match_upper`` and agree on the name — one person's rows sharing a
mistyped ID become one entity. A shared placeholder or empty ID is never evidence on either
pass: it is not an ID to compare (docs/base_databases.md).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

import pyarrow as pa

from jutong.base.comparisons import blocking, comparisons, features
from jutong.catalog.matching import DEFAULT as DEFAULT_MATCHING
from jutong.catalog.matching import MatchSettings
from jutong.catalog.model import EntityKind
from jutong.steps import StepClock

log = logging.getLogger(__name__)

# the identifier comparison's m probabilities are learned by EM on these candidate pairs
# (same name): pairs of one entity share their valid key by construction, so they cannot
# show how a written ID goes wrong; the unkeyed mentions can
EM_BLOCK = ("m_name",)


@dataclass(frozen=True)
class MatchModel:
    """What was learned, for the build report."""

    kind: str
    candidates: int
    unkeyed: int
    pairs_scored: int
    match_weights: dict[str, dict[str, float]]
    # seconds per part of the scoring (u, m, identifier EM, prediction, best pairs)
    steps: dict[str, float] = field(default_factory=dict, compare=False)
    # the trained Splink settings (for ``score_among``); not part of the report
    splink_settings: dict | None = field(default=None, repr=False, compare=False)

    def report(self) -> dict:
        """What the build report shows (without the Splink settings)."""
        return {
            "kind": self.kind,
            "candidates": self.candidates,
            "unkeyed": self.unkeyed,
            "pairs_scored": self.pairs_scored,
            "match_weights": self.match_weights,
            "steps": self.steps,
        }


def _settings(kind: EntityKind, link_type: str, prior: float, *, scoring: bool):
    from splink import SettingsCreator

    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="uid",
        comparisons=comparisons(kind, scoring=scoring),
        blocking_rules_to_generate_predictions=blocking(kind),
        probability_two_random_records_match=prior,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def score_unkeyed(
    kind: EntityKind,
    unkeyed: pa.Table,
    known: pa.Table,
    *,
    match: MatchSettings = DEFAULT_MATCHING,
    seed: int = 42,
) -> tuple[pa.Table, MatchModel]:
    """Score ``unkeyed`` mentions (column ``mention_id`` + features) against ``known``
    mentions (column ``entity_id`` + features). Returns the pairs at or above
    ``match.match_lower`` as (mention_id, entity_id, match_probability, match_weight) — the best
    pair per (mention, entity) — and what the model learned."""
    import duckdb
    from splink import Linker
    from splink.backends.duckdb import DuckDBAPI

    cols = list(features(kind))
    empty = pa.table(
        {
            "mention_id": pa.array([], pa.string()),
            "entity_id": pa.array([], pa.string()),
            "match_probability": pa.array([], pa.float64()),
            "match_weight": pa.array([], pa.float64()),
        }
    )
    n_entities = len(set(known.column("entity_id").to_pylist())) if known.num_rows else 0
    if unkeyed.num_rows == 0 or n_entities < 2:
        return empty, MatchModel(kind.value, n_entities, unkeyed.num_rows, 0, {})

    # one candidate row per distinct feature combination of an entity
    known_rows = known.select(["entity_id", *cols]).group_by(["entity_id", *cols]).aggregate([])
    known_rows = known_rows.append_column(
        "uid", pa.array([f"k{i}" for i in range(known_rows.num_rows)], pa.string())
    )
    unk = unkeyed.select(["mention_id", *cols]).rename_columns(["uid", *cols])
    unk = unk.append_column("entity_id", pa.nulls(unk.num_rows, pa.string()))

    clock = StepClock()
    con = duckdb.connect()
    db = DuckDBAPI(connection=con)
    prior = 1.0 / n_entities
    # u from pairs of different entities: one row per entity, so that random pairs are
    # non-matches (several rows of one entity would count its own agreement as chance)
    one_each = _one_row_per_entity(known_rows, cols)
    u_trainer = Linker(
        db.register(one_each, table_name="known_one_each"),
        _settings(kind, "dedupe_only", prior, scoring=False),
        log_level=None,
    )
    with clock.step("u"):
        u_trainer.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    # m from pairs of rows sharing a valid key: what the departments' dirt looks like
    m_trainer = Linker(
        db.register(known_rows, table_name="known_train"),
        _settings(kind, "dedupe_only", prior, scoring=False),
        log_level=None,
    )
    with clock.step("m"):
        m_trainer.training.estimate_m_from_label_column("entity_id")
    n = one_each.num_rows
    shape = _settings(kind, "link_only", prior, scoring=True).create_settings_dict("duckdb")
    model = _combine(
        shape,
        u_trainer.misc.save_model_to_json(),
        m_trainer.misc.save_model_to_json(),
        u_floor=1.0 / max(n * (n - 1) / 2, 1.0),
        m_floor=match.m_floor,
    )
    model["link_type"] = "link_only"
    model["probability_two_random_records_match"] = 1.0 / n_entities

    left = db.register(unk, table_name="unkeyed")
    right = db.register(known_rows, table_name="known")
    with clock.step("identifier em"):
        _learn_identifier_m(
            Linker([left, right], model, log_level=None),
            model,
            m_floor=match.m_floor,
            min_pairs=match.em_min_pairs,
        )
    with clock.step("predict"), _written_join_order(con):
        linker = Linker([left, right], model, log_level=None)
        pred = linker.inference.predict_between(
            left, right, threshold_match_probability=match.match_lower, warning_mode="never"
        )
        pairs = pred.as_duckdbpyrelation().arrow() if hasattr(pred, "as_duckdbpyrelation") else None
        if pairs is None:
            pairs = pa.Table.from_pandas(pred.as_pandas_dataframe(), preserve_index=False)
        if hasattr(pairs, "read_all"):
            pairs = pairs.read_all()
    with clock.step("best pairs"):
        out = _best_pairs(pairs, known_rows)
    weights = _learned_weights(model)
    log.info(
        "%s: splink scored %s unkeyed against %s candidates, %s pairs: %s",
        kind.value,
        f"{unkeyed.num_rows:,}",
        f"{known_rows.num_rows:,}",
        f"{len(pairs):,}",
        clock.line(),
    )
    return out, MatchModel(
        kind.value,
        n_entities,
        unkeyed.num_rows,
        len(pairs),
        weights,
        steps=clock.rounded(),
        splink_settings=model,
    )


@contextlib.contextmanager
def _written_join_order(con):
    """DuckDB's join-order optimizer off while Splink blocks the unkeyed against the known.
    Splink 5's ``predict_between`` (``link_only``) joins its blocked pairs back to both sides
    to keep pairs of different sources; DuckDB cannot estimate the union of blocking joins
    (it guesses ~10^15 rows) and puts a cross product of the two sides first: 4,717 × 397,283
    rows, 65 of the 68 s of a 200,000-person population build, and about half an hour at a
    million. Joined as written, every join is a hash join on the pair keys."""
    con.execute("SET disabled_optimizers = 'join_order'")
    try:
        yield
    finally:
        con.execute("SET disabled_optimizers = ''")


def _best_pairs(pairs: pa.Table, known_rows: pa.Table) -> pa.Table:
    """Splink's pairs as (mention_id, entity_id, match_probability, match_weight), the best
    pair per (mention, entity)."""
    # pairs are (left, right) in either order; map candidate uids back to entities
    uid_entity = dict(
        zip(
            known_rows.column("uid").to_pylist(),
            known_rows.column("entity_id").to_pylist(),
            strict=False,
        )
    )
    best: dict[tuple[str, str], tuple[float, float]] = {}
    for l_uid, r_uid, p, w in zip(
        pairs.column("uid_l").to_pylist(),
        pairs.column("uid_r").to_pylist(),
        pairs.column("match_probability").to_pylist(),
        pairs.column("match_weight").to_pylist(),
        strict=False,
    ):
        mention, cand = (r_uid, l_uid) if l_uid in uid_entity else (l_uid, r_uid)
        entity = uid_entity.get(cand)
        if entity is None or mention in uid_entity:
            continue
        k = (mention, entity)
        if k not in best or p > best[k][0]:
            best[k] = (float(p), float(w))
    out = pa.table(
        {
            "mention_id": pa.array([k[0] for k in best], pa.string()),
            "entity_id": pa.array([k[1] for k in best], pa.string()),
            "match_probability": pa.array([v[0] for v in best.values()], pa.float64()),
            "match_weight": pa.array([v[1] for v in best.values()], pa.float64()),
        }
    )
    return out


# suffix of the second row of a subject that stands for several mentions (``score_among``)
_TWIN_ROW = "~copy"


def score_among(
    kind: EntityKind,
    unkeyed: pa.Table,
    model: MatchModel,
    *,
    match: MatchSettings = DEFAULT_MATCHING,
) -> pa.Table:
    """Score the unkeyed mentions (or review subjects) among themselves with the model
    ``score_unkeyed`` trained (Splink ``dedupe_only``, same comparisons, blocking and prior).

    Input: ``mention_id`` + the kind's features, and optionally ``members`` (how many mentions
    a subject stands for). A subject of several mentions is scored against itself too — its
    rows agree on every compared feature, which is evidence only as far as those features go
    (two rows with only a name and a shared placeholder ID never reach the threshold).
    Output: ``mention_id_l``, ``mention_id_r``, ``match_probability`` for the pairs at or
    above ``match.match_upper``; a self pair (``l == r``) says the subject's own mentions are
    one entity."""
    from splink import Linker
    from splink.backends.duckdb import DuckDBAPI

    empty = pa.table(
        {
            "mention_id_l": pa.array([], pa.string()),
            "mention_id_r": pa.array([], pa.string()),
            "match_probability": pa.array([], pa.float64()),
        }
    )
    if model.splink_settings is None or unkeyed.num_rows == 0:
        return empty
    cols = list(features(kind))
    ids = unkeyed.column("mention_id").to_pylist()
    members = (
        unkeyed.column("members").to_pylist()
        if "members" in unkeyed.column_names
        else [1] * len(ids)
    )
    rows = unkeyed.select(["mention_id", *cols])
    again = [i for i, n in enumerate(members) if (n or 1) > 1]
    if again:
        second = rows.take(pa.array(again))
        second = second.set_column(
            0, "mention_id", pa.array([ids[i] + _TWIN_ROW for i in again], pa.string())
        )
        rows = pa.concat_tables([rows, second])
    if rows.num_rows < 2:
        return empty
    rows = rows.rename_columns(["uid", *cols])
    settings = dict(model.splink_settings)
    settings["link_type"] = "dedupe_only"
    settings["retain_intermediate_calculation_columns"] = True
    settings["retain_matching_columns"] = True
    db = DuckDBAPI()
    linker = Linker(db.register(rows, table_name="unkeyed_among"), settings, log_level=None)
    pred = linker.inference.predict(threshold_match_probability=match.match_upper)
    pairs = pred.as_duckdbpyrelation().arrow() if hasattr(pred, "as_duckdbpyrelation") else None
    if pairs is None:
        pairs = pa.Table.from_pandas(pred.as_pandas_dataframe(), preserve_index=False)
    if hasattr(pairs, "read_all"):
        pairs = pairs.read_all()
    keep = [i for i, ok in enumerate(_names_agree(kind, pairs)) if ok]
    pairs = pairs.take(pa.array(keep, pa.int64()))
    left = [u.removesuffix(_TWIN_ROW) for u in pairs.column("uid_l").to_pylist()]
    right = [u.removesuffix(_TWIN_ROW) for u in pairs.column("uid_r").to_pylist()]
    return pa.table(
        {
            "mention_id_l": pa.array(left, pa.string()),
            "mention_id_r": pa.array(right, pa.string()),
            "match_probability": pairs.column("match_probability").cast(pa.float64()),
        }
    )


# the gamma (comparison level, counted from the bottom) a pair of unkeyed mentions must reach
# on the name: persons equal; organisations equal or equal without province, city and form
_NAME_GAMMA = {EntityKind.person: 2, EntityKind.org: 3}


def _names_agree(kind: EntityKind, pairs) -> list[bool]:
    """Per scored pair of unkeyed mentions: may it cluster? Neither side has a valid key, so
    no identifier digits may outweigh a different name (twins differ by the given name and
    their mistyped IDs can be one digit apart), nor a different birth date or sex."""
    name = pairs.column("gamma_m_name").to_pylist()
    ok = [g is not None and g >= _NAME_GAMMA[kind] for g in name]
    if kind is EntityKind.person:
        for col in ("gamma_m_birth", "gamma_m_sex"):
            ok = [a and g != 0 for a, g in zip(ok, pairs.column(col).to_pylist(), strict=True)]
    return ok


def clusters(pairs: pa.Table, threshold: float) -> dict[str, str]:
    """Connected components of the pairs at or above ``threshold`` (``score_among``'s
    output): mention (or subject) id -> its cluster's smallest id. Only ids in some pair are
    in the result (a self pair puts its id in a cluster of its own)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, p in zip(
        pairs.column("mention_id_l").to_pylist(),
        pairs.column("mention_id_r").to_pylist(),
        pairs.column("match_probability").to_pylist(),
        strict=True,
    ):
        if p is None or p < threshold:
            continue
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: root(x) for x in parent}


def _one_row_per_entity(rows: pa.Table, cols: list[str]) -> pa.Table:
    """The most complete row of each entity (most non-null features)."""
    import pyarrow.compute as pc

    filled = None
    for c in cols:
        v = pc.cast(pc.is_valid(rows.column(c)), pa.int32())
        filled = v if filled is None else pc.add(filled, v)
    t = rows.append_column("_filled", filled).sort_by(
        [("entity_id", "ascending"), ("_filled", "descending")]
    )
    ent = t.column("entity_id").to_pylist()
    keep = [i for i in range(len(ent)) if i == 0 or ent[i] != ent[i - 1]]
    return t.take(pa.array(keep)).drop_columns(["_filled"])


def _combine(shape: dict, u_model: dict, m_model: dict, *, u_floor: float, m_floor: float) -> dict:
    """The scoring model ``shape`` with the u probabilities of one trained model and the m
    probabilities of the other (same comparisons and levels, in order). A level never
    seen in training gets a floor instead of Splink's default: never seen among different
    entities (u) means rare by chance, never seen among rows of one entity (m) means rare
    in the departments' data — not "no evidence"."""
    out = dict(shape)
    comps = []
    for cs, cu, cm in zip(
        shape["comparisons"], u_model["comparisons"], m_model["comparisons"], strict=True
    ):
        levels = []
        for ls, lu, lm in zip(
            cs["comparison_levels"], cu["comparison_levels"], cm["comparison_levels"], strict=True
        ):
            lvl = dict(ls)
            if lvl.get("is_null_level"):
                levels.append(lvl)
                continue
            lvl["m_probability"] = max(float(lm.get("m_probability") or 0.0), m_floor)
            lvl["u_probability"] = max(float(lu.get("u_probability") or 0.0), u_floor)
            levels.append(lvl)
        comps.append({**cs, "comparison_levels": levels})
    out["comparisons"] = comps
    return out


def _learn_identifier_m(linker, model: dict, *, m_floor: float, min_pairs: int) -> None:
    """The identifier comparison's m probabilities by expectation maximisation over the
    candidate pairs of the unkeyed and the known mentions that share a name (u fixed from
    random pairs): how often a written ID is equal, has two digits swapped, one wrong, ...
    when it is the same entity. Pairs of one entity cannot show it (they share their valid
    key); the mentions this model scores can. Too few pairs: the labelled values stay.
    Updates ``model`` in place."""
    from splink import block_on

    try:
        session = linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*EM_BLOCK), fix_probability_two_random_records_match=False
        )
        learned = linker.misc.save_model_to_json()
    except Exception as exc:  # noqa: BLE001 - EM on too few or degenerate pairs
        log.info("identifier m probabilities kept from labelled pairs: %s", exc)
        return
    if getattr(session, "_comparison_vectors_count", min_pairs) < min_pairs:
        return
    new = {c["output_column_name"]: c for c in learned["comparisons"]}
    for comp in model["comparisons"]:
        if comp["output_column_name"] != "id17":
            continue
        for lvl, got in zip(
            comp["comparison_levels"], new["id17"]["comparison_levels"], strict=True
        ):
            if lvl.get("is_null_level"):
                continue
            m = got.get("m_probability")
            if m is not None:
                lvl["m_probability"] = max(float(m), m_floor)


def _learned_weights(model: dict) -> dict[str, dict[str, float]]:
    """Comparison -> level label -> m/u Bayes factor, for the build report."""
    out: dict[str, dict[str, float]] = {}
    for comp in model.get("comparisons", []):
        levels = {}
        for lvl in comp.get("comparison_levels", []):
            m, u = lvl.get("m_probability"), lvl.get("u_probability")
            if m is not None and u:
                levels[lvl.get("label_for_charts", "?")] = round(m / u, 3)
        out[comp.get("output_column_name", "?")] = levels
    return out
