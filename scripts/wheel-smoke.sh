#!/usr/bin/env bash
# Build the wheel, install it into a fresh venv outside the source tree, and render a report with it:
# proves templates, migrations and data ship inside the package.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
PYTHONWARNINGS=ignore "$root/.venv/bin/pip" wheel --quiet --no-deps --no-build-isolation -w "$work/dist" "$root"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/requirements.lock"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "$work"/dist/lifealm-*.whl
cd "$work"  # not the source tree, so nothing is imported from it
env -u LIFEALM_DB -u LIFEALM_CONFIG -u LIFEALM_OUT XDG_CONFIG_HOME="$work/config" \
    "$work/venv/bin/lifealm" demo --db "$work/ledger.db" --as-of 2026-11-25 >/dev/null
env -u LIFEALM_CONFIG XDG_CONFIG_HOME="$work/config" \
    "$work/venv/bin/lifealm" report --db "$work/ledger.db" --out "$work/site" --as-of 2026-11-25 >/dev/null
for f in index.html 2026-11-25/index.html 2026-11-25/briefing.pdf 2026-11-25/briefing.json; do
    [ -s "$work/site/$f" ] || { echo "wheel smoke test: $f missing" >&2; exit 1; }
done
# the schema ships in the wheel and the report it rendered meets it
"$work/venv/bin/python" -c 'import json, sys
from lifealm.schema import briefing_problems
problems = briefing_problems(json.load(open(sys.argv[1], encoding="utf-8")))
sys.exit("wheel smoke test: briefing.json breaks the shipped schema: " + "; ".join(problems[:5]) if problems else 0)' \
    "$work/site/2026-11-25/briefing.json"
# The compiled Japanese catalogue ships in the wheel (lang = "ja" / --lang ja needs it).
"$work/venv/bin/python" -c 'from lifealm.i18n import translations; assert translations("ja").gettext("Net worth") != "Net worth"' \
    || { echo "wheel smoke test: the Japanese catalogue (lifealm/i18n/locale/ja/LC_MESSAGES/lifealm.mo) is missing" >&2; exit 1; }
echo "wheel smoke test: the installed wheel rendered a complete report that meets the shipped schema, and carries the Japanese catalogue"
