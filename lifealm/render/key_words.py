"""Keys the briefing shows as they are named in the code (assumptions, finding details and subjects), in words for
languages other than English; English shows the names themselves, as it always has."""

from __future__ import annotations

from lifealm.i18n import N_

ASSUMPTION_WORDS = {
    "base_currency": N_("base currency"),
    "caution_ratio": N_("margin ratio from which the status is Caution"),
    "stale_price_days": N_("days after which a price is stale"),
    "stress_step": N_("step between the stress ladder's drops"),
    "stress_max": N_("largest drop of the stress ladder"),
    "dividend_tax": N_("tax on dividends in taxable accounts"),
    "default_dividend_growth": N_("dividend growth of a holding with none of its own"),
    "reinvest_dividends": N_("dividends are reinvested"),
    "monthly_contribution": N_("monthly contribution"),
    "reinvest_yield": N_("yield on reinvested money and contributions"),
    "projection_years": N_("years of the dividend projection"),
    "mc_paths": N_("Monte Carlo paths"),
    "mc_years": N_("Monte Carlo horizon in years"),
    "plan_to_age": N_("age the plan lasts to (youngest adult)"),
    "mc_seed": N_("Monte Carlo random seed"),
    "market_return": N_("expected market return a year"),
    "market_volatility": N_("market volatility a year"),
    "inflation": N_("inflation a year"),
    "inflation_std": N_("standard deviation of inflation"),
    "dividend_growth_std": N_("standard deviation of dividend growth"),
}

# A finding's detail keys, and the subjects that name a kind of ledger data rather than a row.
FINDING_WORDS = {
    "as_of": N_("as of"),
    "balance": N_("balance"),
    "currency": N_("currency"),
    "effect": N_("effect"),
    "fire_ratio_and_crossover_unknown": N_("FIRE ratio and crossover year unknown"),
    "limit": N_("limit"),
    "drawn": N_("drawn"),
    "price_date": N_("price date"),
    "rate_date": N_("rate date"),
    "age_days": N_("age in days"),
    "limit_days": N_("limit in days"),
    "portfolio_value": N_("portfolio value"),
    "shares": N_("shares"),
    "mc_paths": N_("Monte Carlo paths"),
    "mc_years": N_("Monte Carlo horizon in years"),
    "max_cells": N_("largest simulation size"),
    "holdings": N_("holdings"),
    "prices": N_("prices"),
    "fx_rates": N_("exchange rates"),
    "expenses": N_("expenses"),
    "loans": N_("loans"),
    "assumptions": N_("assumptions"),
}
