"""One frozen Settings for a run: defaults < TOML config file < LIFEALM_* environment < command-line flags."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lifealm.config_schema import SCHEMA, TOP, config_problems
from lifealm.errors import LifealmError
from lifealm.i18n import DEFAULT_LANGUAGE


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


def default_db_path() -> Path:
    """Where the ledger lives unless --db, LIFEALM_DB or the config file say otherwise."""
    return _xdg("XDG_DATA_HOME", ".local/share") / "lifealm" / "ledger.db"


def default_cache_dir() -> Path:
    """lifealm's cache (compiled templates): nothing in it is needed, and nothing from the ledger goes into it."""
    return _xdg("XDG_CACHE_HOME", ".cache") / "lifealm"


def default_config_path() -> Path:
    """Where the TOML configuration file is looked for unless --config or LIFEALM_CONFIG say otherwise."""
    return _xdg("XDG_CONFIG_HOME", ".config") / "lifealm" / "config.toml"


@dataclass(frozen=True)
class UpdateSettings:
    """The [update] table as the file sets it; None leaves the updater's own default (lifealm.update.UpdateConfig)."""

    yahoo_url: str | None = None
    ecb_url: str | None = None
    boj_url: str | None = None
    toushin_url: str | None = None
    before_run: bool = False  # `lifealm run` updates prices first
    timeout: float | None = None  # seconds per request
    min_interval: float | None = None  # seconds between two requests to the same host
    retries: int | None = None  # further attempts after a 429, a 5xx, a timeout or a refused connection
    backoff: float | None = None  # the first wait before a retry, doubled each time


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about where things are; model parameters live in Assumptions."""

    db: Path
    db_source: str  # "flag", "env", "config" or "default": the demo is only created for "default"
    out: Path = Path("site")
    as_of: date | None = None  # None: today
    config_path: Path | None = None  # the config file that was read, if any
    assumption_overrides: Mapping[str, Any] = field(default_factory=dict)
    mail: Mapping[str, Any] = field(default_factory=dict)  # [mail], checked; merged with the env by lifealm.deliver
    update: UpdateSettings = field(default_factory=UpdateSettings)
    lang: str = DEFAULT_LANGUAGE  # the briefing's language (page, PDF, archive, e-mail): en or ja


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


def load_settings(
    *,
    db: Path | None = None,
    out: Path | None = None,
    as_of: date | None = None,
    config: Path | None = None,
    environ: Mapping[str, str] | None = None,
    lang: str | None = None,
) -> Settings:
    """Resolve settings from flags, environment and config file, listing every config error at once."""
    env = os.environ if environ is None else environ
    config_path = config or (Path(env["LIFEALM_CONFIG"]) if env.get("LIFEALM_CONFIG") else None)
    explicit_config = config_path is not None
    config_path = config_path or default_config_path()
    data: dict[str, Any] = {}
    found = config_path.exists()
    if found:
        data, text = read_config(config_path)
        problems = config_problems(data, text, config_path)
        if problems:
            raise LifealmError("invalid configuration:\n" + "\n".join(problems),
                               hint="see the Configuration section of the README")
    elif explicit_config:
        raise LifealmError(f"{config_path}: config file not found.",
                           hint="create it, or drop --config / LIFEALM_CONFIG to use the defaults")
    values = SCHEMA.values(data)

    if db is not None:
        db_path, source = db, "flag"
    elif env.get("LIFEALM_DB"):
        db_path, source = Path(env["LIFEALM_DB"]), "env"
    elif "ledger" in data:
        db_path, source = Path(data["ledger"]).expanduser(), "config"
    else:
        db_path, source = default_db_path(), "default"

    if lang is None and env.get("LIFEALM_LANG"):
        try:
            lang = TOP.options["lang"].validate(env["LIFEALM_LANG"])
        except ValueError as exc:
            raise LifealmError(f"LIFEALM_LANG: {exc}.", hint="set it to en or ja, or unset it") from exc

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
        update=UpdateSettings(**values.get("update", {})),
        lang=lang or str(data.get("lang", DEFAULT_LANGUAGE)),
    )
