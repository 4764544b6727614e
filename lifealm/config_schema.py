"""The config file's schema, declared once: one Section per table, each Option validating its own value.

Every problem of a file is returned at once as `FILE:LINE: key: problem`. TOML parsers do not keep positions, so
the line of a key is found with tomlkit, which reproduces a file to the byte: the key starts where the file and
the same document without that key first differ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lifealm.i18n import LANGUAGES
from lifealm.models.assumptions import Assumptions, coerce_assumption


class Option:
    """One config key: `validate` returns its value as the program uses it, or raises ValueError saying why not."""

    def __init__(self, doc: str, *, env: str | None = None) -> None:
        self.doc = doc
        self.env = env  # the environment variable that overrides it, if any

    def validate(self, value: object) -> Any:
        raise NotImplementedError


class Text(Option):
    def validate(self, value: object) -> Any:
        if not isinstance(value, str):
            raise ValueError(f"must be a string, not {value!r}")
        return value


class PathText(Text):
    """A file or directory path: an empty string would silently mean the current directory, so it is refused."""

    def validate(self, value: object) -> Any:
        if not str(super().validate(value)).strip():
            raise ValueError("must be a path, not empty (write \".\" for the current directory)")
        return value


class Whole(Option):
    def validate(self, value: object) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be a whole number, not {value!r}")
        return value


class Seconds(Option):
    """A number of seconds; with `most`, also more than 0 (0 or more with `zero_ok`) and at most `most`."""

    def __init__(self, doc: str, most: float | None = None, *, zero_ok: bool = False, env: str | None = None) -> None:
        super().__init__(doc, env=env)
        self.most = most
        self.zero_ok = zero_ok

    def validate(self, value: object) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be a number of seconds, not {value!r}")
        above_low = value >= 0 if self.zero_ok else value > 0
        if self.most is not None and not (above_low and value <= self.most):
            low = "0 or more" if self.zero_ok else "more than 0"
            raise ValueError(f"must be {low} and at most {self.most:g} seconds, not {value}")
        return float(value)


class Count(Whole):
    """A whole number from 0 to `most`."""

    def __init__(self, doc: str, most: int) -> None:
        super().__init__(doc)
        self.most = most

    def validate(self, value: object) -> Any:
        if not 0 <= super().validate(value) <= self.most:
            raise ValueError(f"must be a whole number from 0 to {self.most}, not {value}")
        return value


class Choice(Text):
    """One of a fixed set of strings."""

    def __init__(self, doc: str, choices: tuple[str, ...], *, env: str | None = None) -> None:
        super().__init__(doc, env=env)
        self.choices = choices

    def validate(self, value: object) -> Any:
        if super().validate(value) not in self.choices:
            raise ValueError(f"must be one of {', '.join(self.choices)}, not {value!r}")
        return value


class Flag(Option):
    def validate(self, value: object) -> Any:
        if not isinstance(value, bool):
            raise ValueError(f"must be true or false, not {value!r}")
        return value


class Url(Text):
    def validate(self, value: object) -> Any:
        parts = urlsplit(super().validate(value))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http:// or https:// URL with a host, not {value!r}")
        return value


class Addresses(Option):
    def validate(self, value: object) -> Any:
        if isinstance(value, str):
            return value
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return value
        raise ValueError(f"must be a string or a list of strings, not {value!r}")


class Assumption(Option):
    """One model parameter: its type and range come from lifealm.models.assumptions."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the {name} assumption")
        self.name = name

    def validate(self, value: object) -> Any:
        return coerce_assumption(self.name, value)


@dataclass(frozen=True)
class Section:
    """One table of the file ("" for the top level); a key naming another Section must hold a table."""

    name: str
    options: Mapping[str, Option]
    unknown: Callable[[str], str] | None = None  # the message for an unknown key (default: list the known ones)

    def label(self, key: str) -> str:
        return f"{self.name}.{key}" if self.name else key

    def problems(self, values: Mapping[str, Any], where: Callable[[str], str]) -> list[str]:
        """Each bad key of `values` as `WHERE: key: problem`; `where(key)` names the file and line."""
        found: list[str] = []
        for key, value in values.items():
            option = self.options.get(key)
            if option is None:
                why = self.unknown(key) if self.unknown else (f"unknown key {key!r} (known: "
                                                               f"{', '.join(sorted(self.options))})")
                found.append(f"{where(key)}: {self.label(key)}: {why}")
                continue
            try:
                option.validate(value)
            except ValueError as exc:
                found.append(f"{where(key)}: {self.label(key)}: {exc}")
        return found


