"""Broker exports read from cp932 fixtures with the reference layouts; every figure below is worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from broker_files import (
    RAKUTEN_ASSETS,
    RAKUTEN_ASSETS_NAME,
    RAKUTEN_DIVIDENDS,
    SBI_HOLDINGS,
    SBI_PORTFOLIO,
    write_cp932,
)

from lifealm.errors import LifealmError
from lifealm.ledger.brokers import FORMATS, BrokerExport, BrokerFormatError, read_broker_export
from lifealm.ledger.brokers.common import wrapper_of

D = Decimal


def holdings_by(export: BrokerExport) -> dict[tuple[str, str], tuple[Decimal, Decimal | None, str]]:
    return {(h.account, h.ticker): (h.shares, h.cost_basis, h.currency) for h in export.holdings}


def test_sbi_portfolio(tmp_path: Path) -> None:
    path = write_cp932(tmp_path, "New_file.csv", SBI_PORTFOLIO)
    export = read_broker_export(path, "sbi-portfolio", as_of=date(2026, 6, 29))
    assert export.as_of == date(2026, 6, 29)
    assert [(a.name, a.kind, a.tax_free) for a in export.accounts] == [
        ("SBI証券 特定", "taxable", False), ("SBI証券 NISA成長投資枠", "nisa_growth", True),
        ("SBI証券 一般", "taxable", False), ("SBI証券 NISAつみたて投資枠", "nisa_tsumitate", True),
        ("SBI証券 旧NISA", "other", True)]
    nikkei = "eMAXIS Slim 国内株式(日経平均)"  # NFKC of ｅＭＡＸＩＳ　Ｓｌｉｍ　国内株式（日経平均）
    assert holdings_by(export) == {
        ("SBI証券 特定", "4063"): (D(100), D(670_000), "JPY"),  # 6,700 × 100
        ("SBI証券 特定", "408A"): (D(1790), D(596_070), "JPY"),  # 333 × 1,790
        # three lots: 100 × 900 + 200 × 1,000 + 300 × 1,100 = 620,000 for 600 shares
        ("SBI証券 特定", "5016"): (D(600), D(620_000), "JPY"),
        ("SBI証券 NISA成長投資枠", "3563"): (D(100), D(497_000), "JPY"),  # 4,970 × 100
        ("SBI証券 一般", "7203"): (D(100), D(250_000), "JPY"),  # 参考単価 2,500 × 100 (一般 has no 取得単価)
        # 32,942 per 10,000 口 × 1,092,830 口 = 3,600,000.586
        ("SBI証券 特定", nikkei): (D(1_092_830), D("3600000.586"), "JPY"),
        ("SBI証券 NISAつみたて投資枠", "eMAXIS Slim 全世界株式(オール・カントリー)"): (D(500_000), D(1_000_000), "JPY"),
        ("SBI証券 旧NISA", "ひふみプラス"): (D(100_000), D(500_000), "JPY"),
    }
    jx = next(h for h in export.holdings if h.ticker == "5016")
    assert (jx.name, jx.acquired, jx.line) == ("JX金属", date(2026, 3, 2), 11)
    closes = {c.ticker: (c.close, c.quoted, c.price_date) for c in export.closes}
    assert closes["5016"] == (D(745), D(745), date(2026, 6, 29))
    assert closes[nikkei] == (D("3.431"), D(34310), date(2026, 6, 29))  # per 口: 34,310 ÷ 10,000
    # Value from shares × close equals the file's 総合計 (lots counted once): 8,378,039.73.
    value = sum((h.shares * closes[h.ticker][0] for h in export.holdings), D(0))
    assert value == D("8378039.73")
    assert len(export.findings) == 1 and "一般預り" in export.findings[0] and "参考単価" in export.findings[0]


def test_sbi_portfolio_needs_a_date(tmp_path: Path) -> None:
    path = write_cp932(tmp_path, "New_file.csv", SBI_PORTFOLIO)
    with pytest.raises(BrokerFormatError, match="does not say which day") as caught:
        read_broker_export(path)
    assert "--date" in str(caught.value)
    dated = write_cp932(tmp_path, "New_file_20260629.csv", SBI_PORTFOLIO)
    assert read_broker_export(dated).as_of == date(2026, 6, 29)
    with pytest.raises(BrokerFormatError, match="dated 2026-06-29 but --date says 2026-06-30"):
        read_broker_export(dated, as_of=date(2026, 6, 30))


def test_sbi_portfolio_truncated_mid_section(tmp_path: Path) -> None:
    lines = SBI_PORTFOLIO.splitlines()
    path = write_cp932(tmp_path, "cut.csv", "\n".join(lines[:10]) + "\n")  # ends after the 408A row
    with pytest.raises(BrokerFormatError) as caught:
        read_broker_export(path, as_of=date(2026, 6, 29))
    assert "cut.csv:10: the file ends inside section 株式(現物/特定預り) (begun on line 7)" in str(caught.value)


def test_sbi_portfolio_cut_between_sections(tmp_path: Path) -> None:
    lines = SBI_PORTFOLIO.splitlines()
    path = write_cp932(tmp_path, "cut.csv", "\n".join(lines[:16]) + "\n")  # after the first 合計 figures
    with pytest.raises(BrokerFormatError, match="ends before its 総合計 line: it looks cut short"):
        read_broker_export(path, as_of=date(2026, 6, 29))


def test_sbi_portfolio_one_page_of_several(tmp_path: Path) -> None:
    text = SBI_PORTFOLIO.replace("選択範囲：1-10件", "選択範囲：1-5件")
    with pytest.raises(BrokerFormatError, match="holds rows 1-5 of 10"):
        read_broker_export(write_cp932(tmp_path, "p.csv", text), as_of=date(2026, 6, 29))


def test_sbi_portfolio_changed_header_names_its_line(tmp_path: Path) -> None:
    text = SBI_PORTFOLIO.replace('"株式（現物/NISA預り（成長投資枠））",\n"銘柄（コード）"',
                                 '"株式（現物/NISA預り（成長投資枠））",\n"銘柄名"')
    with pytest.raises(BrokerFormatError) as caught:
        read_broker_export(write_cp932(tmp_path, "p.csv", text), as_of=date(2026, 6, 29))
    assert "p.csv:18: does not match SBI証券 ポートフォリオ CSV" in str(caught.value)


def test_sbi_portfolio_footer_that_does_not_add_up_is_a_finding(tmp_path: Path) -> None:
    text = SBI_PORTFOLIO.replace("1733690,-152380", "2180690,-152380")  # as if the 5016 lots were summed
    export = read_broker_export(write_cp932(tmp_path, "p.csv", text), as_of=date(2026, 6, 29))
    assert any("p.csv:14: the rows of 株式(現物/特定預り) are worth 1733690 but its 合計 says 2180690" in f
               for f in export.findings)


def test_sbi_holdings(tmp_path: Path) -> None:
    export = read_broker_export(write_cp932(tmp_path, "SaveFile.csv", SBI_HOLDINGS), as_of=date(2026, 11, 30))
    assert export.format == "sbi-holdings" and not export.findings
    assert [(a.name, a.kind) for a in export.accounts] == [
        ("SBI証券 特定", "taxable"), ("SBI証券 NISA成長投資枠", "nisa_growth"),
        ("SBI証券 NISAつみたて投資枠", "nisa_tsumitate")]
    assert holdings_by(export) == {
        ("SBI証券 特定", "6501"): (D(100), D(475_000), "JPY"),  # 4,750 × 100 = 取得金額 475,000
        ("SBI証券 NISA成長投資枠", "7203"): (D(100), D(250_000), "JPY"),
        ("SBI証券 NISAつみたて投資枠", "架空投信D"): (D(10_000), D(20_000), "JPY"),  # 20,000 × 10,000 口 ÷ 10,000
    }
    assert {c.ticker: c.close for c in export.closes} == {"6501": D(5634), "7203": D("2893.5"), "架空投信D": D(3)}


def test_sbi_holdings_cut_before_an_announced_section(tmp_path: Path) -> None:
    text = SBI_HOLDINGS.split("\n投資信託（金額/NISA預り（つみたて投資枠））\n")[0] + "\n"
    with pytest.raises(BrokerFormatError) as caught:
        read_broker_export(write_cp932(tmp_path, "SaveFile.csv", text), as_of=date(2026, 11, 30))
    assert "announced by its 合計 on line 19" in str(caught.value) and "cut short" in str(caught.value)


def test_rakuten_assets(tmp_path: Path) -> None:
    export = read_broker_export(write_cp932(tmp_path, RAKUTEN_ASSETS_NAME, RAKUTEN_ASSETS))
    assert export.format == "rakuten-assets" and export.as_of == date(2026, 7, 23)  # from the file name
    assert [(a.name, a.kind) for a in export.accounts] == [
        ("楽天証券 特定", "taxable"), ("楽天証券 NISA成長投資枠", "nisa_growth"),
        ("楽天証券 NISAつみたて投資枠", "nisa_tsumitate")]
    assert holdings_by(export) == {
        ("楽天証券 特定", "2802"): (D(400), D("1562412.00"), "JPY"),  # 3,906.03 × 400
        ("楽天証券 NISA成長投資枠", "2802"): (D(39), D("187707.00"), "JPY"),  # 4,813.00 × 39
        ("楽天証券 特定", "SOXL"): (D(275), D("8181.1125"), "USD"),  # 29.7495 × 275, in dollars
        # 73,369.04 per 10,000 口 × 149,927 口 = 1,100,000.006008
        ("楽天証券 NISAつみたて投資枠", "iFreeNEXT FANG+インデックス"): (D(149_927), D("1100000.006008"), "JPY"),
    }
    closes = {c.ticker: (c.close, c.currency) for c in export.closes}
    assert closes == {"2802": (D("5102.0"), "JPY"), "SOXL": (D("160.9900"), "USD"),
                      "iFreeNEXT FANG+インデックス": (D("9.4864"), "JPY")}  # one close for 2802 in two accounts
    assert [(c.amount, c.currency) for c in export.cash] == [(D("63.07"), "USD")]
    assert len(export.findings) == 1 and "外貨建MMF row is not read" in export.findings[0]


def test_rakuten_assets_total_that_does_not_add_up(tmp_path: Path) -> None:
    lines = RAKUTEN_ASSETS.split("\r\n")
    cut = "\r\n".join(line for line in lines if "iFreeNEXT" not in line and "円\",\"\",\"\",\"-1,056" not in line)
    export = read_broker_export(write_cp932(tmp_path, RAKUTEN_ASSETS_NAME, cut))
    # 11,555,483 − 1,422,267 = 10,133,216 left in the rows
    assert any("the rows are worth 10133216.00 yen but 資産合計 says 11555483" in f for f in export.findings)


def test_rakuten_assets_row_cut_mid_line(tmp_path: Path) -> None:
    text = RAKUTEN_ASSETS.split('"米国株式"')[0] + '"米国株式","SOXL","Direxion"\r\n'
    with pytest.raises(BrokerFormatError, match=r":10: does not match .* 18 cells like the header"):
        read_broker_export(write_cp932(tmp_path, RAKUTEN_ASSETS_NAME, text))


def test_rakuten_dividends_in_both_bracket_widths(tmp_path: Path) -> None:
    for text in (RAKUTEN_DIVIDENDS, RAKUTEN_DIVIDENDS.replace("（税引前）", "(税引前)")):
        export = read_broker_export(write_cp932(tmp_path, "dividend.csv", text))
        assert export.format == "rakuten-dividends" and not export.findings
        got = [(d.ticker, d.pay_date, d.account_kind, d.shares, d.per_share, d.gross, d.tax, d.received, d.currency)
               for d in export.dividends]
        assert got == [
            # 特定: 18,752 × 15.315 % = 2,871.87 → 2,871 and 18,752 × 5 % = 937.6 → 937: tax 3,808
            ("8591", date(2025, 12, 9), "taxable", D(200), D("93.76"), D(18_752), D(3_808), D(14_944), "JPY"),
            ("7974", date(2026, 6, 29), "nisa_growth", D(6), D(177), D(1_062), D(0), D(1_062), "JPY"),  # 1,062 ÷ 6
            ("NVDA", date(2026, 6, 30), "nisa_growth", D(5), D("0.25"), D("1.25"), D("0.12"), D("1.13"), "USD"),
            ("eMAXIS Slim 米国株式(S&P500)", date(2026, 7, 15), "nisa_tsumitate", D(10_000), D("0.01"), D(100), D(0),
             D(100), "JPY"),  # 100 ÷ 10,000 口
        ]


def test_wrong_from_names_the_right_format(tmp_path: Path) -> None:
    path = write_cp932(tmp_path, RAKUTEN_ASSETS_NAME, RAKUTEN_ASSETS)
    with pytest.raises(BrokerFormatError, match=r"is a rakuten-assets export .* not sbi-portfolio"):
        read_broker_export(path, "sbi-portfolio")


def test_unknown_layout_names_the_line_and_lists_the_formats(tmp_path: Path) -> None:
    path = write_cp932(tmp_path, "other.csv", "\n\n日付,摘要,金額\n2026/1/1,振込,100\n")
    with pytest.raises(BrokerFormatError) as caught:
        read_broker_export(path, "rakuten-dividends")
    message = str(caught.value)
    assert "other.csv:3: the first line does not match any broker export" in message
    assert all(name in message for name in FORMATS)
    assert "rakuten-assets (楽天証券 保有商品一覧 CSV (assetbalance(all)), layout not verified" in message


def test_html_error_page_saved_as_csv(tmp_path: Path) -> None:
    page = ("<!DOCTYPE html>\n<html lang=\"ja\"><head><title>エラー</title></head>\n"
            "<body>ただいまアクセスが集中しております。</body></html>\n")
    path = tmp_path / "New_file.csv"
    path.write_text(page, encoding="utf-8")
    with pytest.raises(BrokerFormatError, match=r"New_file.csv:1: .* it is a web page \(HTML\)"):
        read_broker_export(path, "sbi-portfolio", as_of=date(2026, 6, 29))


def test_utf16_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "New_file.csv"
    path.write_bytes(SBI_PORTFOLIO.encode("utf-16"))
    with pytest.raises(LifealmError, match="the file is UTF-16"):
        read_broker_export(path, as_of=date(2026, 6, 29))


def test_a_utf8_line_in_a_cp932_export_is_refused(tmp_path: Path) -> None:
    data = SBI_PORTFOLIO.encode("cp932").replace("信越化".encode("cp932"), "信越化".encode())
    path = tmp_path / "New_file.csv"
    path.write_bytes(data)
    with pytest.raises(LifealmError, match=r"New_file.csv:9: byte .* starts UTF-8 text"):
        read_broker_export(path, as_of=date(2026, 6, 29))


def test_empty_file_and_unknown_format(tmp_path: Path) -> None:
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(BrokerFormatError, match="the file is empty"):
        read_broker_export(empty)
    with pytest.raises(BrokerFormatError, match="--from monex: unknown broker format"):
        read_broker_export(empty, "monex")


@pytest.mark.parametrize(("text", "wrapper", "kind", "tax_free"), [
    ("特定預り", "特定", "taxable", False), ("一般預り", "一般", "taxable", False),
    ("NISA預り(成長投資枠)", "NISA成長投資枠", "nisa_growth", True),
    ("NISA預り(つみたて投資枠)", "NISAつみたて投資枠", "nisa_tsumitate", True),
    ("NISAつみたて投資枠", "NISAつみたて投資枠", "nisa_tsumitate", True),
    ("旧NISA預り", "旧NISA", "other", True), ("つみたてNISA", "旧つみたてNISA", "other", True),
    ("特定・一般", "特定・一般", "taxable", False), ("-", "-", "other", False),
])
def test_account_wrappers(text: str, wrapper: str, kind: str, tax_free: bool) -> None:
    assert wrapper_of(text) == (wrapper, kind, tax_free)


def test_sbi_portfolio_cut_mid_row(tmp_path: Path) -> None:
    text = SBI_PORTFOLIO.split('"408A')[0] + '"408A ｉＳベストＡＩ","2026/06/15",1790,333'
    with pytest.raises(BrokerFormatError, match=r"cut.csv:10: does not match .* 11 cells like the header"):
        read_broker_export(write_cp932(tmp_path, "cut.csv", text), as_of=date(2026, 6, 29))


def test_cp932_export_cut_mid_character(tmp_path: Path) -> None:
    data = SBI_PORTFOLIO.split('"408A')[0].encode("cp932") + '"408A ｉＳ'.encode("cp932")[:-1]
    path = tmp_path / "cut.csv"
    path.write_bytes(data)  # the last byte is the first half of a two-byte Shift_JIS character
    with pytest.raises(LifealmError, match=r"cut.csv:10: byte \d+ \(0x82\) is not valid"):
        read_broker_export(path, as_of=date(2026, 6, 29))
