"""The shipped JSON Schema (draft 2020-12) of briefing.json, and a check of a document against it."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

BRIEFING_SCHEMA_FILE = "briefing.schema.json"


@cache
def _briefing_text() -> str:
    return resources.files(__name__).joinpath(BRIEFING_SCHEMA_FILE).read_text("utf-8")


def briefing_schema() -> dict[str, Any]:
    """The schema every briefing.json validates against (a fresh copy: callers may change it)."""
    schema: dict[str, Any] = json.loads(_briefing_text())
    return schema


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = briefing_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator: jsonschema.protocols.Validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return validator


def briefing_problems(doc: Any) -> list[str]:
    """Every way `doc` breaks the briefing.json contract, as `path: problem` lines; empty when it conforms."""
    problems = []
    try:
        json.dumps(doc, allow_nan=False)
    except ValueError:  # JSON has no NaN or infinity, though a Python float passes the schema's "number"
        problems.append("(document): holds NaN or infinity; the contract writes null and lists the path in non_finite")
    for error in sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        message = error.message if len(error.message) <= 300 else error.message[:300] + "…"
        problems.append(f"{where or '(document)'}: {message}")
    return problems
