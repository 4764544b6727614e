"""The morning e-mail's subject, plain-text and HTML bodies, rendered from a briefing.json dict with Jinja."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from lifealm.i18n import DEFAULT_LANGUAGE, N_, translations
from lifealm.models.margin import Status
from lifealm.render import filters
from lifealm.render.context import (
    CHANGE_LABELS,
    NO_DATA_TEXT,
    STATUS_WORDS,
    stale_sentence,
    status_label,
    today_margin,
    words,
)
from lifealm.render.environment import drop, environment

STATUSES = tuple(s.value for s in Status)
_STATUS_COLOURS: dict[str, str] = {Status.SAFE: "#00a862", Status.CAUTION: "#c77c00", Status.DANGER: "#d42c2c",
                                   Status.NO_DATA: "#2a5db0"}


@dataclass(frozen=True)
class EmailContent:
    """What the e-mail says: a one-line subject and the same content as plain text and as HTML."""

    subject: str
    text: str
    html: str


def _get(briefing: Mapping[str, Any], dotted: str) -> Any:
    node: Any = briefing
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _change_value(value: object, kind: str, currency: str, field: str, lang: str) -> str:
    if field == "max_survivable_drawdown":
        return drop(value, lang=lang)  # the same rounding as the headline figure
    if kind == "money":
        return filters.money(value, currency, lang=lang)
    if kind == "ratio":
        return filters.percent(value, lang=lang)
    if kind == "status" and value in STATUSES:
        return status_label(str(value), lang)
    return filters.MISSING if value is None else str(value)


def _changes(briefing: Mapping[str, Any], currency: str, lang: str) -> list[dict[str, str]]:
    """What moved since the previous snapshot (`history.changes`, status first), as display strings."""
    raw = _get(briefing, "history.changes")
    labels = words(CHANGE_LABELS, lang)
    rows: list[dict[str, str]] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, Mapping) or not item.get("changed"):
            continue
        field, kind = str(item.get("field", "")), str(item.get("kind", ""))
        delta = item.get("delta")
        delta_text = ""
        if kind == "money" and delta is not None:
            delta_text = filters.signed_money(delta, currency, lang=lang)
        elif field == "max_survivable_drawdown":
            delta_text = filters.points_down(item.get("previous"), item.get("current"), lang=lang)
        elif kind == "ratio" and delta is not None:
            delta_text = filters.points(delta, lang=lang)
        rows.append({"field": field,
                     "label": labels.get(field, field.replace("_", " ").capitalize()),
                     "previous": _change_value(item.get("previous"), kind, currency, field, lang),
                     "current": _change_value(item.get("current"), kind, currency, field, lang),
                     "delta": delta_text})
    rows.sort(key=lambda row: 0 if row["field"] == "status" else 1)
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
    margin = today_margin(briefing)  # only a position past a threshold: the headline, or one at another broker
    repay = _get(briefing, "margin.repay_now")
    levels = margin.get("thresholds") if isinstance(margin, Mapping) else None
    if not isinstance(margin, Mapping) or not isinstance(repay, Mapping) or not isinstance(levels, Mapping):
        return None
    if not all(_finite(repay.get(k)) for k in _TODAY_KEYS) or repay.get("goal") not in ("target", "freeze"):
        return None
    return margin


def email_context(briefing: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
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
    previous = previous if previous != status else None
    raw_missing = briefing.get("missing")
    missing = [str(code) for code in raw_missing if str(code) in NO_DATA_TEXT] \
        if isinstance(raw_missing, list) else []
    gettext = translations(lang).gettext
    return {
        "lang": lang,
        "as_of": as_of,
        "status": status,
        "status_label": status_label(status, lang),
        "previous_status": previous,
        "previous_label": None if previous is None else status_label(previous, lang),
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
        "status_word": words(STATUS_WORDS, lang)[status],
        "has_loan": bool(_get(briefing, "margin.has_loan")),
        "has_line": bool(_get(briefing, "defense.credit_available")),
        "findings_count": len(findings) if isinstance(findings, list) else 0,
        "changes": _changes(briefing, currency, lang),
        "today": _today(briefing),
        "missing": [{"code": code, "what": gettext(NO_DATA_TEXT[code][0]), "fix": gettext(NO_DATA_TEXT[code][1])}
                    for code in missing],
        "stale_sentence": stale_sentence(briefing, lang),
        "stale_from": _get(briefing, "freshness.oldest_price_date") if _get(briefing, "freshness.stale") else None,
        "update_failed": bool(_get(briefing, "freshness.update_failed")),
    }


_MISSING_WORDS = {"no_holdings": N_("holdings"), "no_prices": N_("prices"), "no_fx_rates": N_("exchange rates"),
                  "no_expenses": N_("expenses")}


def email_subject(context: Mapping[str, Any]) -> str:
    """'[SAFE] 2026-11-25 · margin 40.0 % · forced sale at −52.9 % if nothing is done · survives −66.5 % spending
    cash and line', plus '(was CAUTION)' when the status changed; '[NO DATA] …' names what is missing.

    In Japanese: '[安全] 2026年11月25日 · 融資比率 40.0% · …', each part translated whole.
    """
    lang = str(context.get("lang", DEFAULT_LANGUAGE))
    gettext = translations(lang).gettext
    head = f"[{context['status_label']}] {filters.long_date(context['as_of'], lang=lang)}"
    was = gettext(N_(" (was %(status)s)")) % {"status": context["previous_label"]} if context["previous_status"] \
        else ""
    if context["status"] == "NO DATA":
        codes = [str(m["code"]) for m in context["missing"]]
        gaps = gettext(N_(", ")).join(gettext(_MISSING_WORDS[c]) if c in _MISSING_WORDS else c for c in codes)
        cannot = gettext(N_("the ledger cannot answer: no %(gaps)s")) % {"gaps": gaps} if gaps \
            else gettext(N_("the ledger cannot answer"))
        return f"{head} · {cannot}{was}"
    ratio = context["margin_ratio"]
    margin = gettext(N_("no margin loan")) if ratio is None else \
        gettext(N_("margin %(ratio)s")) % {"ratio": filters.percent(ratio, lang=lang)}
    parts = [head, margin]
    if context.get("stale_sentence"):  # said before the figures: they rest on old prices
        stale = gettext(N_("prices from %(day)s")) % {"day": context["stale_from"]} if context.get("stale_from") \
            else gettext(N_("no prices"))
        state = gettext(N_("update failed")) if context.get("update_failed") else gettext(N_("stale"))
        parts.insert(1, f"{stale} ({state})")
    # The page's two figures, with their conditions and the page's rounding (toward zero, one decimal).
    if context["has_loan"] and context["forced_drop"] is not None:
        parts.append(gettext(N_("forced sale at %(drop)s if nothing is done"))
                     % {"drop": drop(context["forced_drop"], lang=lang)})
    if context["has_loan"] and context["max_drop"] is not None:
        survives = N_("survives %(drop)s spending cash and line") if context["has_line"] \
            else N_("survives %(drop)s spending cash")
        parts.append(gettext(survives) % {"drop": drop(context["max_drop"], lang=lang)})
    return " · ".join(parts) + was


def render_email(briefing: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> EmailContent:
    """Subject, plain text and HTML for one briefing in `lang`; text fields from the ledger are escaped in the HTML."""
    context = email_context(briefing, lang)
    env = environment(lang)
    return EmailContent(
        subject=email_subject(context),
        text=env.get_template("email/briefing.txt").render(context),
        html=env.get_template("email/briefing.html").render(context),
    )
