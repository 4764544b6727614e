"""The morning e-mail's subject, plain-text and HTML bodies, rendered from a briefing.json dict with Jinja."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from lifealm.models.margin import Status
from lifealm.render import filters
from lifealm.render.context import CHANGE_LABELS, NO_DATA_TEXT, STATUS_WORDS, stale_sentence

STATUSES = tuple(s.value for s in Status)
_STATUS_COLOURS: dict[str, str] = {Status.SAFE: "#00a862", Status.CAUTION: "#c77c00", Status.DANGER: "#d42c2c",
                                   Status.NO_DATA: "#2a5db0"}


@dataclass(frozen=True)
class EmailContent:
    """What the e-mail says: a one-line subject and the same content as plain text and as HTML."""

    subject: str
    text: str
    html: str


def drop(value: object, digits: int = 1) -> str:
    """A survivable fall 0.5294 as '−52.9 %', rounded down: the e-mail never promises more than the model."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return filters.MISSING
    return filters.percent_down(-value, digits)


def _get(briefing: Mapping[str, Any], dotted: str) -> Any:
    node: Any = briefing
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


@cache
def _environment() -> jinja2.Environment:
    root = resources.files("lifealm.templates")  # the e-mail shares partials (the answer sentence) with the page
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        # HTML is escaped; the plain-text part must not be (an & in a name stays an &).
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), disabled_extensions=("txt",), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(filters.FILTERS)
    env.filters["drop"] = drop
    return env


def _change_value(value: object, kind: str, currency: str, field: str) -> str:
    if field == "max_survivable_drawdown":
        return drop(value)  # the same rounding as the headline figure
    if kind == "money":
        return filters.money(value, currency)
    if kind == "ratio":
        return filters.percent(value)
    return filters.MISSING if value is None else str(value)


def _changes(briefing: Mapping[str, Any], currency: str) -> list[dict[str, str]]:
    """What moved since the previous snapshot (`history.changes`, status first), as display strings."""
    raw = _get(briefing, "history.changes")
    rows: list[dict[str, str]] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, Mapping) or not item.get("changed"):
            continue
        field, kind = str(item.get("field", "")), str(item.get("kind", ""))
        delta = item.get("delta")
        delta_text = ""
        if kind == "money" and delta is not None:
            delta_text = filters.signed_money(delta, currency)
        elif field == "max_survivable_drawdown":
            delta_text = filters.points_down(item.get("previous"), item.get("current"))
        elif kind == "ratio" and delta is not None:
            delta_text = filters.points(delta)
        rows.append({"label": CHANGE_LABELS.get(field, field.replace("_", " ").capitalize()),
                     "previous": _change_value(item.get("previous"), kind, currency, field),
                     "current": _change_value(item.get("current"), kind, currency, field),
                     "delta": delta_text})
    rows.sort(key=lambda row: 0 if row["label"] == "Status" else 1)
    return rows


def _previous_status(briefing: Mapping[str, Any]) -> str | None:
    for item in _get(briefing, "history.changes") or []:
        if isinstance(item, Mapping) and item.get("field") == "status" and item.get("changed"):
            previous = item.get("previous")
            return str(previous) if previous in STATUSES else None
    return None


