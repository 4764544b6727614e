"""The demo briefing in Japanese: the page, the PDF (pdftotext) and the e-mail carry the English figures, and none
of lifealm's own English sentences is left in them (names from the ledger aside)."""

from __future__ import annotations

import email
import email.policy
import json
import math
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner
from demo_ledgers import demo_copy

import lifealm.cli.deliver_cmds  # noqa: F401 - registers the commands on the group
from lifealm.cli import cli
from lifealm.pipeline import build_report
from lifealm.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
DAY = date(2026, 11, 25)
STATUS_JA = {"SAFE": "安全", "CAUTION": "注意", "DANGER": "危険", "NO DATA": "データなし"}
HAS_PDFTOTEXT = shutil.which("pdftotext") is not None


class _Text(HTMLParser):
    """The visible text of a page (its title included), and the text of each element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag not in ("meta", "link", "br", "img", "input"):
            self._open.append((tag, dict(attrs).get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        for _, ident in self._open:
            if ident:
                self.by_id.setdefault(ident, []).append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())

    def of(self, ident: str) -> str:
        return " ".join("".join(self.by_id[ident]).split())


def _page(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def _pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True)
    return done.stdout


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The demo reported twice from identical ledgers: English by default, Japanese by `lang = "ja"` in the config
    (report) and --lang ja (e-mail); each e-mail written by `lifealm email --dry-run`."""
    root = tmp_path_factory.mktemp("i18n")
    demo_copy(root / "en.db", as_of=DAY)
    shutil.copy(root / "en.db", root / "ja.db")
    (root / "ja.toml").write_text('lang = "ja"\n[mail]\nfrom = "a@example.org"\nto = "b@example.org"\n', "utf-8")
    (root / "en.toml").write_text('[mail]\nfrom = "a@example.org"\nto = "b@example.org"\n', "utf-8")
    result: dict[str, dict[str, Any]] = {}
    for lang in ("en", "ja"):
        settings = load_settings(db=root / f"{lang}.db", out=root / lang, config=root / f"{lang}.toml", environ={})
        assert settings.lang == lang
        outcome = build_report(settings, as_of=DAY)
        eml = root / f"{lang}.eml"
        args = ["email", "--db", str(root / f"{lang}.db"), "--out", str(root / lang), "--config",
                str(root / f"{lang}.toml"), "--as-of", DAY.isoformat(), "--dry-run", str(eml)]
        done = CliRunner().invoke(cli, args, env={"LIFEALM_CONFIG": None, "LIFEALM_MAIL_TO": None, "LIFEALM_LANG": None,
                                                  "LIFEALM_MAIL_FROM": None})
        assert done.exit_code == 0, done.output
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        html = outcome.html_path.read_text("utf-8")
        result[lang] = {
            "doc": json.loads(outcome.json_path.read_text("utf-8")),
            "index": outcome.html_path,
            "html": html,
            "page": _page(html),
            "archive": _page((root / lang / "archive.html").read_text("utf-8")),
            "specs": "\n".join(p.read_text("utf-8") for p in sorted((outcome.day_dir / "charts").iterdir())),
            "pdf": _pdf_text(outcome.pdf_path) if HAS_PDFTOTEXT else "",
            "subject": str(message["Subject"]),
            "mail_text": message.get_body(("plain",)).get_content(),  # type: ignore[union-attr]
            "mail_html": _page(message.get_body(("html",)).get_content()),  # type: ignore[union-attr]
        }
    return result


# --- figures: read back with this test's own parser (Japanese 億/万/円 forms included) -----------------------

_MONEY = re.compile(r"([+−±-]?)(?:[¥￥]([\d,]+(?:\.\d+)?)|((?:[\d,]+億)?(?:[\d,]+万)?(?:[\d,]+)?)円)")
_PERCENT = re.compile(r"([+−-]?)(\d+(?:\.\d+)?)\s*%")


def money_value(text: str) -> float:
    """¥125,000,110 / ￥125,000,110 / 1億2,500万110円 / −18万円 → the number of yen."""
    match = _MONEY.search(text)
    assert match and (match.group(2) or match.group(3)), text
    if match.group(2):
        amount = float(match.group(2).replace(",", ""))
    else:
        amount = 0.0
        rest = match.group(3)
        for unit, scale in (("億", 10**8), ("万", 10**4)):
            if unit in rest:
                head, rest = rest.split(unit, 1)
                amount += int(head.replace(",", "")) * scale
        amount += int(rest.replace(",", "")) if rest else 0
    return -amount if match.group(1) in ("−", "-") else amount