class Table(Option):
    """A key holding one of the sections below."""

    def validate(self, value: object) -> Any:
        if not isinstance(value, dict):
            raise ValueError(f"must be a table ([{self.doc}]), not {value!r}")
        return value


# Only the TOML types are checked when the file is read: the values, which the environment may override, are
# checked by lifealm.deliver when a command sends mail (so a mail typo does not stop `report`).
MAIL = Section("mail", {
    "host": Text("the SMTP server", env="LIFEALM_SMTP_HOST"),
    "port": Whole("the SMTP port", env="LIFEALM_SMTP_PORT"),
    "user": Text("the SMTP login", env="LIFEALM_SMTP_USER"),
    "password": Text("the SMTP password", env="LIFEALM_SMTP_PASSWORD"),
    "password_file": Text("a file whose first line is the password", env="LIFEALM_SMTP_PASSWORD_FILE"),
    "security": Text("the connection security: starttls, ssl or none", env="LIFEALM_SMTP_SECURITY"),
    "ca_file": Text("PEM certificates to trust", env="LIFEALM_SMTP_CA_FILE"),
    "timeout": Seconds("seconds to wait for the server", env="LIFEALM_SMTP_TIMEOUT"),
    "from": Text("the sender address", env="LIFEALM_MAIL_FROM"),
    "to": Addresses("the recipients", env="LIFEALM_MAIL_TO"),
})

ASSUMPTIONS = Section(
    "assumptions", {f.name: Assumption(f.name) for f in fields(Assumptions)},
    unknown=lambda key: f"unknown assumption (known: {', '.join(f.name for f in fields(Assumptions))})",
)

UPDATE = Section("update", {
    "yahoo_url": Url("the price source (Yahoo Finance chart API)"),
    "ecb_url": Url("the ECB reference FX rates"),
    "boj_url": Url("the Bank of Japan FX rates"),
    "toushin_url": Url("the investment trust (toushin) prices"),
    "before_run": Flag("`lifealm run` updates prices first"),
    "timeout": Seconds("seconds per request", 600),
    "min_interval": Seconds("seconds between two requests to the same host (0: no pause)", 60, zero_ok=True),
    "retries": Count("further attempts after a 429, a 5xx, a timeout or a refused connection", 10),
    "backoff": Seconds("the first wait before a retry, doubled each time", 600, zero_ok=True),
})

SECTIONS = {section.name: section for section in (MAIL, ASSUMPTIONS, UPDATE)}

TOP = Section("", {
    "ledger": PathText("the ledger file, like --db"),
    "out": PathText("the output directory, like --out"),
    "lang": Choice("the briefing's language, like --lang", LANGUAGES, env="LIFEALM_LANG"),
    **{name: Table(name) for name in SECTIONS},
})


@dataclass(frozen=True)
class Schema:
    """The whole file: the top-level keys and one Section per table."""

    top: Section
    sections: Mapping[str, Section]

    def problems(self, data: Mapping[str, Any], where: Callable[[str, str], str]) -> list[str]:
        """Every problem of the parsed file; `where(table, key)` names the file and line ("" is the top level)."""
        found = self.top.problems(data, lambda key: where("", key))
        for name, section in self.sections.items():
            values = data.get(name)
            if isinstance(values, dict):
                found.extend(section.problems(values, lambda key, name=name: where(name, key)))  # type: ignore[misc]
        return found

    def values(self, data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """The validated values of each section's keys that are set (call after `problems` found none)."""
        return {name: {key: section.options[key].validate(value) for key, value in data.get(name, {}).items()}
                for name, section in self.sections.items()}


SCHEMA = Schema(TOP, SECTIONS)


def key_line(text: str, table: str, key: str) -> int | None:
    """The line where `key` is set (in `[table]`, or at the top level when `table` is ""), by tomlkit."""
    import tomlkit  # only when a problem is reported
    from tomlkit.exceptions import TOMLKitError

    try:
        document = tomlkit.parse(text)
        container: Any = document[table] if table else document
        del container[key]
        shorter = document.as_string()
    except (TOMLKitError, KeyError, TypeError):
        return None
    start = next((i for i, (a, b) in enumerate(zip(text, shorter, strict=False)) if a != b), len(shorter))
    while start < len(text) and text[start] in " \t\r\n":  # the removed item's indent and blank lines
        start += 1
    return text.count("\n", 0, start) + 1


def config_problems(data: Mapping[str, Any], text: str, path: Path) -> list[str]:
    """Every problem of the config file at `path` (parsed `data`, raw `text`), each as `FILE:LINE: key: problem`."""

    def where(table: str, key: str) -> str:
        line = key_line(text, table, key)
        return f"{path}:{line}" if line else str(path)

    return SCHEMA.problems(data, where)
