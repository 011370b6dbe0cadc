"""Reading lineage: the tree upstream of a column (down to the department's extract columns)
or downstream of it (where it ends up), as text or JSON."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable

from jutong.lineage.model import ROWS, Edge, Hop, split_name

ZONE_LABELS = {
    "extract": "部门提供文件 department extract",
    "raw": "原始区 raw",
    "staging": "标准化区 staging",
    "base": "基础库 base",
    "dbt": "dbt 视图 dbt view",
    "theme": "主题库 theme",
    "release": "开放数据 open release",
    "share": "共享交付 share delivery",
}


class UnknownColumnError(LookupError):
    """A column the lineage does not know; the message names it and close matches."""

    def __init__(self, name: str, matches: list[str]):
        self.name = name
        self.matches = matches
        hint = f"; close matches: {', '.join(matches)}" if matches else ""
        super().__init__(f"unknown column '{name}': not in the lineage{hint}")


class Lineage:
    def __init__(self, edges: Iterable[Edge]):
        self.edges = list(edges)
        self.up: dict[str, list[Edge]] = defaultdict(list)
        self.down: dict[str, list[Edge]] = defaultdict(list)
        for e in self.edges:
            self.up[e.target].append(e)
            if e.source is not None:
                self.down[e.source].append(e)

    @property
    def columns(self) -> set[str]:
        return set(self.up) | set(self.down)

    def check(self, name: str) -> str:
        """``name`` if the lineage knows it, else ``UnknownColumnError`` with close matches."""
        if name in self.up or name in self.down:
            return name
        known = sorted(self.columns)
        matches = difflib.get_close_matches(name, known, n=5, cutoff=0.6)
        last = name.rsplit(".", 1)[-1]
        same = [c for c in known if c.rsplit(".", 1)[-1] == last and c not in matches]
        raise UnknownColumnError(name, (matches + same)[:8])

    def tree(self, name: str, *, downstream: bool = False) -> dict:
        """``{"column", "edges": [{…edge, "upstream"|"downstream": tree}]}``."""
        self.check(name)
        return self._tree(name, downstream, frozenset())

    def _tree(self, name: str, downstream: bool, path: frozenset[str]) -> dict:
        node: dict = {"column": name}
        edges = self.down.get(name, []) if downstream else self.up.get(name, [])
        out = []
        for e in sorted(edges, key=Edge.sort_key):
            item = {k: v for k, v in e.as_dict().items() if k not in ("target", "source")}
            other = e.target if downstream else e.source
            item["column"] = other
            if other is not None and other not in path:
                sub = self._tree(other, downstream, path | {name})
                item["edges"] = sub["edges"]
            else:
                item["edges"] = []
            out.append(item)
        node["edges"] = out
        return node

    def extract_columns(self, name: str) -> list[str]:
        """The department extract columns ``name`` comes from (the leaves of its tree)."""
        out: set[str] = set()

        def walk(t: dict) -> None:
            for e in t["edges"]:
                if e["column"] and e["column"].startswith("extract."):
                    out.add(e["column"])
                walk(e)

        walk(self.tree(name))
        return sorted(out)

    def render(self, name: str, *, downstream: bool = False) -> str:
        t = self.tree(name, downstream=downstream)
        zone = split_name(name)[0] if name.count(".") >= 2 else ""
        head = f"{name}  [{ZONE_LABELS.get(zone, zone)}]"
        lines = [head]
        arrow = "→" if downstream else "←"
        self._render(t["edges"], "", arrow, lines)
        if not t["edges"]:
            lines.append("  (no " + ("downstream" if downstream else "upstream") + " column)")
        return "\n".join(lines)

    def _render(self, edges: list[dict], indent: str, arrow: str, lines: list[str]) -> None:
        for i, e in enumerate(edges):
            last = i == len(edges) - 1
            branch, cont = ("└─ ", "   ") if last else ("├─ ", "│  ")
            col = e["column"] or "(no column)"
            if col.endswith("." + ROWS):
                col += " (rows)"
            lines.append(f"{indent}{branch}{arrow} {col}")
            how = f"{Hop(e['hop']).label} · {e['transform']}"
            if e["detail"]:
                how += f": {e['detail']}"
            lines.append(f"{indent}{cont}   {how}  [{e['article']}]")
            self._render(e["edges"], indent + cont, arrow, lines)


def table_inputs(edges: Iterable[Edge], table: str, *, through: str = "dbt") -> dict[str, list]:
    """For each column of ``table`` (``zone.table``): the published columns it is computed
    from, as ``(source, transforms)`` pairs — views of the ``through`` zone (dbt's, never
    published) are looked through, their transforms kept in order. Rows (``*``) and
    constants are left out."""
    graph = Lineage(edges)
    out: dict[str, list] = {}
    prefix = table + "."
    for target in sorted(t for t in graph.up if t.startswith(prefix)):
        column = target[len(prefix) :]
        if column == ROWS:
            continue
        found: list = []
        stack = [(e, [e]) for e in graph.up[target]]
        while stack:
            e, trail = stack.pop()
            if e.source is None or e.source.endswith("." + ROWS):
                continue
            if e.source.split(".", 1)[0] == through:
                stack += [(u, [*trail, u]) for u in graph.up.get(e.source, [])]
                continue
            found.append((e.source, trail))
        if found:
            out[column] = sorted(found, key=lambda f: f[0])
    return out
