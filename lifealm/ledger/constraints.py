"""A sentence for every schema constraint: SQLite's refusal turned into the row, the column and the fix.

The schema names each CHECK constraint; SQLite's message carries that name ("CHECK constraint failed: NAME"),
the columns of a UNIQUE or NOT NULL constraint, or the table and column of a STRICT type refusal. The raw text
never reaches the user: `explain` returns the sentence, and an unknown message still gives a sentence that
names the row and says nothing was written.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    """What a constraint asks of a row: the column(s) to look at, what they must hold, and how to fix it."""

    column: str
    requirement: str
    fix: str


_DATE = "a date written YYYY-MM-DD"
_FLAG = "0 or 1 (or yes/no, true/false)"
_CURRENCY = "a three-letter currency code such as JPY or USD"
_ACCOUNT_KINDS = "taxable, nisa_growth, nisa_tsumitate, ideco or other"

CHECKS: dict[str, Rule] = {
    "account_name_empty": Rule("name", "an account needs a name", "give the account a name"),
    "account_kind": Rule("kind", f"the account kind must be one of {_ACCOUNT_KINDS}", "use one of those kinds"),
    "account_pledged_flag": Rule("pledged", f"pledged must be {_FLAG}, or empty for the kind's default",
                                 "correct the pledged cell"),
    "account_pledged_kind": Rule("pledged", "NISA and iDeCo holdings can never be pledged as collateral",
                                 "leave pledged empty (or 0) for this account, or correct its kind"),
    "account_dividend_tax_rate": Rule("dividend_tax_rate", "the dividend tax rate is a fraction from 0 to below 1 "
                                      "(0.20315 for 20.315 %)", "write it as a fraction, or leave it empty for "
                                      "the kind's default"),
    "security_ticker_empty": Rule("ticker", "a security needs a ticker", "fill in the ticker"),
    "security_currency": Rule("currency", f"the currency must be {_CURRENCY}", "correct the currency"),
    "security_dividend_growth": Rule("dividend_growth", "dividend growth is a yearly fraction above −1 and below 1 "
                                     "(0.05 for 5 %)", "write it as a fraction, or leave it empty"),
    "security_haircut": Rule("haircut", "the haircut (掛目) is the fraction of the value a lender counts, from 0 "
                             "to 1 (0.7 for 70 %)", "write it as a fraction from 0 to 1"),
    "holding_shares": Rule("shares", "shares cannot be negative", "correct the share count"),
    "holding_cost_basis": Rule("cost_basis", "the total cost cannot be negative", "correct the cost"),
    "holding_added_at": Rule("added_at", f"the acquired date must be {_DATE}", "correct the date"),
    "price_date": Rule("price_date", f"the price date must be {_DATE}", "correct the date"),
    "price_close": Rule("close_price", "a closing price must be above 0", "correct the price"),
    "dividend_ex_date": Rule("ex_date", f"the ex-date must be {_DATE}", "correct the date"),
    "dividend_pay_date": Rule("pay_date", f"the pay date must be {_DATE}", "correct the date or leave it empty"),
    "dividend_amount": Rule("amount_per_share", "a dividend cannot be negative", "correct the amount"),
    "dividend_projection_flag": Rule("is_projection", f"is_projection must be {_FLAG}", "correct the flag"),
    "loan_name_empty": Rule("name", "a loan needs a name", "give the loan a name"),
    "loan_kind": Rule("kind", "the loan kind must be margin, credit_line or amortizing", "use one of those kinds"),
    "loan_balance": Rule("balance", "a loan balance cannot be negative", "correct the balance"),
    "loan_rate": Rule("rate", "the interest rate is a yearly fraction from 0 to below 1 (0.02 for 2 %)",
                      "write the rate as a fraction"),
    "loan_credit_limit": Rule("credit_limit", "a credit limit cannot be negative", "correct the limit"),
    "loan_monthly_payment": Rule("monthly_payment", "a monthly payment must be above 0", "correct the payment"),
    "loan_maturity": Rule("maturity", f"the maturity must be {_DATE}", "correct the date or leave it empty"),
    "loan_margin_thresholds": Rule(
        "freeze_pct/margin_call_pct/forced_liq_pct/target_ratio",
        "a margin loan needs its three thresholds in order, 0 < freeze ≤ margin call ≤ forced liquidation ≤ 1, "
        "and a target ratio above 0 and at most the forced-liquidation threshold",
        "fill in the thresholds your broker uses, e.g. 0.60, 0.70, 0.85 and target 0.65"),
    "loan_credit_line_limit": Rule("credit_limit", "a standby credit line needs its credit limit",
                                   "fill in credit_limit, or give the loan another kind (margin or amortizing)"),
    "loan_amortizing_payment": Rule("monthly_payment", "an amortizing loan (a mortgage, a car loan) needs its "
                                    "monthly payment", "fill in monthly_payment (interest included)"),
    "loan_payment_amortizing_only": Rule("monthly_payment", "only an amortizing loan has a monthly payment; a "
                                         "margin loan or credit line pays interest only",
                                         "leave monthly_payment empty, or set kind to amortizing"),
    "loan_collateral_margin_only": Rule("collateral_account", "only a margin loan is secured by an account",
                                        "leave collateral_account empty, or set kind to margin"),
    "cash_name_empty": Rule("name", "a cash account needs a name", "give it a name"),
    "cash_currency": Rule("currency", f"the currency must be {_CURRENCY}", "correct the currency"),
    "other_asset_name_empty": Rule("name", "an asset needs a name", "give it a name"),
    "other_asset_value": Rule("value", "an asset's value cannot be negative", "correct the value"),
    "other_asset_liquid_flag": Rule("liquid", f"liquid must be {_FLAG}", "correct the flag"),
    "other_asset_currency": Rule("currency", f"the currency must be {_CURRENCY}", "correct the currency"),
    "expense_category_empty": Rule("category", "an expense needs a category", "give it a category"),
    "expense_amount": Rule("monthly_amount", "a monthly amount cannot be negative", "correct the amount"),
    "expense_essential_flag": Rule("essential", f"essential must be {_FLAG}", "correct the flag"),
    "expense_start_date": Rule("start_date", f"the start date must be {_DATE}", "correct it or leave it empty"),
    "expense_end_date": Rule("end_date", f"the end date must be {_DATE}", "correct it or leave it empty"),
    "expense_dates_order": Rule("start_date/end_date", "the expense ends before it starts",
                                "swap or correct the two dates"),
    "income_source_empty": Rule("source", "an income needs a source", "give it a source"),
    "income_amount": Rule("monthly_amount", "a monthly amount cannot be negative", "correct the amount"),
    "income_kind": Rule("kind", "the income kind must be salary, side, pension, rent or other",
                        "use one of those kinds"),
    "income_annual_change": Rule("annual_change", "the yearly change is a fraction above −1 and below 1 "
                                 "(−0.05 for 5 % less each year)", "write it as a fraction"),
    "income_start_date": Rule("start_date", f"the start date must be {_DATE}", "correct it or leave it empty"),
    "income_end_date": Rule("end_date", f"the end date must be {_DATE}", "correct it or leave it empty"),
    "income_dates_order": Rule("start_date/end_date", "the income ends before it starts",
                               "swap or correct the two dates"),
    "event_name_empty": Rule("name", "an event needs a name", "give it a name"),
    "event_date": Rule("event_date", f"the event date must be {_DATE}", "correct the date"),
    "event_amount": Rule("amount", "an event's amount cannot be negative (direction says income or expense)",
                         "write the amount without a sign and set direction"),
    "event_direction": Rule("direction", "direction must be income or expense", "use one of the two"),
    "event_basis": Rule("basis", "basis must be real (in today's money) or nominal (as it will be paid)",
                        "use one of the two"),
    "member_name_empty": Rule("name", "a member needs a name", "give them a name"),
    "member_birth_date": Rule("birth_date", f"the birth date must be {_DATE}", "correct the date"),
    "fx_currency": Rule("currency", f"the currency must be {_CURRENCY}", "correct the currency"),
    "fx_rate_date": Rule("rate_date", f"the rate date must be {_DATE}", "correct the date"),
    "fx_rate": Rule("rate", "an exchange rate must be above 0", "correct the rate"),
    "snapshot_date": Rule("snapshot_date", f"the snapshot date must be {_DATE}", "correct the date"),
    "snapshot_status": Rule("status", "the status must be SAFE, CAUTION, DANGER or NO DATA", "correct the status"),
}

# What a row of each table refers to, for a foreign-key refusal on writing, and what refers to it, on removing.
REFERS_TO: dict[str, str] = {
    "holdings": "its account (add it with `lifealm import accounts`) and its security (a holdings file with the "
                "security's columns adds it)",
    "prices": "a security the ledger does not have (add it with `lifealm import securities`, or import holdings)",
    "dividends": "a security the ledger does not have (add it with `lifealm import securities`, or import "
                 "holdings)",
    "loans": "its collateral account, which the ledger does not have (add it with `lifealm import accounts`)",
}
REFERRED_BY: dict[str, str] = {
    "accounts": "holdings are still in this account, or a margin loan names it as collateral",
    "securities": "holdings, prices or dividends still refer to this security",
}

_CHECK = re.compile(r"CHECK constraint failed: (\w+)")
_COLUMNS = re.compile(r"(UNIQUE|NOT NULL) constraint failed: (.+)")
_STRICT = re.compile(r"cannot store (\w+) value in (\w+) column (\w+)\.(\w+)")
_TYPE_WORDS = {"REAL": "a number", "INTEGER": "a whole number", "TEXT": "text"}


def explain(exc: sqlite3.Error, *, where: str, table: str, removing: bool = False) -> str:
    """One sentence for SQLite's refusal of a row: `where` names the row (file and line, or table and key)."""
    text = str(exc)
    if found := _CHECK.search(text):
        rule = CHECKS.get(found.group(1))
        if rule is not None:
            return f"{where}: {rule.column}: {rule.requirement}; {rule.fix}."
    if found := _STRICT.search(text):
        _, wanted, _, column = found.groups()
        return (f"{where}: {column}: must be {_TYPE_WORDS.get(wanted, wanted.lower())}; correct the cell "
                "(the ledger stores each column in one type only).")
    if found := _COLUMNS.search(text):
        kind, spec = found.groups()
        columns = ", ".join(part.strip().split(".")[-1] for part in spec.split(","))
        if kind == "UNIQUE":
            return (f"{where}: {columns}: another row already has the same {columns}; each must be unique, so "
                    "change it or update the existing row instead.")
        return f"{where}: {columns}: cannot be empty; fill it in."
    if "FOREIGN KEY constraint failed" in text:
        if removing:
            reason = REFERRED_BY.get(table, "other rows still refer to it")
            return f"{where}: cannot be removed: {reason}; remove or move those first."
        reason = REFERS_TO.get(table, "a row the ledger does not have")
        return f"{where}: refers to {reason}."
    return f"{where}: the ledger refused this row ({type(exc).__name__}); nothing was written."