def percent_value(text: str) -> float:
    match = _PERCENT.search(text)
    assert match, text
    return (-1 if match.group(1) in ("−", "-") else 1) * float(match.group(2))


def _tokens(text: str) -> Counter[tuple[str, float]]:
    """Every money amount and percentage in a text, as numbers (the words around them do not matter)."""
    found: Counter[tuple[str, float]] = Counter()
    for match in _MONEY.finditer(text):
        if match.group(2) or match.group(3):
            found["money", money_value(match.group(0))] += 1
    for match in _PERCENT.finditer(text):
        found["percent", percent_value(match.group(0))] += 1
    return found


def _expected(doc: dict[str, Any]) -> dict[str, float]:
    """The headline figures worked from briefing.json: yen to the yen, ratios to 0.1 %, the drop toward zero."""
    return {
        "portfolio": round(doc["portfolio"]["value"]),
        "net_worth": round(doc["balance_sheet"]["net_worth"]),
        "margin": round(doc["margin"]["ratio"] * 100, 1),
        "drop": math.floor(doc["stress"]["max_survivable_drawdown"] * 1000) / 10,
        "success": round(doc["montecarlo"]["success_probability"] * 100, 1),
    }


def test_both_languages_report_the_same_briefing_json(outputs: dict[str, dict[str, Any]]) -> None:
    assert outputs["en"]["doc"] == outputs["ja"]["doc"]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_page_shows_briefing_json_figures(outputs: dict[str, dict[str, Any]], lang: str) -> None:
    page, doc = outputs[lang]["page"], outputs[lang]["doc"]
    want = _expected(doc)
    assert page.of("status") == (doc["status"] if lang == "en" else STATUS_JA[doc["status"]])
    assert money_value(page.of("m-portfolio")) == want["portfolio"]
    assert money_value(page.of("m-networth")) == want["net_worth"]
    assert percent_value(page.of("m-margin")) == want["margin"]
    assert abs(percent_value(page.of("m-survival"))) == want["drop"]
    assert percent_value(page.of("m-success")) == want["success"]
    assert f'<html lang="{lang}">' in outputs[lang]["html"]


def test_every_figure_on_the_page_is_the_same_in_both_languages(outputs: dict[str, dict[str, Any]]) -> None:
    english, japanese = _tokens(outputs["en"]["page"].text()), _tokens(outputs["ja"]["page"].text())
    assert len(english) > 40
    assert english == japanese


@pytest.mark.skipif(not HAS_PDFTOTEXT, reason="pdftotext (poppler-utils) is not installed")
def test_every_figure_in_the_pdf_is_the_same_in_both_languages(outputs: dict[str, dict[str, Any]]) -> None:
    want = _expected(outputs["ja"]["doc"])
    english, japanese = _tokens(outputs["en"]["pdf"]), _tokens(outputs["ja"]["pdf"])
    for tokens in (english, japanese):
        assert tokens["money", want["portfolio"]] and tokens["percent", want["margin"]]
        assert tokens["percent", want["drop"]] and tokens["percent", want["success"]]
    # The same figures; how often each is printed may differ (a table split over two pages repeats its header).
    assert set(english) == set(japanese)
    assert STATUS_JA[outputs["ja"]["doc"]["status"]] in outputs["ja"]["pdf"]


def test_the_email_carries_the_same_figures(outputs: dict[str, dict[str, Any]]) -> None:
    want = _expected(outputs["ja"]["doc"])
    for lang in ("en", "ja"):
        html = outputs[lang]["mail_html"]
        assert money_value(html.of("portfolio-value")) == want["portfolio"]
        assert money_value(html.of("net-worth")) == want["net_worth"]
        assert percent_value(html.of("margin-ratio")) == want["margin"]
        assert abs(percent_value(html.of("max-drop"))) == want["drop"]
        assert percent_value(html.of("success-probability")) == want["success"]
        assert _tokens(outputs[lang]["mail_text"]) == _tokens(html.text())
    assert _tokens(outputs["en"]["mail_text"]) == _tokens(outputs["ja"]["mail_text"])
    english, japanese = outputs["en"]["subject"], outputs["ja"]["subject"]
    assert english.startswith(f"[{outputs['en']['doc']['status']}] 2026-11-25")
    assert japanese.startswith(f"[{STATUS_JA[outputs['ja']['doc']['status']]}] 2026年11月25日")
    assert _tokens(english) == _tokens(japanese)


