"""``generate``: write the synthetic province's department extracts and their ground truth."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from jutong.synth import datasets as ds
from jutong.synth.catalog import DATASETS, DatasetSpec, load_specs
from jutong.synth.dirt import Batch, apply_dirt, duplicate_order
from jutong.synth.geo import geography
from jutong.synth.orgs import Orgs, make_orgs
from jutong.synth.people import IdRegistry, Persons, add_years, make_persons
from jutong.synth.rates import DirtRates
from jutong.synth.writers import (
    ORG_SCHEMA,
    PERSON_SCHEMA,
    RECORD_SCHEMA,
    CsvExtract,
    JsonlExtract,
    ParquetStream,
    XlsxExtract,
)

CHUNK_SIZE = 50_000
FORMAT_VERSION = 1
# The registers that are authoritative for an entity kind get the reduced dirt rates, and never
# another spelling of the names they are authoritative for.
AUTHORITATIVE = {"gongan.huji": "person", "shichang.qiye": "org"}
# Random streams: one per purpose, each seeded by (seed, stream, chunk).
_S_ORGS, _S_PERSONS, _S_REPS = 1, 2, 3
_S_BUILD = {d: 10 + i for i, d in enumerate(DATASETS)}
_S_DIRT = {d: 30 + i for i, d in enumerate(DATASETS)}


@dataclass(frozen=True)
class SynthResult:
    out_dir: Path
    extracts: dict[str, Path]  # dataset id -> extract file
    truth: dict[str, Path]  # records | persons | orgs -> Parquet file
    manifest: Path  # synth.json
    rows: dict[str, int]  # dataset id -> data rows written (duplicates included)
    dirt: dict[str, int]  # dirt tag -> truth records carrying it
    dirt_by_dataset: dict[str, dict[str, int]] = field(default_factory=dict)
    persons: int = 0
    orgs: int = 0

    @property
    def paths(self) -> list[Path]:
        return [*self.extracts.values(), *self.truth.values(), self.manifest]


class _Dataset:
    """One extract being written: its writer, running row count and dirt tally."""

    def __init__(self, spec: DatasetSpec, out_dir: Path, as_of: dt.date) -> None:
        self.spec = spec
        self.rel = spec.relative_path(as_of)
        self.path = out_dir / "extracts" / self.rel
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if spec.format == "csv":
            self.writer: CsvExtract | JsonlExtract | XlsxExtract = CsvExtract(
                self.path, spec.columns, spec.encoding, spec.delimiter
            )
        elif spec.format == "jsonl":
            self.writer = JsonlExtract(self.path, spec.columns)
        else:
            self.writer = XlsxExtract(self.path, spec.columns, spec.sheet or "Sheet1", as_of)
        self.rows = 0
        self.dirt: Counter[str] = Counter()
        self.decimal_cols = [i.source_column for i in spec.items if i.check_type]
        self.allowed = {
            i.source_column: set(i.allowed_values) for i in spec.items if i.allowed_values
        }


def _check_values(
    spec: DatasetSpec, batch: Batch, decimal_cols: list[str], allowed: dict[str, set[str]]
) -> None:
    """The contract the ingestion enforces: decimals parse, coded values are allowed."""
    for col in decimal_cols:
        for v in batch.cols[col]:
            if v not in ("", None):
                float(v)  # raises on a non-number: a bug in a builder
    for col, ok in allowed.items():
        bad = {v for v in batch.cols[col] if v not in ("", None)} - ok
        if bad:
            raise ValueError(f"{spec.id}: {col} values {sorted(bad)} outside allowed_values")


def _emit(
    d: _Dataset,
    batch: Batch,
    rates: DirtRates,
    rng: np.random.Generator,
    records: ParquetStream,
) -> int:
    """Spoil, duplicate and write one batch; write its truth records. Returns rows written."""
    spec = d.spec
    authority = AUTHORITATIVE.get(spec.id)
    r = rates.scaled(rates.authoritative_factor) if authority else rates
    apply_dirt(
        batch,
        r,
        rng,
        date_cols=spec.date_columns,
        optional_cols=spec.optional_columns,
        xlsx=spec.format == "xlsx",
        variant_kinds=frozenset({"person", "org"} - {authority}),
        org_legacy_ok=authority is None,
    )
    _check_values(spec, batch, d.decimal_cols, d.allowed)
    src, is_dup = duplicate_order(batch.n, r.dup, rng)
    m = len(src)
    row_numbers = d.rows + 1 + np.arange(m)
    original_row = np.zeros(batch.n, dtype=np.int64)
    original_row[src[~is_dup]] = row_numbers[~is_dup]

    columns = spec.columns
    cols = [batch.cols[c] for c in columns]
    d.writer.write([[col[s] for col in cols] for s in src.tolist()])

    out: dict[str, list] = {f.name: [] for f in RECORD_SCHEMA}
    tally = d.dirt
    for j, (s, dup) in enumerate(zip(src.tolist(), is_dup.tolist(), strict=True)):
        row_tags = batch.row_dirt[s]
        for role in batch.roles:
            eid = role.entity_id[s]
            if eid is None:
                continue
            tags = role.dirt[s] + row_tags + (["dup"] if dup else [])
            out["dataset"].append(spec.id)
            out["file"].append(d.rel)
            out["row_number"].append(int(row_numbers[j]))
            out["role"].append(role.role)
            out["entity_kind"].append(role.kind[s])
            out["entity_id"].append(eid)
            out["true_key"].append(role.true_key[s])
            out["dirt"].append(tags)
            out["duplicate_of_row"].append(int(original_row[s]) if dup else None)
            tally.update(tags)
    if out["dataset"]:
        records.write(out)
    d.rows += m
    return m


def _person_truth(p: Persons, geo_counties: tuple[str, ...]) -> dict[str, list]:
    legacy = [k[:6] + k[8:17] if k[6:8] == "19" else None for k in p.resident_id]
    return {
        "entity_id": p.entity_id,
        "resident_id": p.resident_id,
        "legacy_id15": legacy,
        "name": p.name,
        "surname": [s or None for s in p.surname],
        "sex": p.sex,
        "birth_date": p.birth.astype("datetime64[D]"),
        "ethnicity": p.ethnicity.tolist(),
        "id_division": p.id_county,
        "domicile_division": [
            p.id_county[i] if p.migrant[i] else geo_counties[p.domicile[i]] for i in range(p.n)
        ],
        "residence_division": [geo_counties[c] for c in p.residence],
        "domicile_address": p.domicile_address,
        "residence_address": p.residence_address,
        "previous_address": p.previous_address,
        "mobile": [m or None for m in p.mobile],
        "migrant": p.migrant,
        "in_huji": ~p.migrant,
        "registered_on": p.registered_on.astype("datetime64[D]"),
    }


def _org_truth(o: Orgs, geo_counties: tuple[str, ...]) -> dict[str, list]:
    return {
        "entity_id": o.entity_id,
        "uscc": o.uscc,
        "org_code": o.org_code,
        "registration_no": [r or None for r in o.regno],
        "name": o.name,
        "org_type": o.org_type,
        "category": o.category,
        "division_code": o.division,
        "county": [geo_counties[c] for c in o.county],
        "address": o.address,
        "registered_capital": [c or None for c in o.capital],
        "established_on": o.established.astype("datetime64[D]"),
        "status": o.status,
        "legal_rep_entity_id": o.legal_rep_entity,
        "legal_rep_name": o.legal_rep_name,
        "legal_rep_resident_id": o.legal_rep_id,
    }


def _assign_legal_reps(orgs: Orgs, mine: np.ndarray, p: Persons, rng: np.random.Generator) -> None:
    """Legal representatives for the organisations ``mine``, drawn from this chunk's persons:
    aged 75 or less today and of age (18) when the organisation was established."""
    if not len(mine):
        return
    pool = np.flatnonzero(p.age <= 75)
    if not len(pool):
        pool = np.arange(p.n)
    of_age = add_years(p.birth[pool], 18)
    order = np.argsort(of_age, kind="stable")
    pool, of_age = pool[order], of_age[order]
    k = np.searchsorted(of_age, orgs.established[mine], side="right")
    pick = (rng.random(len(mine)) * np.maximum(k, 1)).astype(np.int64)  # k == 0: the eldest
    chosen = pool[pick]
    for o, i in zip(mine.tolist(), chosen.tolist(), strict=True):
        orgs.legal_rep_entity[o] = p.entity_id[i]
        orgs.legal_rep_name[o] = p.name[i]
        orgs.legal_rep_id[o] = p.resident_id[i]
        orgs.legal_rep_surname_len[o] = len(p.surname[i])


def generate(
    out_dir: Path,
    *,
    people: int = 20000,
    orgs: int = 3000,
    seed: int = 42,
    rates: DirtRates | None = None,
    as_of: dt.date = dt.date(2026, 11, 1),
    progress: Callable[[str], None] | None = None,
    catalog_dir: Path | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> SynthResult:
    """Generate the synthetic province into ``out_dir``.

    Writes ``extracts/<department>/<dataset>/<dataset>_<YYYYMMDD>.<ext>`` (what the departments
    send), ``truth/{records,persons,orgs}.parquet`` (what is really behind every row) and
    ``synth.json`` (parameters and counts). The same arguments give byte-identical extracts;
    ``chunk_size`` is part of those arguments (persons are drawn chunk by chunk).
    """
    if people < 1 or orgs < 1:
        raise ValueError(f"need at least one person and one organisation (got {people}, {orgs})")
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    rates = rates or DirtRates()
    say = progress or (lambda _msg: None)
    out_dir = Path(out_dir)
    specs = load_specs(catalog_dir)
    geo = geography()
    (out_dir / "truth").mkdir(parents=True, exist_ok=True)

    def rng(stream: int, chunk: int = 0) -> np.random.Generator:
        return np.random.default_rng([seed, stream, chunk])

    org_table = make_orgs(rng(_S_ORGS), orgs, as_of, geo)
    say(f"organisations: {orgs:,} generated")
    picker = ds.EmployerPicker(org_table, geo)
    counters = ds.Counters()
    registry = IdRegistry()
    n_chunks = math.ceil(people / chunk_size)
    org_chunk = np.arange(orgs) % n_chunks

    out = {d: _Dataset(specs[d], out_dir, as_of) for d in DATASETS}
    truth_paths = {
        "records": out_dir / "truth" / "records.parquet",
        "persons": out_dir / "truth" / "persons.parquet",
        "orgs": out_dir / "truth" / "orgs.parquet",
    }
    records = ParquetStream(truth_paths["records"], RECORD_SCHEMA)
    persons_out = ParquetStream(truth_paths["persons"], PERSON_SCHEMA)
    huji_persons = 0
    try:
        for c in range(n_chunks):
            start = c * chunk_size
            n = min(chunk_size, people - start)
            p = make_persons(rng(_S_PERSONS, c), start, n, as_of, geo, registry)
            huji_persons += int((~p.migrant).sum())
            mine = np.flatnonzero(org_chunk == c)
            _assign_legal_reps(org_table, mine, p, rng(_S_REPS, c))
            persons_out.write(_person_truth(p, geo.counties))

            b = {d: rng(_S_BUILD[d], c) for d in DATASETS}
            batches = {
                "gongan.huji": ds.build_huji(specs["gongan.huji"], p),
                "renshe.shebao": ds.build_shebao(
                    specs["renshe.shebao"],
                    p,
                    org_table,
                    picker,
                    geo,
                    b["renshe.shebao"],
                    as_of,
                    rates.address_old,
                    rates.mobile_format,
                ),
                "minzheng.hunyin": ds.build_hunyin(
                    specs["minzheng.hunyin"], p, geo, b["minzheng.hunyin"], as_of, counters
                ),
                "ziranziyuan.zongdi": ds.build_zongdi(
                    specs["ziranziyuan.zongdi"],
                    p,
                    org_table,
                    mine,
                    geo,
                    b["ziranziyuan.zongdi"],
                    counters,
                ),
                "shenpi.xuke": ds.build_xuke(
                    specs["shenpi.xuke"], p, org_table, mine, geo, b["shenpi.xuke"], as_of, counters
                ),
            }
            written = {
                d: _emit(out[d], batch, rates, rng(_S_DIRT[d], c), records)
                for d, batch in batches.items()
            }
            say(
                f"chunk {c + 1}/{n_chunks}: persons {start + 1:,}–{start + n:,}: "
                + ", ".join(f"{d} {k:,}" for d, k in written.items())
            )
        for c, start in enumerate(range(0, orgs, chunk_size)):
            idx = np.arange(start, min(start + chunk_size, orgs))
            batch = ds.build_qiye(specs["shichang.qiye"], org_table, idx)
            k = _emit(out["shichang.qiye"], batch, rates, rng(_S_DIRT["shichang.qiye"], c), records)
            say(f"shichang.qiye: organisations {start + 1:,}–{idx[-1] + 1:,}: {k:,} rows")
        with_orgs = ParquetStream(truth_paths["orgs"], ORG_SCHEMA)
        with_orgs.write(_org_truth(org_table, geo.counties))
        with_orgs.close()
    finally:
        for d in out.values():
            d.writer.close()
        records.close()
        persons_out.close()
    say("extracts closed")

    dirt_total: Counter[str] = Counter()
    for d in out.values():
        dirt_total.update(d.dirt)
    manifest = out_dir / "synth.json"
    doc = {
        "generator": "jutong synth",
        "format_version": FORMAT_VERSION,
        "parameters": {
            "people": people,
            "orgs": orgs,
            "seed": seed,
            "as_of": as_of.isoformat(),
            "chunk_size": chunk_size,
            "rates": rates.as_dict(),
        },
        "entities": {"persons": people, "orgs": orgs, "persons_in_huji": huji_persons},
        "datasets": {
            d: {"file": f"extracts/{o.rel}", "rows": o.rows, "dirt": dict(sorted(o.dirt.items()))}
            for d, o in out.items()
        },
        "dirt": dict(sorted(dirt_total.items())),
        "dirt_counts_are": "truth records (one per row and entity role) carrying the tag",
        "truth": {k: f"truth/{v.name}" for k, v in truth_paths.items()},
    }
    manifest.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return SynthResult(
        out_dir=out_dir,
        extracts={d: o.path for d, o in out.items()},
        truth=truth_paths,
        manifest=manifest,
        rows={d: o.rows for d, o in out.items()},
        dirt=dict(sorted(dirt_total.items())),
        dirt_by_dataset={d: dict(sorted(o.dirt.items())) for d, o in out.items()},
        persons=people,
        orgs=orgs,
    )
