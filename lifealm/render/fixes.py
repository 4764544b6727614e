"""What to do about each finding: one fix per finding code, shown by `lifealm check`, the page and the PDF."""

from __future__ import annotations

from lifealm.i18n import N_

FINDING_FIX = {
    "missing_price": N_("add a close on or before the report date with `lifealm import prices FILE` (ticker, "
    "price_date, close_price) or `lifealm update`; if the holding was sold, set its shares to 0"),
    "stale_price": N_("add the latest closes with `lifealm import prices FILE` or `lifealm update`, or raise the "
    "`stale_price_days` assumption if this security trades rarely"),
    "missing_fx_rate": N_("add a rate on or before the report date with `lifealm import fx FILE` (currency, rate_date, "
    "rate) or `lifealm update`"),
    "stale_fx_rate": N_("add a recent rate with `lifealm import fx FILE` or `lifealm update`"),
    "negative_balance": N_("check the balance; if it is a real overdraft, nothing to do (it counts against the "
                           "defense)"),
    "credit_over_limit": N_("correct the line's balance or credit_limit with `lifealm import loans FILE`"),
    "no_dividend_data": N_("add its dividends (actual or announced) with `lifealm import dividends FILE`, or ignore "
    "this if it pays none"),
    "no_expenses": N_("add the monthly expenses with `lifealm import expenses FILE` (category, monthly_amount)"),
    "no_holdings": N_("add the holdings with `lifealm import holdings FILE` (ticker, shares, cost_basis)"),
    "no_prices": N_("add closes with `lifealm import prices FILE` or `lifealm update`, or report a later date with "
    "--as-of"),
    "no_fx_rates": N_("add exchange rates with `lifealm import fx FILE` or `lifealm update`"),
    "secured_loan_without_collateral": N_("add the pledged holdings and their prices, or correct the margin loan's "
    "balance with `lifealm import loans FILE`"),
    "update_failed": N_("no source in the security's chain answered (the detail quotes each one): run `lifealm "
    "update` again later, or correct the security's `source`"),
    "update_withheld": N_("confirm the split with `lifealm update --confirm-split TICKER DATE` (the split finding "
    "names the date): the rows then come through"),
    "update_note": N_("nothing to do: a note on what the source sent"),
    "fx_update_failed": N_("run `lifealm update` again later, or add the rate with `lifealm import fx FILE`"),
    "split_needs_confirmation": N_("check the new share count with your broker, then run `lifealm update "
    "--confirm-split TICKER DATE`: it sets shares × the ratio (or `--shares N`) and the forecast dividends ÷ the "
    "ratio once, and fetches the adjusted history"),
    "split_reported": N_("nothing to do: the split is already in the ledger's share count"),
    "montecarlo_annual_steps": N_("lower the `mc_paths` or `mc_years` assumption (`lifealm assumptions` shows them) "
    "for monthly steps, or accept yearly steps"),
    "collateral_account_not_pledged": N_("name a taxable, pledged account as the loan's collateral_account, or "
    "leave it empty (`lifealm export loans`, edit, `lifealm import loans FILE`)"),
    "unknown_collateral_account": N_("add the account with `lifealm import accounts FILE`, or correct the loan's "
    "collateral_account"),
    "margin_loans_combined": N_("set each margin loan's collateral_account to the account it is secured by "
    "(`lifealm export loans`, edit, `lifealm import loans FILE`): each broker is then measured on its own"),
    "payment_below_interest": N_("check the loan's monthly_payment and rate (`lifealm export loans`)"),
    "loan_past_maturity": N_("update the loan's balance, or remove it with `lifealm remove loans NAME` once repaid"),
    "unreadable_row": N_("correct the cell named in the detail (`lifealm export KIND`, edit the file, `lifealm "
    "import KIND FILE`, or the sqlite3 shell); until then the row is left out"),
    "unusual_text": N_("correct the text named in the detail (`lifealm export KIND`, edit the file, `lifealm import "
    "KIND FILE`); lifealm's import refuses such text"),
}


def fix_for(code: str) -> str:
    """The fix for a finding code; an unknown code still says where to look."""
    return FINDING_FIX.get(code, "see `lifealm check` and the README's section on findings")