def test_yen_in_japanese_is_written_with_oku_and_man_where_the_readme_says(outputs: dict[str, Any]) -> None:
    """The net worth line of the page and the e-mail's portfolio value and net worth; the cards and tables keep ￥."""
    want = _expected(outputs["ja"]["doc"])
    oku_man = r"\d+億[\d,]+万[\d,]*円"
    assert re.fullmatch(oku_man, outputs["ja"]["page"].of("m-networth"))
    assert re.fullmatch(oku_man, outputs["ja"]["mail_html"].of("portfolio-value"))
    assert re.fullmatch(oku_man, outputs["ja"]["mail_html"].of("net-worth"))
    assert outputs["ja"]["page"].of("m-portfolio").startswith("￥")
    assert money_value(outputs["ja"]["page"].of("m-networth")) == want["net_worth"]


# --- no English of lifealm's own ---------------------------------------------------------------------------

def english_sentences() -> list[str]:
    """The longer pieces of lifealm's English, straight from the catalogue: each msgid cut at its placeholders and
    markup, keeping the pieces of two words or more and ten letters or more."""
    with (ROOT / "lifealm" / "i18n" / "locale" / "lifealm.pot").open("rb") as stream:
        catalog = read_po(stream)
    pieces: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        for msgid in (message.id,) if isinstance(message.id, str) else message.id:
            for piece in re.split(r"%\(\w+\)[sd]|\{\w+\}|<[^>]+>", msgid):
                piece = " ".join(piece.split()).strip(" .,:;·()")
                if " " in piece and len(piece) >= 10:
                    pieces.add(piece)
    return sorted(pieces)


def test_the_catalogue_gives_enough_english_to_look_for() -> None:
    sentences = english_sentences()
    assert len(sentences) > 30 and "What changed since the last briefing" in sentences


def _ledger_text(node: Any) -> set[str]:
    """Every text of briefing.json (names of holdings, accounts, loans, categories…, and codes): the ledger's own
    words, which the Japanese outputs show as the household wrote them."""
    if isinstance(node, dict):
        return set().union(*(_ledger_text(v) for v in node.values()), set())
    if isinstance(node, list):
        return set().union(*(_ledger_text(v) for v in node), set())
    return {" ".join(node.split())} if isinstance(node, str) and node.strip() else set()


