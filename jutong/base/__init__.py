"""Base databases (GX-Reg art. 23; SX-Reg art. 9; LZ-Rules art. 15): population, legal
entity, spatial, electronic licences — the parts importable without Spark: probabilistic
matching (Splink on DuckDB), the clerical review queue, the accuracy evaluation, the CLI."""
