"""The config schema: every section checked by one mechanism, each problem as FILE:LINE: key: problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lifealm.config_schema import SCHEMA, key_line
from lifealm.errors import LifealmError
from lifealm.settings import UpdateSettings, load_settings
from lifealm.update.config import DEFAULT_YAHOO_URL, UpdateConfig

TRICKY = '''\
# a comment mentioning timeout = 1 and [update]
ledger = """
timeout = 2
[update]
"""
out = "site"  # timeout = 3

[mail]
  host = "smtp.example.org"
  "to" = ["a@example.org",
          "b@example.org"]
from = "x@example.org"

[update]
before_run = true
	timeout = 5
'''


def _line(text: str, needle: str) -> int:
    """The 1-based number of the only line that is exactly `needle` once stripped."""
    (number,) = [i for i, line in enumerate(text.splitlines(), start=1) if line.strip() == needle]
    return number


@pytest.mark.parametrize(("table", "key", "needle"), [
    ("", "ledger", 'ledger = """'),
    ("", "out", 'out = "site"  # timeout = 3'),
    ("mail", "host", 'host = "smtp.example.org"'),
    ("mail", "to", '"to" = ["a@example.org",'),
    ("mail", "from", 'from = "x@example.org"'),
    ("update", "before_run", "before_run = true"),
    ("update", "timeout", "timeout = 5"),
])
def test_key_lines_survive_comments_strings_quotes_and_indents(table: str, key: str, needle: str) -> None:
    assert key_line(TRICKY, table, key) == _line(TRICKY, needle)


def test_a_valid_update_table_becomes_typed_settings(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[update]\nyahoo_url = "http://127.0.0.1:8000/chart"\nbefore_run = true\ntimeout = 5\n',
                      "utf-8")
    settings = load_settings(config=config, environ={})
    assert settings.update == UpdateSettings(yahoo_url="http://127.0.0.1:8000/chart", before_run=True, timeout=5.0)
    assert load_settings(config=tmp_path / "config.toml", environ={}).update.ecb_url is None


def test_the_update_table_becomes_the_updaters_config_over_its_defaults(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[update]\necb_url = "http://127.0.0.1:9/ecb"\nmin_interval = 0\nretries = 0\nbackoff = 0.5\n',
                      "utf-8")
    built = UpdateConfig.from_settings(load_settings(config=config, environ={}).update)
    assert built == UpdateConfig(ecb_url="http://127.0.0.1:9/ecb", min_interval=0.0, retries=0, backoff=0.5)
    assert built.yahoo_url == DEFAULT_YAHOO_URL and built.timeout == 20.0  # unset keys keep the updater's defaults


BAD_UPDATE = """\
[update]
yahoo_url = "ftp://example.org/prices"
ecb_url = "https://"
boj_url = 12
toushin_url = "https://toushin.example.org/data"
before_run = "yes"
timeout = 0
retries = 2.5
min_interval = -1
backoff = 601
spare = 1
"""


def test_every_update_problem_is_listed_with_its_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(BAD_UPDATE, "utf-8")
    with pytest.raises(LifealmError) as caught:
        load_settings(config=config, environ={})
    text = str(caught.value)
    for key, words in {"yahoo_url": "http:// or https://", "ecb_url": "with a host", "boj_url": "must be a string",
                       "before_run": "true or false", "timeout": "more than 0", "retries": "whole number",
                       "min_interval": "0 or more", "backoff": "at most 600", "spare": "unknown key"}.items():
        number = next(i for i, line in enumerate(BAD_UPDATE.splitlines(), 1) if line.startswith(f"{key} ="))
        assert f"{config}:{number}: update.{key}: " in text and words in text, (key, text)
    assert "update.toushin_url" not in text


def test_a_section_that_is_not_a_table_is_named(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('ledger = "a.db"\nmail = "smtp.example.org"\n', "utf-8")
    with pytest.raises(LifealmError) as caught:
        load_settings(config=config, environ={})
    assert f"{config}:2: mail: must be a table" in str(caught.value)


def test_each_section_is_declared_once_in_the_schema() -> None:
    assert set(SCHEMA.sections) == {"mail", "assumptions", "update"}
    assert set(SCHEMA.top.options) == {"ledger", "out", "lang", "mail", "assumptions", "update"}


def test_settings_do_not_import_the_delivery_layer() -> None:
    code = "import sys, lifealm.settings; print(any(m.startswith('lifealm.deliver') for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_an_empty_out_or_ledger_path_is_refused_with_its_line(tmp_path: Path) -> None:
    """`out = ""` would otherwise write the site into whatever directory the command runs in."""
    config = tmp_path / "config.toml"
    config.write_text('ledger = "ledger.db"\nout = ""\n', encoding="utf-8")
    with pytest.raises(LifealmError) as caught:
        load_settings(config=config, environ={})
    assert f"{config}:2: out: must be a path, not empty" in str(caught.value)
