"""The demo's theme section: build the themes, then each mart's rows and where the dbt docs
are (``jutong.demo`` prints these lines)."""

from __future__ import annotations

from jutong.settings import Settings


def demo_summary(settings: Settings) -> list[str]:
    from jutong.themes.build import ThemeBuildError, build_themes

    lines = ["theme databases (主题库, dbt; jutong themes build / status):", ""]
    try:
        res = build_themes(settings, progress=lambda msg: None)
    except ThemeBuildError as err:
        return [*lines, f"  themes NOT built: {err}"]
    width = max(len(m) for m in res.marts)
    for mart, n in sorted(res.marts.items()):
        lines.append(f"  theme.{mart:<{width}}  {n:>8,} rows")
    lines += [
        "",
        f"  {len(res.marts)} marts, {res.tests_passed} dbt tests passed, {res.seconds:.0f} s",
        f"  dbt docs: {res.docs}",
        '  ask them: jutong sql -c "SELECT * FROM theme.ss_insurance_coverage LIMIT 10"',
    ]
    return lines
