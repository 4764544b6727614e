"""The yardstick for `lifealm simulate`: the same calculator model in plain numpy, as a standalone script.

`lifealm simulate --initial 100000000 --years 40 --steps monthly --paths 10000` (seed 42) runs the parametric
engine on a portfolio with no loan, cash, income or dividends: lognormal monthly stock returns (7 % mean, 20 %
deviation a year), normal inflation (2 % ± 1 %), 4 % of the start spent a year, raised with inflation each year,
paid monthly at the end of each month. This script draws the same random numbers in the same order and steps
the same arithmetic, so it prints the same success probability; only numpy and the standard library are imported.
"""

from __future__ import annotations

import json
import math

import numpy as np

PORTFOLIO, YEARS, PER_YEAR, PATHS, SEED = 100_000_000.0, 40, 12, 10_000, 42
MEAN, VOLATILITY, INFLATION, INFLATION_STD, RATE = 0.07, 0.20, 0.02, 0.01, 0.04


def main() -> None:
    rng = np.random.default_rng(SEED)
    dt = 1.0 / PER_YEAR
    shape = (YEARS * PER_YEAR, PATHS)
    growth = rng.standard_normal(size=shape)
    inflation = rng.standard_normal(size=shape)
    sigma2 = math.log1p((VOLATILITY / (1.0 + MEAN)) ** 2)  # lognormal with this arithmetic mean and deviation
    growth *= math.sqrt(sigma2) * math.sqrt(dt)
    growth += (math.log(1.0 + MEAN) - sigma2 / 2.0) * dt
    np.exp(growth, out=growth)
    inflation *= INFLATION_STD * math.sqrt(dt)
    inflation += (1.0 + INFLATION) ** dt - 1.0

    tolerance = 1e-9 * PORTFOLIO
    first = RATE * PORTFOLIO
    value = np.full(PATHS, PORTFOLIO)
    index = np.ones(PATHS)
    failed = np.full(PATHS, -1, dtype=np.int64)
    for year in range(YEARS):
        spend_dt = (index * first if year > 0 else np.full(PATHS, first)) * dt
        for month in range(PER_YEAR):
            step = year * PER_YEAR + month
            value *= growth[step]
            value = value - spend_dt
            unmet = value < -tolerance
            np.maximum(value, 0.0, out=value)
            failed[unmet & (failed < 0)] = step + 1
            index *= 1.0 + inflation[step]
    print(json.dumps({"success_probability": float(np.mean(failed < 0)),
                      "p50_final": float(np.percentile(value, 50))}))


if __name__ == "__main__":
    main()