def _japanese_outputs(outputs: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The Japanese outputs' text with the ledger's own words taken out (longest first)."""
    ja = outputs["ja"]
    texts = {"page": ja["page"].text(), "archive": ja["archive"].text(), "charts": ja["specs"],
             "pdf": " ".join(ja["pdf"].split()), "subject": ja["subject"],
             "mail text": " ".join(ja["mail_text"].split()), "mail html": ja["mail_html"].text()}
    names = sorted(_ledger_text(ja["doc"]), key=len, reverse=True)
    for where, text in texts.items():
        for name in names:
            text = text.replace(name, " ")
        texts[where] = text
    return texts


def test_no_english_sentence_of_lifealm_is_left_in_the_japanese_outputs(outputs: dict[str, dict[str, Any]]) -> None:
    left = {(where, sentence) for where, text in _japanese_outputs(outputs).items()
            for sentence in english_sentences() if sentence in text}
    assert left == set()


def test_the_english_outputs_do_contain_those_sentences(outputs: dict[str, dict[str, Any]]) -> None:
    """The check above can fail: the same search finds plenty in the English outputs."""
    en = outputs["en"]
    text = " ".join([en["page"].text(), en["subject"], en["mail_text"]])
    assert sum(sentence in text for sentence in english_sentences()) > 20


CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's) for this module's pages."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        yield instance
        instance.close()


def _open(browser: Any, index: Path) -> tuple[Any, list[str]]:
    """The page in Chromium with every chart drawn, and the console errors and warnings it gave."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(index.as_uri())
    page.wait_for_function("[...document.querySelectorAll('.chart')].every(el => el.querySelector('svg'))",
                           timeout=20_000)
    return page, errors


@pytest.mark.browser
@needs_chromium
def test_the_japanese_page_draws_every_chart_with_japanese_labels(outputs: dict[str, dict[str, Any]],
                                                                  browser: Any) -> None:
    """Vega in Chromium takes the Japanese number and time locale; titles and axes are in Japanese."""
    page, errors = _open(browser, outputs["ja"]["index"])
    try:
        drawn = page.eval_on_selector_all(".chart svg", "els => els.map(e => e.textContent)")
    finally:
        page.close()
    assert errors == []
    text = " ".join(drawn)
    for words in ("融資比率", "市場の下落率", "純資産の推移", "億"):
        assert words in text, words
    assert not any(sentence in text for sentence in english_sentences())


# --- tooltips: hovered in Chromium, read back as the reader sees them ---------------------------------------

# Each mark of a chart is given the pointer in turn (Vega's own event path); the tooltip table is read as
# {title: value}. A line's tooltip is answered by the invisible cells around its points (the nearest point), so
# those are hovered too; the tooltip is hidden before each, so that a mark without one shows nothing.
_HOVER_EVERY_MARK = """chart => {
  const shown = [];
  for (const el of chart.querySelectorAll('svg .role-mark path')) {
    document.getElementById('vg-tooltip-element')?.classList.remove('visible');
    const box = el.getBoundingClientRect();
    const at = {bubbles: true, clientX: box.x + box.width / 2, clientY: box.y + box.height / 2};
    el.dispatchEvent(new PointerEvent('pointermove', at));
    const tip = document.getElementById('vg-tooltip-element');
    if (tip && tip.classList.contains('visible')) {
      shown.push(Object.fromEntries([...tip.querySelectorAll('tr')].map(
        row => [row.querySelector('.key').textContent, row.querySelector('.value').textContent])));
    }
    el.dispatchEvent(new PointerEvent('pointerout', at));
  }
  return shown;
}"""

# The tooltip titles a Japanese reader should see, chart by chart (written here, not taken from the catalogue).
JA_TOOLTIP_TITLES = {
    "margin-curve": {"市場の下落率", "融資比率"},
    "stress-ladder": {"市場の下落率", "必要な現金", "結果"},
    "allocation": {"銘柄", "評価額"},
    "dividends": {"年", "税引後配当"},
    "success-history": {"日付", "成功確率"},
    "net-worth-history": {"日付", "純資産"},
    "margin-history": {"日付", "融資比率"},
    "montecarlo-fan": {"今日からの年数", "中央値"},
    "montecarlo-failures": {"初めて資金が不足した年", "パス数"},
    "timeline": {"今日からの年数", "年の開始日", "項目", "金額", "年齢", "差し引き"},
}
EN_TOOLTIP_TITLES = {"margin-curve": {"market drop", "margin ratio"},
                     "stress-ladder": {"market drop", "cash needed", "outcome"},
                     "allocation": {"holding", "value"}}


def _tooltips(browser: Any, index: Path, charts: set[str]) -> dict[str, list[dict[str, str]]]:
    page, errors = _open(browser, index)
    try:
        found = {chart: page.eval_on_selector(f"#chart-{chart}", _HOVER_EVERY_MARK) for chart in sorted(charts)}
    finally:
        page.close()
    assert errors == []
    return found


def _yen(text: str, symbol: str) -> float:
    """A tooltip amount written as the page's tables write it: ￥1,234,567 (¥ in English), − before the sign."""
    assert re.fullmatch(rf"−?{symbol}\d{{1,3}}(,\d{{3}})*", text), text
    return money_value(text)


def _percent(text: str, sign: str) -> float:
    assert re.fullmatch(rf"\d+(\.\d)?{sign}", text), text
    return percent_value(text)


@pytest.mark.browser
@needs_chromium
def test_japanese_tooltips_carry_briefing_json_figures_in_japanese(outputs: dict[str, dict[str, Any]],
                                                                     browser: Any) -> None:
    doc = outputs["ja"]["doc"]
    tips = _tooltips(browser, outputs["ja"]["index"], set(JA_TOOLTIP_TITLES))
    for chart, titles in JA_TOOLTIP_TITLES.items():
        assert tips[chart], chart
        for tip in tips[chart]:
            assert set(tip) <= titles, (chart, tip)
            assert not any(re.search("[A-Za-z]", title) for title in tip), tip
    ladder = {round(step["drawdown"] * 100): step for step in doc["stress"]["ladder"]}
    paid = 0
    for tip in tips["stress-ladder"]:
        step = ladder[_percent(tip["市場の下落率"], "%")]
        assert _yen(tip["必要な現金"], "￥") == round(step["repay_to_avoid_liquidation"])
        assert tip["結果"] == ("耐えられる" if step["survives"] else "強制売却")
        paid += step["repay_to_avoid_liquidation"] > 0
    assert paid and len(tips["stress-ladder"]) == len(ladder)
    for tip in tips["margin-curve"]:
        step = ladder[_percent(tip["市場の下落率"], "%")]
        assert _percent(tip["融資比率"], "%") == round(step["ratio"] * 100, 1)
    value_by_holding: dict[str, float] = {}
    for h in doc["holdings"]:
        key = f"{h['ticker']} {h['name']}"
        value_by_holding[key] = value_by_holding.get(key, 0.0) + (h["value"] or 0.0)
    for tip in tips["allocation"]:
        assert _yen(tip["評価額"], "￥") == round(value_by_holding[tip["銘柄"]])
    start = date.fromisoformat(doc["as_of"]).year
    income = {start + y["year"]: y["income"] for y in doc["dividends"]["projection"]}
    for tip in tips["dividends"]:
        assert _yen(tip["税引後配当"], "￥") == round(income[int(tip["年"])])
    # The lines answer for the point nearest the pointer, each day or year its own figure (a line's own tooltip
    # would only ever show its first point).
    series = {s["snapshot_date"]: s for s in doc["history"]["series"]}
    for chart, title, field, read in (("success-history", "成功確率", "success_probability", _percent),
                                      ("margin-history", "融資比率", "margin_ratio", _percent),
                                      ("net-worth-history", "純資産", "net_worth", _yen)):
        days = {date.fromisoformat(tip["日付"].replace("/", "-")).isoformat() for tip in tips[chart]}
        drawn = [day for day, s in series.items() if s[field] is not None]  # the demo's Monte Carlo ran weekly
        assert len(drawn) > 10 and len(days) > len(drawn) // 2, chart
        for tip in tips[chart]:
            figure = series[date.fromisoformat(tip["日付"].replace("/", "-")).isoformat()][field]
            if read is _percent:
                assert _percent(tip[title], "%") == round(figure * 100, 1), (chart, tip)
            else:
                assert _yen(tip[title], "￥") == round(figure), (chart, tip)
    median = {y["year"]: y["p50"] for y in doc["montecarlo"]["net_worth"]}
    assert len({tip["今日からの年数"] for tip in tips["montecarlo-fan"]}) > len(median) // 2
    for tip in tips["montecarlo-fan"]:
        assert _yen(tip["中央値"], "￥") == round(median[int(tip["今日からの年数"])])
    net = {y["offset"]: y["net"] for y in doc["household"]["timeline"]}
    nets = [tip for tip in tips["timeline"] if "金額" not in tip]  # the space around the bars: the year's net
    assert len(nets) > len(net) // 2 and all(set(tip) == {"今日からの年数", "差し引き"} for tip in nets)
    for tip in tips["timeline"]:  # each bar says its year's net too
        assert money_value(tip["差し引き"]) == round(net[int(tip["今日からの年数"])])
    failures = {f["year"]: f["paths"] for f in doc["montecarlo"]["failure_years"]}
    for tip in tips["montecarlo-failures"]:
        assert int(tip["パス数"].replace(",", "")) == failures[int(tip["初めて資金が不足した年"])]
    bars = [tip for tip in tips["timeline"] if "金額" in tip]
    assert bars and all(re.fullmatch(r"\d{4}/\d{2}/\d{2}", tip["年の開始日"]) for tip in bars)
    assert all(_yen(tip["金額"], "￥") for tip in bars) and all("歳" in tip["年齢"] for tip in bars)
    assert any(tip["金額"].startswith("−￥") for tip in bars)  # expenses are drawn below zero


@pytest.mark.browser
@needs_chromium
def test_english_tooltips_keep_english_titles_and_the_pages_formats(outputs: dict[str, dict[str, Any]],
                                                                     browser: Any) -> None:
    doc = outputs["en"]["doc"]
    tips = _tooltips(browser, outputs["en"]["index"], set(EN_TOOLTIP_TITLES))
    ladder = {round(step["drawdown"] * 100): step for step in doc["stress"]["ladder"]}
    for chart, titles in EN_TOOLTIP_TITLES.items():
        assert tips[chart] and all(set(tip) == titles for tip in tips[chart]), chart
    for tip in tips["stress-ladder"]:
        step = ladder[_percent(tip["market drop"], " %")]
        assert _yen(tip["cash needed"], "¥") == round(step["repay_to_avoid_liquidation"])
    for tip in tips["margin-curve"]:
        step = ladder[_percent(tip["market drop"], " %")]
        assert _percent(tip["margin ratio"], " %") == round(step["ratio"] * 100, 1)
