"""Ask each live source one small question (`make smoke-online`): run it on your own machine, with the internet.

Not a test: the sources are unofficial or change without notice, so this tells you whether they answer today,
in the formats lifealm reads. It sends six requests, about one a second, and exits 1 if any source failed.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta

from lifealm.update import PriceAnswer, Sources, UpdateConfig
from lifealm.update.model import FxAnswer

PRICE_CHECKS = [("yahoo", "7203.T", "JPY"), ("yahoo", "VOO", "USD"), ("toushin", "JP90C000H1T1/0331418A", "JPY")]
FX_CHECKS = [("ecb", "USD"), ("boj", "USD")]


def main() -> int:
    today = date.today()
    start = today - timedelta(days=14)
    sources = Sources.standard(UpdateConfig())
    print(f"HTTP client: {sources.client.transport.name}")
    failures = 0
    try:
        for name, symbol, currency in PRICE_CHECKS:
            answer: PriceAnswer = sources.prices[name].fetch(symbol, start, today)
            if answer.series is None or not answer.series.closes:
                failures += 1
                print(f"FAIL {name}:{symbol}: {answer.problem.describe() if answer.problem else 'no closes'}")
                continue
            last = answer.series.closes[-1]
            flag = "" if answer.series.currency == currency else f"  (expected {currency}!)"
            print(f"ok   {name}:{symbol}: {len(answer.series.closes)} closes, last {last.day} = {last.close} "
                  f"{answer.series.currency}{flag}")
            failures += bool(flag)
        for name, currency in FX_CHECKS:
            rates: FxAnswer = sources.fx[name].fetch_rates(currency, "JPY", start, today)
            if rates.rates is None or not rates.rates.rates:
                failures += 1
                print(f"FAIL {name} {currency}/JPY: {rates.problem.describe() if rates.problem else 'no rates'}")
                continue
            newest = rates.rates.rates[-1]
            print(f"ok   {name} {currency}/JPY: last {newest.day} = {newest.rate}")
    finally:
        sources.client.close()
    print(f"{sources.client.requests} requests; {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
