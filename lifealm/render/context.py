"""The render context: briefing.json's dict (the contract) plus display labels; no numbers formatted here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lifealm.charts.collect import ALLOCATION_BARS, by_size
from lifealm.drawable import drawable_tree
from lifealm.i18n import DEFAULT_LANGUAGE, N_, translations
from lifealm.models.margin import Status
from lifealm.render.fixes import FINDING_FIX

# The PDF lists this many of the largest holdings when there are more; the HTML and briefing.json list all.
PDF_HOLDINGS = 25

# Keyed by the Status enum (a StrEnum: its members look up as their strings too).
STATUS_WORDS: dict[str, str] = {Status.SAFE: N_("Safe"), Status.CAUTION: N_("Caution"), Status.DANGER: N_("Danger"),
                                Status.NO_DATA: N_("No data")}
_STATUS_CLASSES: dict[str, str] = {Status.SAFE: "good", Status.CAUTION: "warn", Status.DANGER: "bad",
                                   Status.NO_DATA: "nodata"}

# Why the ledger cannot answer (briefing.json's `missing`), and how to add what is missing.
NO_DATA_TEXT = {
    "no_holdings": (N_("No holdings are recorded (or every holding has zero shares), so there is nothing to value."),
                    N_("add them with `lifealm import holdings FILE` (columns ticker, shares, cost_basis), "
                    "or run `lifealm demo` to see a complete example ledger")),
    "no_prices": (N_("None of the holdings has a price on or before the report date, so the portfolio cannot be "
                  "valued."), N_("add closes with `lifealm import prices FILE` (columns ticker, price_date, "
                  "close_price) or fetch them with `lifealm update`, or report a later date with --as-of")),
    "no_fx_rates": (N_("The holdings are in foreign currencies with no exchange rate on or before the report date."),
                    N_("add rates with `lifealm import fx FILE` (columns currency, rate_date, rate) or fetch them "
                    "with `lifealm update`")),
    "no_expenses": (N_("No monthly expenses are recorded, so what the household needs to live on is unknown."),
                    N_("add them with `lifealm import expenses FILE` (columns category, monthly_amount)")),
}

ZONE_WORDS = {
    "SAFE": N_("safe"),
    "FROZEN": N_("frozen"),
    "MARGIN_CALL": N_("margin call"),
    "FORCED_LIQUIDATION": N_("forced liquidation"),
}

LEVEL_WORDS = {"FROZEN": N_("freeze"), "MARGIN_CALL": N_("margin-call"), "FORCED_LIQUIDATION": N_("forced-liquidation")}

ACCOUNT_KIND_WORDS = {
    "taxable": N_("taxable"),
    "nisa_growth": N_("NISA growth"),
    "nisa_tsumitate": N_("NISA tsumitate"),
    "ideco": N_("iDeCo"),
    "other": N_("other"),
}

LIABILITY_WORDS = {
    "secured_loan": N_("margin loan"),
    "margin": N_("margin loan"),
    "credit_line": N_("credit line, drawn"),
    "amortizing": N_("repaid monthly"),
}

CHANGE_LABELS = {
    "status": N_("Status"),
    "portfolio_value": N_("Portfolio"),
    "margin_ratio": N_("Margin ratio"),
    "net_worth": N_("Net worth"),
    "max_survivable_drawdown": N_("Max survivable drop"),
    "cash": N_("Cash"),
    "margin_balance": N_("Margin loan"),
    "monthly_cashflow": N_("Monthly cash flow"),
    "fire_ratio": N_("FIRE ratio"),
    "success_probability": N_("Monte Carlo success"),
}

FINDING_TEXT = {
    "missing_price": N_("No price on or before the report date: the holding is left out of the portfolio value."),
    "stale_price": N_("The latest price is older than the staleness limit."),
    "missing_fx_rate": N_("No exchange rate for this currency: the amount is left out."),
    "negative_balance": N_("The cash balance is negative (an overdraft)."),
    "credit_over_limit": N_("More is drawn on the credit line than its limit."),
    "no_dividend_data": N_("No dividend history or projection: counted as paying nothing."),
    "no_expenses": N_("No expenses recorded: the household's needs, the FIRE ratio and the crossover year are "
                      "unknown."),
    "no_holdings": N_("No holdings recorded: there is no portfolio to value."),
    "no_prices": N_("No holding has a price on or before the report date: the portfolio cannot be valued."),
    "no_fx_rates": N_("No exchange rate for the holdings' currencies: the portfolio cannot be valued."),
    "secured_loan_without_collateral": N_("A margin loan is outstanding with no collateral: no pledged holding has "
    "a value."),
    "stale_fx_rate": N_("The latest exchange rate is older than the staleness limit."),
    "unreadable_row": N_("A row holds a value the models cannot use (edited outside lifealm): the row is left out."),
    "unusual_text": N_("Text edited outside lifealm that no page can show as it is: it is shown cut or replaced."),
    "update_failed": N_("The price update found no source that answered for this security."),
    "update_withheld": N_("Updated rows are held back until a split is confirmed."),
    "update_note": N_("A note from the price update."),
    "fx_update_failed": N_("The exchange-rate update found no source that answered."),
    "split_needs_confirmation": N_("A stock split after the last stored close: the share count needs confirming."),
    "split_reported": N_("A stock split was reported by the price source."),
    "montecarlo_annual_steps": N_("The Monte Carlo ran in yearly steps: monthly steps would outgrow memory."),
    "collateral_account_not_pledged": N_("A margin loan names an account whose holdings cannot be pledged (NISA, "
    "iDeCo, or marked not pledged): it secures nothing."),
    "unknown_collateral_account": N_("A margin loan names a collateral account the ledger does not have."),
    "margin_loans_combined": N_("This margin loan names no collateral account, so all the margin loans are measured "
    "as one position on every pledged account: a broker that calls margin on its own account alone is not seen."),
    "payment_below_interest": N_("The loan's monthly payment is below its interest: the balance grows."),
    "loan_past_maturity": N_("The loan is past its maturity date and still has a balance."),
}

CHART_CAPTIONS = {
    "margin-curve": N_("Margin ratio after each market drop; dashed lines are the loan's freeze, call and "
    "forced-liquidation levels, the dotted line the largest survivable drop."),
    "stress-ladder": N_("Cash needed at each drop to stay clear of forced liquidation, against the defense with "
    "and without the standby line."),
    # {bars} is filled in where the captions are translated (base_context).
    "allocation": N_("Portfolio value by security, over all accounts; beyond the {bars} largest, the rest "
                     "are summed in one bar."),
    "dividends": N_("Projected after-tax dividends per year against annual expenses grown by inflation, plus loan "
    "interest."),
    "net-worth-history": N_("Net worth at each briefing; before the last year, at each month's last briefing."),
    "margin-history": N_("Margin ratio at each briefing (before the last year, each month's last); the dashed line "
    "is the freeze level."),
    "success-history": N_("Monte Carlo success probability at each briefing that ran the simulation (before the "
    "last year, each month's last)."),
    # A caption is formatted (% and {bars}) after translation, so a literal percent sign is written %%.
    "montecarlo-fan": N_("Simulated net worth: the wide band holds 80 %% of paths, the narrow one 50 %%, the line "
    "is the median."),
    "montecarlo-failures": N_("When the failing paths first could not pay for the household's spending."),
    "timeline": N_("Income above the line, expenses below, one-off events stacked on them, per year from today in "
    "today's money; the line is the net, the dashed markers where a stream starts or ends."),
}


def stale_sentence(doc: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> str | None:
    """What the briefing says first when its prices are stale ("Prices are from 2026-11-27: the update failed:
    …"), from briefing.json's `freshness`; None when they are fresh (or the document predates `freshness`)."""
    fresh = doc.get("freshness")
    if not isinstance(fresh, Mapping) or not fresh.get("stale"):
        return None
    oldest = fresh.get("oldest_price_date")
    words = translations(lang)
    start = words.gettext(N_("Prices are from %(day)s")) % {"day": oldest} if oldest \
        else words.gettext(N_("There are no prices"))
    update = fresh.get("update")
    if fresh.get("update_failed") and isinstance(update, Mapping):
        problem = update.get("problem") or words.gettext(N_("no source answered"))
        return words.gettext(N_("%(start)s: the update failed: %(problem)s")) % {"start": start, "problem": problem}
    count = fresh.get("stale_holdings") or 0
    days = (doc.get("assumptions") or {}).get("stale_price_days")
    return words.ngettext("%(start)s: %(num)s holding without a close in the last %(days)s days",
                          "%(start)s: %(num)s holdings without a close in the last %(days)s days",
                          count) % {"start": start, "num": count, "days": days}


def status_class(status: str) -> str:
    """CSS class for a status: green, amber or red."""
    return _STATUS_CLASSES.get(status, "warn")


def words(table: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A table of display strings (marked N_ above; a tuple is translated item by item) in `lang`."""
    gettext = translations(lang).gettext
    return {key: tuple(gettext(t) for t in text) if isinstance(text, tuple) else gettext(text)
            for key, text in table.items()}


def status_label(status: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The status as a badge shows it: the code (SAFE) in English, the word (安全) in other languages."""
    if lang == DEFAULT_LANGUAGE:
        return status
    return str(words(STATUS_WORDS, lang).get(status, status))


def margin_word(doc: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> str:
    """The margin card's word, in agreement with the banner: the zone past freeze, else the status's own word."""
    zone, status = str(doc["margin"]["zone"]), str(doc["status"])
    gettext = translations(lang).gettext
    if status == "NO DATA":
        return gettext(N_("no data"))
    if zone != "SAFE":
        return gettext(ZONE_WORDS[zone]) if zone in ZONE_WORDS else zone
    if status == "CAUTION":
        return gettext(N_("caution: at or above the caution level"))
    return gettext(N_("safe")) if status == "SAFE" else gettext(STATUS_WORDS.get(status, status)).lower()


_ZONE_ORDER = ("SAFE", "FROZEN", "MARGIN_CALL", "FORCED_LIQUIDATION")


def today_margin(doc: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The margin section today's sentence speaks of: the headline position when it is past a threshold, else (loans
    at several brokers) the position in the worst zone, with the repayment over every position; None if neither is.
    """
    margin = doc.get("margin")
    if not isinstance(margin, Mapping):
        return None
    if margin.get("zone") in _ZONE_ORDER[1:]:
        return margin
    positions = [p for p in margin.get("positions") or () if isinstance(p, Mapping) and p.get("zone") in _ZONE_ORDER]
    worst = max(positions, key=lambda p: _ZONE_ORDER.index(p["zone"]), default=None)
    if worst is None or worst["zone"] == "SAFE":
        return None
    return {**margin, "zone": worst["zone"], "ratio": worst.get("ratio"), "thresholds": worst.get("thresholds")}


def base_context(doc: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """Context shared by the screen and print pages: the document (its text made drawable) and its labels in `lang`.

    Ledger text enters the pages only here: every string of briefing.json passes through `drawable_tree`, so a
    name edited in with another tool can neither break the PDF nor stall its layout (briefing.json keeps it).
    """
    doc = drawable_tree(doc)
    return {
        "lang": lang,
        "b": doc,
        "currency": doc["base_currency"],
        "status_word": words(STATUS_WORDS, lang).get(doc["status"], doc["status"]),
        "status_class": status_class(doc["status"]),
        "status_label": status_label(doc["status"], lang),
        "status_labels": {status: status_label(status, lang) for status in STATUS_WORDS},
        "stale_sentence": stale_sentence(doc, lang),
        "zone_words": words(ZONE_WORDS, lang),
        "margin_word": margin_word(doc, lang),
        "level_words": words(LEVEL_WORDS, lang),
        "change_labels": words(CHANGE_LABELS, lang),
        "finding_text": words(FINDING_TEXT, lang),
        "finding_fix": words(FINDING_FIX, lang),
        "no_data_text": words(NO_DATA_TEXT, lang),
        "captions": {key: (text % {}).format(bars=ALLOCATION_BARS)
                     for key, text in words(CHART_CAPTIONS, lang).items()},
        "account_kind_words": words(ACCOUNT_KIND_WORDS, lang),
        "liability_words": words(LIABILITY_WORDS, lang),
        "has_loan": bool(doc["margin"]["has_loan"]),
        "today_margin": today_margin(doc),
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
