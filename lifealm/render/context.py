"""The render context: briefing.json's dict (the contract) plus display labels; no numbers formatted here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lifealm.charts.collect import ALLOCATION_BARS, by_size
from lifealm.drawable import drawable_tree
from lifealm.models.margin import Status
from lifealm.render.fixes import FINDING_FIX

# The PDF lists this many of the largest holdings when there are more; the HTML and briefing.json list all.
PDF_HOLDINGS = 25

# Keyed by the Status enum (a StrEnum: its members look up as their strings too).
STATUS_WORDS: dict[str, str] = {Status.SAFE: "Safe", Status.CAUTION: "Caution", Status.DANGER: "Danger",
                                Status.NO_DATA: "No data"}
_STATUS_CLASSES: dict[str, str] = {Status.SAFE: "good", Status.CAUTION: "warn", Status.DANGER: "bad",
                                   Status.NO_DATA: "nodata"}

# Why the ledger cannot answer (briefing.json's `missing`), and how to add what is missing.
NO_DATA_TEXT = {
    "no_holdings": ("No holdings are recorded (or every holding has zero shares), so there is nothing to value.",
                    "add them with `lifealm import holdings FILE` (columns ticker, shares, cost_basis), "
                    "or run `lifealm demo` to see a complete example ledger"),
    "no_prices": ("None of the holdings has a price on or before the report date, so the portfolio cannot be "
                  "valued.", "add closes with `lifealm import prices FILE` (columns ticker, price_date, "
                  "close_price) or fetch them with `lifealm update`, or report a later date with --as-of"),
    "no_fx_rates": ("The holdings are in foreign currencies with no exchange rate on or before the report date.",
                    "add rates with `lifealm import fx FILE` (columns currency, rate_date, rate) or fetch them "
                    "with `lifealm update`"),
    "no_expenses": ("No monthly expenses are recorded, so what the household needs to live on is unknown.",
                    "add them with `lifealm import expenses FILE` (columns category, monthly_amount)"),
}

ZONE_WORDS = {
    "SAFE": "safe",
    "FROZEN": "frozen",
    "MARGIN_CALL": "margin call",
    "FORCED_LIQUIDATION": "forced liquidation",
}

LEVEL_WORDS = {"FROZEN": "freeze", "MARGIN_CALL": "margin-call", "FORCED_LIQUIDATION": "forced-liquidation"}

ACCOUNT_KIND_WORDS = {
    "taxable": "taxable",
    "nisa_growth": "NISA growth",
    "nisa_tsumitate": "NISA tsumitate",
    "ideco": "iDeCo",
    "other": "other",
}

LIABILITY_WORDS = {
    "secured_loan": "margin loan",
    "margin": "margin loan",
    "credit_line": "credit line, drawn",
    "amortizing": "repaid monthly",
}

CHANGE_LABELS = {
    "status": "Status",
    "portfolio_value": "Portfolio",
    "margin_ratio": "Margin ratio",
    "net_worth": "Net worth",
    "max_survivable_drawdown": "Max survivable drop",
    "cash": "Cash",
    "margin_balance": "Margin loan",
    "monthly_cashflow": "Monthly cash flow",
    "fire_ratio": "FIRE ratio",
    "success_probability": "Monte Carlo success",
}

FINDING_TEXT = {
    "missing_price": "No price on or before the report date: the holding is left out of the portfolio value.",
    "stale_price": "The latest price is older than the staleness limit.",
    "missing_fx_rate": "No exchange rate for this currency: the amount is left out.",
    "negative_balance": "The cash balance is negative (an overdraft).",
    "credit_over_limit": "More is drawn on the credit line than its limit.",
    "no_dividend_data": "No dividend history or projection: counted as paying nothing.",
    "no_expenses": "No expenses recorded: the household's needs, the FIRE ratio and the crossover year are unknown.",
    "no_holdings": "No holdings recorded: there is no portfolio to value.",
    "no_prices": "No holding has a price on or before the report date: the portfolio cannot be valued.",
    "no_fx_rates": "No exchange rate for the holdings' currencies: the portfolio cannot be valued.",
    "secured_loan_without_collateral": "A margin loan is outstanding with no collateral: no pledged holding has "
    "a value.",
    "stale_fx_rate": "The latest exchange rate is older than the staleness limit.",
    "loan_without_thresholds": "A margin loan has no freeze, margin-call or forced-liquidation threshold.",
    "update_failed": "The price update found no source that answered for this security.",
    "update_withheld": "Updated rows are held back until a split is confirmed.",
    "update_note": "A note from the price update.",
    "fx_update_failed": "The exchange-rate update found no source that answered.",
    "split_needs_confirmation": "A stock split after the last stored close: the share count needs confirming.",
    "split_reported": "A stock split was reported by the price source.",
    "montecarlo_annual_steps": "The Monte Carlo ran in yearly steps: monthly steps would outgrow memory.",
    "collateral_account_not_pledged": "A margin loan names an account whose holdings cannot be pledged (NISA, "
    "iDeCo, or marked not pledged): it secures nothing.",
    "unknown_collateral_account": "A margin loan names a collateral account the ledger does not have.",
    "payment_below_interest": "The loan's monthly payment is below its interest: the balance grows.",
    "loan_past_maturity": "The loan is past its maturity date and still has a balance.",
}

CHART_CAPTIONS = {
    "margin-curve": "Margin ratio after each market drop; dashed lines are the loan's freeze, call and "
    "forced-liquidation levels, the dotted line the largest survivable drop.",
    "stress-ladder": "Cash needed at each drop to stay clear of forced liquidation, against the defense with "
    "and without the standby line.",
    "allocation": f"Portfolio value by security, over all accounts; beyond the {ALLOCATION_BARS} largest, the rest "
    "are summed in one bar.",
    "dividends": "Projected after-tax dividends per year against annual expenses grown by inflation, plus loan "
    "interest.",
    "net-worth-history": "Net worth at each briefing; before the last year, at each month's last briefing.",
    "margin-history": "Margin ratio at each briefing (before the last year, each month's last); the dashed line "
    "is the freeze level.",
    "success-history": "Monte Carlo success probability at each briefing that ran the simulation (before the "
    "last year, each month's last).",
    "montecarlo-fan": "Simulated net worth: the wide band holds 80 % of paths, the narrow one 50 %, the line "
    "is the median.",
    "montecarlo-failures": "When the failing paths first could not pay for the household's spending.",
    "timeline": "Income above the line, expenses below, one-off events stacked on them, per year from today in "
    "today's money; the line is the net, the dashed markers where a stream starts or ends.",
}


def stale_sentence(doc: Mapping[str, Any]) -> str | None:
    """What the briefing says first when its prices are stale ("Prices are from 2026-11-27: the update failed:
    …"), from briefing.json's `freshness`; None when they are fresh (or the document predates `freshness`)."""
    fresh = doc.get("freshness")
    if not isinstance(fresh, Mapping) or not fresh.get("stale"):
        return None
    oldest = fresh.get("oldest_price_date")
    start = f"Prices are from {oldest}" if oldest else "There are no prices"
    update = fresh.get("update")
    if fresh.get("update_failed") and isinstance(update, Mapping):
        return f"{start}: the update failed: {update.get('problem') or 'no source answered'}"
    count = fresh.get("stale_holdings") or 0
    days = (doc.get("assumptions") or {}).get("stale_price_days")
    return f"{start}: {count} holding{'s' if count != 1 else ''} without a close in the last {days} days"


def status_class(status: str) -> str:
    """CSS class for a status: green, amber or red."""
    return _STATUS_CLASSES.get(status, "warn")


def margin_word(doc: Mapping[str, Any]) -> str:
    """The margin card's word, in agreement with the banner: the zone past freeze, else the status's own word."""
    zone, status = str(doc["margin"]["zone"]), str(doc["status"])
    if status == "NO DATA":
        return "no data"
    if zone != "SAFE":
        return ZONE_WORDS.get(zone, zone)
    if status == "CAUTION":
        return "caution: at or above the caution level"
    return "safe" if status == "SAFE" else STATUS_WORDS.get(status, status).lower()


def base_context(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Context shared by the screen and print pages: the document (its text made drawable) and its labels.

    Ledger text enters the pages only here: every string of briefing.json passes through `drawable_tree`, so a
    name edited in with another tool can neither break the PDF nor stall its layout (briefing.json keeps it).
    """
    doc = drawable_tree(doc)
    return {
        "b": doc,
        "currency": doc["base_currency"],
        "status_word": STATUS_WORDS.get(doc["status"], doc["status"]),
        "status_class": status_class(doc["status"]),
        "stale_sentence": stale_sentence(doc),
        "zone_words": ZONE_WORDS,
        "margin_word": margin_word(doc),
        "level_words": LEVEL_WORDS,
        "change_labels": CHANGE_LABELS,
        "finding_text": FINDING_TEXT,
        "finding_fix": FINDING_FIX,
        "no_data_text": NO_DATA_TEXT,
        "captions": CHART_CAPTIONS,
        "account_kind_words": ACCOUNT_KIND_WORDS,
        "liability_words": LIABILITY_WORDS,
        "has_loan": bool(doc["margin"]["has_loan"]),
        "has_line": bool(doc["defense"]["credit_available"]),
    }


def largest_holdings(holdings: Sequence[Mapping[str, Any]], limit: int = PDF_HOLDINGS) -> tuple[list[Any], int]:
    """The rows a capped table shows and how many it leaves out (said on the page, never silently dropped).

    Up to `limit` holdings, all shown in the ledger's order; beyond that the largest by value, with holdings
    that could not be valued first (they are data problems the reader must see).
    """
    if len(holdings) <= limit:
        return list(holdings), 0
    ranked = sorted(holdings, key=lambda h: by_size(h["value"], str(h["ticker"])))
    return ranked[:limit], len(holdings) - limit
