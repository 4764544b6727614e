"""Every template the briefing renders ships in the wheel (pyproject package-data covers it)."""

from __future__ import annotations

import fnmatch
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _shipped_patterns() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns: list[str] = config["tool"]["setuptools"]["package-data"]["lifealm.templates"]
    return patterns


def test_every_template_file_matches_a_package_data_pattern() -> None:
    patterns = _shipped_patterns()
    files = [p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*")
             if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts]
    assert "partials/answer.html" in files and "embed.js" in files
    missing = [f for f in files if not any(fnmatch.fnmatch(f, pattern) and
                                           f.count("/") == pattern.count("/") for pattern in patterns)]
    assert missing == []


def test_every_package_of_lifealm_is_listed_for_the_wheel() -> None:
    """pyproject lists the packages by hand: one left out installs from a checkout and breaks from the wheel."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "lifealm").rglob("__init__.py")}
    assert found - listed == set()


@pytest.mark.slow
def test_the_wheel_contains_the_templates(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("lifealm-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "lifealm/schema/briefing.schema.json" in names
    for path in (ROOT / "templates").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert "lifealm/templates/" + path.relative_to(ROOT / "templates").as_posix() in names, path
