"""The README documents every import kind and every column (and each alias) the importer accepts."""

from __future__ import annotations

from pathlib import Path

from lifealm.ledger.columns import KINDS

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_lists_every_import_column() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Importing your data", 1)[1].split("\n## ", 1)[0]
    for kind in KINDS.values():
        row = next((line for line in section.splitlines() if line.startswith(f"| `{kind.name}` |")), None)
        assert row is not None, kind.name
        for column in kind.columns:
            assert f"`{column.name}`" in row, (kind.name, column.name)
            for alias in column.aliases:
                assert f"`{alias}`" in row, (kind.name, alias)
