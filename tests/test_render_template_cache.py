"""Compiled templates kept between runs: loaded instead of compiled, compiled again when the template changed or the
entry is damaged, never in a folder another user could write to, and never a reason for a report to fail."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import jinja2
import pytest
from demo_ledgers import demo_copy

from lifealm.render.template_cache import TemplateCache, template_cache

AS_OF = "2026-11-25"


def _environment(folder: Path, source: str = "Hello {{ name }}!") -> jinja2.Environment:
    cache = template_cache(folder)
    assert cache is not None
    return jinja2.Environment(loader=jinja2.DictLoader({"page.html": source}), bytecode_cache=cache)


def test_a_second_environment_loads_the_template_without_compiling_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache" / "templates"
    assert _environment(folder).get_template("page.html").render(name="a") == "Hello a!"
    assert len(list(folder.iterdir())) == 1 and (folder.stat().st_mode & 0o777) == 0o700
    again = _environment(folder)
    monkeypatch.setattr(again, "compile", lambda *a, **k: pytest.fail("compiled again"))
    assert again.get_template("page.html").render(name="b") == "Hello b!"


def test_a_changed_template_is_compiled_again(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    _environment(folder).get_template("page.html").render(name="a")
    assert _environment(folder, "Bye {{ name }}.").get_template("page.html").render(name="a") == "Bye a."


@pytest.mark.parametrize("damage", ["empty", "header then garbage", "cut short"])
def test_a_damaged_entry_is_compiled_again(tmp_path: Path, damage: str) -> None:
    from jinja2.bccache import bc_magic

    folder = tmp_path / "templates"
    _environment(folder).get_template("page.html").render(name="a")
    (entry,) = folder.iterdir()
    good = entry.read_bytes()
    entry.write_bytes({"empty": b"", "header then garbage": bc_magic + b"\x80garbage",
                       "cut short": good[: len(good) - 7]}[damage])
    assert _environment(folder).get_template("page.html").render(name="c") == "Hello c!"


def test_an_entry_that_cannot_be_written_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2.bccache

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", refuse)
    folder = tmp_path / "templates"
    assert _environment(folder).get_template("page.html").render(name="d") == "Hello d!"
    assert list(folder.iterdir()) == []


def test_no_cache_where_it_cannot_be_made_or_others_could_write(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert template_cache(a_file / "templates") is None
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o700)
    shared.chmod(0o770)
    assert template_cache(shared) is None
    assert isinstance(template_cache(tmp_path / "mine"), TemplateCache)
    if os.getuid() == 0:  # only root can give a folder away
        theirs = tmp_path / "theirs"
        theirs.mkdir(mode=0o700)
        os.chown(theirs, 12345, -1)
        assert template_cache(theirs) is None


def _report(db: Path, out: Path, cache_home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFEALM_")} | {"XDG_CACHE_HOME": str(cache_home)}
    return subprocess.run([sys.executable, "-m", "lifealm", "report", "--db", str(db), "--out", str(out),
                           "--as-of", AS_OF, "--no-montecarlo"], env=env, capture_output=True, text=True,
                          timeout=180, check=False)


@pytest.mark.slow  # two reports
def test_a_report_fills_the_cache_and_the_next_one_gives_the_same_files(tmp_path: Path) -> None:
    db = demo_copy(tmp_path / "ledger.db", as_of=date.fromisoformat(AS_OF))
    first = _report(db, tmp_path / "one", tmp_path / "cache")
    assert first.returncode == 0, first.stderr
    kept = sorted((tmp_path / "cache" / "lifealm" / "templates").iterdir())
    assert kept and all((p.stat().st_mode & 0o777) == 0o600 for p in kept)
    second = _report(db, tmp_path / "two", tmp_path / "cache")
    assert second.returncode == 0, second.stderr
    for name in ("index.html", "briefing.pdf", "briefing.json"):
        assert (tmp_path / "one" / AS_OF / name).read_bytes() == (tmp_path / "two" / AS_OF / name).read_bytes()


def test_a_cache_folder_that_is_a_file_does_not_stop_the_report(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("not a folder")
    db = demo_copy(tmp_path / "ledger.db", as_of=date.fromisoformat(AS_OF))
    done = _report(db, tmp_path / "site", tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / AS_OF / "briefing.pdf").exists()
