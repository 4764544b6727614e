"""One frozen Settings for a run: defaults < TOML config file < LIFEALM_* environment < command-line flags."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lifealm.deliver.mail_settings import mail_table_problems
from lifealm.errors import LifealmError
from lifealm.models.assumptions import Assumptions, AssumptionsError, apply_overrides


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


def default_db_path() -> Path:
    """Where the ledger lives unless --db, LIFEALM_DB or the config file say otherwise."""
    return _xdg("XDG_DATA_HOME", ".local/share") / "lifealm" / "ledger.db"


def default_config_path() -> Path:
    """Where the TOML configuration file is looked for unless --config or LIFEALM_CONFIG say otherwise."""
    return _xdg("XDG_CONFIG_HOME", ".config") / "lifealm" / "config.toml"


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about where things are; model parameters live in Assumptions."""

    db: Path
    db_source: str  # "flag", "env", "config" or "default": the demo is only created for "default"
    out: Path = Path("site")
    as_of: date | None = None  # None: today
    config_path: Path | None = None  # the config file that was read, if any
    assumption_overrides: Mapping[str, Any] = field(default_factory=dict)
    mail: Mapping[str, Any] = field(default_factory=dict)  # raw [mail] table; validated by lifealm.deliver


def read_config(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed TOML config file and its text (for line numbers); a syntax error names the line and column."""
    try:
        text = path.read_text("utf-8")
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise LifealmError(f"{path}: invalid TOML: {exc}", hint="fix the line named above") from exc
    except UnicodeDecodeError as exc:
        raise LifealmError(f"{path}: the config file is not UTF-8 ({exc.reason} at byte {exc.start}).",
                           hint="save it as UTF-8") from exc
    except OSError as exc:
        raise LifealmError(f"{path}: cannot read the config file ({exc.strerror}).") from exc


_TOP_LEVEL = {"ledger", "out", "mail", "assumptions"}


def _key_line(text: str, table: str, key: str) -> int | None:
    """The line where `key` is set inside `[table]` (TOML parsers do not keep positions; good enough for hints)."""
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            current = stripped.strip("[] ").split("]")[0].strip()
        elif current == table and stripped.split("=", 1)[0].strip().strip('"\'') == key and "=" in stripped:
            return number
    return None


def _table_problems(data: Mapping[str, Any], config_path: Path, text: str) -> list[str]:
    """Every bad key or value in [mail] and [assumptions], each with its file and line."""
    problems: list[str] = []
    for table in ("mail", "assumptions"):
        values = data.get(table)
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            line = _key_line(text, table, key)
            where = f"{config_path}:{line}" if line else str(config_path)
            if table == "mail":
                problems.extend(mail_table_problems({key: value}, where))
                continue
            try:
                apply_overrides(Assumptions(), {key: value}, source=f"{where}: [assumptions]")
            except AssumptionsError as exc:
                problems.extend(exc.problems)
    return problems


def load_settings(
    *,
    db: Path | None = None,
    out: Path | None = None,
    as_of: date | None = None,
    config: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings from flags, environment and config file, listing every config error at once."""
    env = os.environ if environ is None else environ
    config_path = config or (Path(env["LIFEALM_CONFIG"]) if env.get("LIFEALM_CONFIG") else None)
    explicit_config = config_path is not None
    config_path = config_path or default_config_path()
    data: dict[str, Any] = {}
    text = ""
    found = config_path.exists()
    if found:
        data, text = read_config(config_path)
    elif explicit_config:
        raise LifealmError(f"{config_path}: config file not found.",
                           hint="create it, or drop --config / LIFEALM_CONFIG to use the defaults")
    problems = [f"{config_path}: unknown key {key!r} (known: {', '.join(sorted(_TOP_LEVEL))})"
                for key in data if key not in _TOP_LEVEL]
    for key, kind in (("ledger", str), ("out", str), ("mail", dict), ("assumptions", dict)):
        if key in data and not isinstance(data[key], kind):
            problems.append(f"{config_path}: {key} must be a {'string' if kind is str else 'table'}")
    problems.extend(_table_problems(data, config_path, text))
    if problems:
        raise LifealmError("invalid configuration:\n" + "\n".join(problems),
                           hint="see the Configuration section of the README")

    if db is not None:
        db_path, source = db, "flag"
    elif env.get("LIFEALM_DB"):
        db_path, source = Path(env["LIFEALM_DB"]), "env"
    elif "ledger" in data:
        db_path, source = Path(data["ledger"]).expanduser(), "config"
    else:
        db_path, source = default_db_path(), "default"

    out_path = out or (Path(env["LIFEALM_OUT"]) if env.get("LIFEALM_OUT") else None)
    out_path = out_path or (Path(data["out"]).expanduser() if "out" in data else Path("site"))
    return Settings(
        db=db_path,
        db_source=source,
        out=out_path,
        as_of=as_of,
        config_path=config_path if found else None,
        assumption_overrides=dict(data.get("assumptions", {})),
        mail=dict(data.get("mail", {})),
    )