_TODAY_KEYS = ("to_freeze", "to_margin_call", "to_forced_liquidation", "to_target", "amount", "from_cash",
               "from_credit_line", "shortfall")


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _today(briefing: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """briefing.json's margin section when today's ratio is already past a threshold and the figures are whole."""
    margin = _get(briefing, "margin")
    repay, levels = _get(briefing, "margin.repay_now"), _get(briefing, "margin.thresholds")
    if not isinstance(margin, Mapping) or not isinstance(repay, Mapping) or not isinstance(levels, Mapping):
        return None
    if margin.get("zone") not in ("FROZEN", "MARGIN_CALL", "FORCED_LIQUIDATION"):
        return None
    if not all(_finite(repay.get(k)) for k in _TODAY_KEYS) or repay.get("goal") not in ("target", "freeze"):
        return None
    return margin


def email_context(briefing: Mapping[str, Any]) -> dict[str, Any]:
    """Pick the headline figures out of briefing.json (missing ones become None and show as n/a)."""
    status = str(briefing.get("status", ""))
    if status not in STATUSES:
        raise ValueError(f"briefing status {status!r} is not one of {', '.join(STATUSES)}")
    as_of = str(briefing.get("as_of", ""))
    try:  # the date goes into the Subject header: only a real ISO date may
        date.fromisoformat(as_of)
    except ValueError:
        raise ValueError(f"briefing as_of {as_of!r} is not a YYYY-MM-DD date") from None
    currency = str(briefing.get("base_currency") or "JPY")
    findings = briefing.get("findings")
    previous = _previous_status(briefing)
    raw_missing = briefing.get("missing")
    missing = [str(code) for code in raw_missing if str(code) in NO_DATA_TEXT] \
        if isinstance(raw_missing, list) else []
    return {
        "as_of": as_of,
        "status": status,
        "previous_status": previous if previous != status else None,
        "previous_date": _get(briefing, "history.previous_date"),
        "status_colour": _STATUS_COLOURS[status],
        "currency": currency,
        "margin_ratio": _get(briefing, "margin.ratio"),
        "max_drop": _get(briefing, "stress.max_survivable_drawdown"),
        "forced_drop": _get(briefing, "stress.forced_liquidation_drawdown"),
        "portfolio_value": _get(briefing, "portfolio.value"),
        "net_worth": _get(briefing, "balance_sheet.net_worth"),
        "monthly_cashflow": _get(briefing, "cashflow.monthly"),
        "fire_ratio": _get(briefing, "fire.ratio"),
        "success_probability": _get(briefing, "montecarlo.success_probability"),
        "status_word": STATUS_WORDS[status],
        "has_loan": bool(_get(briefing, "margin.has_loan")),
        "has_line": bool(_get(briefing, "defense.credit_available")),
        "findings_count": len(findings) if isinstance(findings, list) else 0,
        "changes": _changes(briefing, currency),
        "today": _today(briefing),
        "missing": [{"code": code, "what": NO_DATA_TEXT[code][0], "fix": NO_DATA_TEXT[code][1]}
                    for code in missing],
        "stale_sentence": stale_sentence(briefing),
        "stale_from": _get(briefing, "freshness.oldest_price_date") if _get(briefing, "freshness.stale") else None,
        "update_failed": bool(_get(briefing, "freshness.update_failed")),
    }


_MISSING_WORDS = {"no_holdings": "holdings", "no_prices": "prices", "no_fx_rates": "exchange rates",
                  "no_expenses": "expenses"}


def email_subject(context: Mapping[str, Any]) -> str:
    """'[SAFE] 2026-11-25 · margin 40.0 % · forced sale at −52.9 % if nothing is done · survives −66.5 % spending
    cash and line', plus '(was CAUTION)' when the status changed; '[NO DATA] …' names what is missing."""
    if context["status"] == "NO DATA":
        gaps = ", ".join(_MISSING_WORDS.get(m["code"], m["code"]) for m in context["missing"])
        subject = f"[NO DATA] {context['as_of']} · the ledger cannot answer" + (f": no {gaps}" if gaps else "")
        return subject + (f" (was {context['previous_status']})" if context["previous_status"] else "")
    ratio = context["margin_ratio"]
    margin = "no margin loan" if ratio is None else f"margin {filters.percent(ratio)}"
    parts = [f"[{context['status']}] {context['as_of']}", margin]
    if context.get("stale_sentence"):  # said before the figures: they rest on old prices
        stale = f"prices from {context['stale_from']}" if context.get("stale_from") else "no prices"
        parts.insert(1, f"{stale} ({'update failed' if context.get('update_failed') else 'stale'})")
    # The page's two figures, with their conditions and the page's rounding (toward zero, one decimal).
    if context["has_loan"] and context["forced_drop"] is not None:
        parts.append(f"forced sale at {drop(context['forced_drop'])} if nothing is done")
    if context["has_loan"] and context["max_drop"] is not None:
        spend = "cash and line" if context["has_line"] else "cash"
        parts.append(f"survives {drop(context['max_drop'])} spending {spend}")
    subject = " · ".join(parts)
    if context["previous_status"]:
        subject += f" (was {context['previous_status']})"
    return subject


def render_email(briefing: Mapping[str, Any]) -> EmailContent:
    """Subject, plain text and HTML for one briefing; text fields from the ledger are escaped in the HTML."""
    context = email_context(briefing)
    env = _environment()
    return EmailContent(
        subject=email_subject(context),
        text=env.get_template("email/briefing.txt").render(context),
        html=env.get_template("email/briefing.html").render(context),
    )
