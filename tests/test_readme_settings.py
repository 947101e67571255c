"""The README's settings table names every setting, with the default the code has, and nothing else."""

from __future__ import annotations

from typing import Any

from streamproc.settings import REPO_ROOT, StreamprocSettings

HEADER = "| variable | default | meaning |"


def readme_table() -> dict[str, str]:
    """``STREAMPROC_*`` name -> the default the README states (``A`` / ``_B`` rows expanded; one default
    stated for several names applies to each; a note in parentheses after a default is not part of it)."""
    lines = (REPO_ROOT / "README.md").read_text().splitlines()
    start = lines.index(HEADER) + 2
    table: dict[str, str] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        names, defaults = (cell.strip() for cell in line.strip("|").split("|")[:2])
        first, *suffixes = (name.strip(" `") for name in names.split("/"))
        if not first.startswith("STREAMPROC_"):
            continue  # e.g. the standard OTEL_* variables, which are not ours
        stem = first.rsplit("_", 1)[0]
        named = [first, *(s if s.startswith("STREAMPROC_") else stem + s for s in suffixes)]
        stated = [d.split(" (")[0].strip(" `") for d in defaults.split(" / ")]
        for name, default in zip(named, stated * len(named) if len(stated) == 1 else stated, strict=True):
            table[name] = default
    return table


def matches(stated: str, actual: Any) -> bool:
    if actual is None or actual == "" or actual == []:
        return stated in ("unset", "empty")
    if isinstance(actual, bool):
        return stated == str(actual).lower()
    if isinstance(actual, int | float):
        return float(stated) == float(actual)
    return str(actual).endswith(stated.rstrip("/"))


def test_every_setting_is_in_the_readme_table_with_its_default() -> None:
    fields = {
        f"STREAMPROC_{name.upper()}": info.default for name, info in StreamprocSettings.model_fields.items()
    }
    table = readme_table()
    assert sorted(set(fields) - set(table)) == [], "settings missing from the README's table"
    assert sorted(set(table) - set(fields)) == [], "README rows that are no setting"
    wrong = {name: (table[name], fields[name]) for name in fields if not matches(table[name], fields[name])}
    assert wrong == {}, "README defaults that differ from the code"
