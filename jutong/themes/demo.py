"""The demo's theme section: each published mart's rows and as-of day, and where the dbt docs
are (``jutong.demo`` prints these lines). The demo builds the themes through Airflow
(``build__themes``, between the base builds and the releases that read the marts)."""

from __future__ import annotations

from jutong.settings import Settings


def demo_summary(settings: Settings) -> list[str]:
    from jutong.themes.status import theme_status

    lines = ["theme databases (主题库, dbt; jutong themes build / status):", ""]
    marts, docs = theme_status(settings)
    if not marts:
        return [*lines, "  themes NOT built: see the build__themes run above"]
    width = max(len(m["mart"]) for m in marts)
    for m in sorted(marts, key=lambda m: m["mart"]):
        lines.append(f"  theme.{m['mart']:<{width}}  {m['rows']:>8,} rows  as of {m['as_of']}")
    lines += [
        "",
        f"  {len(marts)} marts published (write-audit-publish after dbt build passed)",
        f"  dbt docs: {docs or 'not generated'}",
        '  ask them: jutong sql -c "SELECT * FROM theme.ss_insurance_coverage LIMIT 10"',
    ]
    return lines
