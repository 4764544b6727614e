"""Every ledger table's columns, types, key, aliases and limits, declared once: the write path, the CSV import and
export, the loader's SELECT lists, `--help` and the README's table are all derived from these declarations."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ColumnType(Enum):
    """How a CSV cell is parsed and checked."""

    TEXT = "text"
    NUMBER = "number"  # a finite decimal number
    DATE = "date"  # ISO YYYY-MM-DD
    FLAG = "flag"  # 0/1, true/false, yes/no
    CURRENCY = "currency"  # a three-letter code, stored upper-case


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name in the ledger and CSV, how it is parsed, and the limits that protect the data."""

    name: str
    type: ColumnType
    required: bool = False
    default: object = None  # used when the column or the cell is empty; None stores NULL
    aliases: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    min_exclusive: bool = False  # minimum itself is not allowed (e.g. a price must be > 0)
    max_exclusive: bool = False
    choices: tuple[str, ...] = ()  # allowed text values (empty: any)
    not_future: bool = False  # a date after today is a typo (prices, FX rates)
    doc: str = ""
    field: str = ""  # the model input's field name, when it differs from the column name
    synonyms: tuple[tuple[str, str], ...] = ()  # (a value as written, the value it stands for), e.g. a v1 word
    table: str = ""  # another table the column belongs to (a holdings file's security columns): "securities"

    def describe_range(self) -> str:
        low = "" if self.minimum is None else f"{'>' if self.min_exclusive else '≥'} {self.minimum:g}"
        high = "" if self.maximum is None else f"{'<' if self.max_exclusive else '≤'} {self.maximum:g}"
        return " and ".join(part for part in (low, high) if part)


@dataclass(frozen=True, slots=True)
class Kind:
    """One importable kind: the CLI name, the ledger table, its natural key and its columns (in export order)."""

    name: str
    table: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    doc: str
    needs_security: bool = False  # the ticker must already be a security (import holdings or securities first)
    rules: str = ""  # checks that span several columns, for the README
    replace_within: str = ""  # a replace covers only the stored rows with these values (holdings: the accounts)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def row(self, **values: object) -> tuple[object, ...]:
        """A row in this kind's column order; a column not given is None (and not written: see `columns=`)."""
        return tuple(values.get(name) for name in self.column_names)

    @property
    def own_columns(self) -> tuple[Column, ...]:
        """The columns of the kind's own table (a holdings file also carries its securities' columns)."""
        return tuple(c for c in self.columns if not c.table)

    @property
    def carried(self) -> tuple[Column, ...]:
        """Columns written to another table in the same transaction (a holdings file's security columns)."""
        return tuple(c for c in self.columns if c.table)

    @property
    def select_list(self) -> str:
        """The columns as a SELECT list, in declaration order (the order of the row tuples everywhere)."""
        if self.carried:  # the kind's own table is `o`, the carried columns' table (joined on ticker) `c`
            return ", ".join(f'{"c" if c.table else "o"}."{c.name}"' for c in self.columns)
        return ", ".join(f'"{c}"' for c in self.column_names)

    @property
    def from_clause(self) -> str:
        """The table(s) `select_list` reads: the kind's table, joined to the carried columns' table."""
        if self.carried:
            return f'{self.table} o JOIN {self.carried[0].table} c ON c."ticker" = o."ticker"'
        return self.table

    @property
    def order_by(self) -> str:
        """The natural key as an ORDER BY list (qualified when tables are joined)."""
        return ", ".join(f'o."{k}"' if self.carried else f'"{k}"' for k in self.key)


T, N, D, F, C = ColumnType.TEXT, ColumnType.NUMBER, ColumnType.DATE, ColumnType.FLAG, ColumnType.CURRENCY

# No real balance, price or share count comes near this; a bigger number is a unit or column mix-up.
ABSURD = 1e15

ACCOUNT_KINDS = ("taxable", "nisa_growth", "nisa_tsumitate", "ideco", "other")
DEFAULT_ACCOUNT = "default"  # where a holding without an account goes


def _security_column(name: str, table: str = "") -> Column:
    """A security's attribute: a column of its own table, or (table="securities") one a holdings file carries,
    where empty means "not given", so that a holdings file never blanks a security's stored name."""
    carried = bool(table)
    return {
        "name": Column("name", T, default=None if carried else "", table=table,
                       aliases=("銘柄名", "銘柄", "銘柄名称", "ファンド名", "名称")),
        "asset_class": Column("asset_class", T, default=None if carried else "equity", table=table,
                              aliases=("資産クラス", "資産区分")),
        "currency": Column("currency", C, default=None if carried else "JPY", table=table,
                           aliases=("通貨", "決済通貨")),
        "dividend_growth": Column("dividend_growth", N, minimum=-1, maximum=1, min_exclusive=True,
                                  max_exclusive=True, table=table, aliases=("増配率", "配当成長率"),
                                  doc="expected yearly dividend growth, e.g. 0.05; empty: the assumption default"),
        "haircut": Column("haircut", N, default=None if carried else 1.0, minimum=0, maximum=1, table=table,
                          aliases=("掛目", "担保掛目"),
                          doc="collateral haircut (掛目): the fraction of the value a lender counts, e.g. 0.7"),
    }[name]


SECURITY = ("name", "asset_class", "currency", "dividend_growth", "haircut")
TICKER_ALIASES = ("code", "symbol", "銘柄コード", "コード", "証券コード", "ティッカー", "銘柄コード・ティッカー")


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("accounts", "accounts", ("name",), (
            Column("name", T, required=True, aliases=("account", "口座", "口座名")),
            Column("kind", T, default="taxable", choices=ACCOUNT_KINDS, aliases=("口座区分", "預り区分", "種類"),
                   synonyms=(("特定", "taxable"), ("一般", "taxable"), ("nisa成長投資枠", "nisa_growth"),
                             ("nisaつみたて投資枠", "nisa_tsumitate"))),
            Column("pledged", F, aliases=("担保",),
                   doc="1 if its holdings secure a margin loan; empty: taxable yes, NISA and iDeCo never, other no"),
            Column("dividend_tax_rate", N, minimum=0, maximum=1, max_exclusive=True, aliases=("配当税率",),
                   doc="e.g. 0.20315; empty: taxable and other the dividend_tax assumption, NISA and iDeCo 0"),
        ), "securities accounts: taxable, NISA, iDeCo",
             rules="NISA and iDeCo accounts cannot be pledged"),
        Kind("securities", "securities", ("ticker",), (
            Column("ticker", T, required=True, aliases=TICKER_ALIASES,
                   doc="e.g. 1234.T"),
            *(_security_column(name) for name in SECURITY),
            Column("source", T, aliases=("取得元",), doc="where `lifealm update` gets its prices, e.g. yahoo:7203.T"),
        ), "what can be held: one row per ticker"),
        # The series' v1 holdings columns, in their order: its own, and its security's (carried) ones.
        Kind("holdings", "holdings", ("account", "ticker"), (
            Column("ticker", T, required=True, aliases=TICKER_ALIASES,
                   doc="e.g. 1234.T"),
            _security_column("name", "securities"),
            Column("shares", N, required=True, minimum=0, aliases=("quantity", "数量", "保有数量", "保有株数", "株数",
                                                                   "保有口数", "口数"),
                   doc="fractional allowed"),
            Column("cost_basis", N, default=0.0, minimum=0, aliases=("cost", "取得金額", "取得総額", "取得価額合計"),
                   doc="total cost, not per share"),
            _security_column("asset_class", "securities"),
            Column("added_at", D, aliases=("purchase_date", "acquired", "取得日", "買付日", "購入日"),
                   doc="the acquired date"),
            Column("account", T, default=DEFAULT_ACCOUNT, aliases=("口座", "口座区分", "預り区分"),
                   doc="an account not yet in the ledger is added, as NISA or iDeCo when its name says so, "
                   "else taxable"),
            *(_security_column(name, "securities") for name in ("currency", "dividend_growth", "haircut")),
        ), "what each account holds",
             rules="the name, asset_class, currency, dividend_growth and haircut columns create or update the "
             "security; `--account NAME` puts every row in that account, and `--replace` makes the file the "
             "whole of each account it names", replace_within="account"),
        Kind("prices", "prices", ("ticker", "price_date"), (
            Column("ticker", T, required=True, aliases=TICKER_ALIASES[:-1]),
            Column("price_date", D, required=True, aliases=("date", "日付", "基準日", "取引日"), not_future=True),
            Column("close_price", N, required=True, minimum=0, min_exclusive=True, aliases=("close", "price", "終値",
                   "基準価額", "株価", "価格"), field="close"),
        ), "daily closing prices", needs_security=True),
        Kind("dividends", "dividends", ("ticker", "ex_date", "is_projection"), (
            Column("ticker", T, required=True, aliases=TICKER_ALIASES[:-1]),
            Column("ex_date", D, required=True, aliases=("date", "権利落ち日", "権利落日")),
            Column("pay_date", D, aliases=("支払日", "支払開始日", "入金日", "受取日")),
            Column("amount_per_share", N, required=True, minimum=0, aliases=("amount", "dividend", "1株配当",
                   "1株当たり配当金", "1株あたり配当金", "一株配当")),
            Column("is_projection", F, default=0, aliases=("projection", "予想", "予定"), doc="1 forecast, 0 actual"),
        ), "dividends paid (actual) and forecast (projection)", needs_security=True),
        Kind("loans", "loans", ("name",), (
            Column("name", T, required=True, aliases=("名称", "ローン名", "借入名")),
            Column("kind", T, choices=("margin", "credit_line", "amortizing"),
                   aliases=("collateral_type", "担保", "担保種別", "種類"),
                   synonyms=(("portfolio", "margin"), ("証券担保ローン", "margin"), ("信用", "margin"),
                             ("コミットメントライン", "credit_line"), ("住宅ローン", "amortizing")),
                   doc="margin (secured by the pledged holdings), credit_line (unsecured standby) or amortizing "
                   "(a mortgage); empty: margin with thresholds, amortizing with a monthly_payment, else "
                   "credit_line; collateral_type=portfolio reads as margin"),
            Column("balance", N, default=0.0, minimum=0, aliases=("残高", "借入残高"), doc="drawn amount"),
            Column("rate", N, default=0.0, aliases=("金利", "年利"), minimum=0, maximum=1, max_exclusive=True,
                   doc="yearly, e.g. 0.02"),
            Column("collateral_account", T, aliases=("担保口座",),
                   doc="a margin loan secured by this one account only"),
            Column("freeze_pct", N, aliases=("凍結比率",), minimum=0, maximum=1, min_exclusive=True, doc="e.g. 0.60"),
            Column("margin_call_pct", N, aliases=("追証比率", "追証ライン"), minimum=0, maximum=1, min_exclusive=True,
                   doc="e.g. 0.70"),
            Column("forced_liq_pct", N, aliases=("強制決済比率", "強制決済ライン"), minimum=0, maximum=1,
                   min_exclusive=True, doc="e.g. 0.85"),
            Column("credit_limit", N, aliases=("融資枠", "極度額", "借入限度額"), minimum=0,
                   doc="facility size; required for a credit line"),
            Column("target_ratio", N, default=0.65, aliases=("目標比率",), minimum=0, maximum=1, min_exclusive=True,
                   doc="ratio to restore after a margin call"),
            Column("monthly_payment", N, minimum=0, min_exclusive=True, aliases=("毎月返済額", "月々の返済額"),
                   doc="an amortizing loan's payment, interest included"),
            Column("maturity", D, aliases=("満期", "完済日", "最終返済日"), doc="an amortizing loan's last payment"),
        ), "every debt: the margin loan, standby credit lines, a mortgage",
             rules="a margin loan needs all three thresholds with 0 < freeze ≤ margin call ≤ forced ≤ 1 and "
             "target_ratio at most forced_liq_pct; a credit line needs its credit_limit; an amortizing loan its "
             "monthly_payment; collateral_account only for a margin loan"),
        Kind("cash", "cash_accounts", ("name",), (
            Column("name", T, required=True, aliases=("account", "口座", "口座名", "名称")),
            Column("balance", N, required=True, aliases=("残高", "預金残高"),
                   doc="may be negative (an overdraft is reported)"),
            Column("currency", C, default="JPY", aliases=("通貨", "決済通貨")),
        ), "cash accounts"),
        Kind("other-assets", "other_assets", ("name",), (
            Column("name", T, required=True, aliases=("名称", "資産名")),
            Column("kind", T, default="other", aliases=("種類", "種別"), doc="e.g. real_estate"),
            Column("value", N, required=True, minimum=0, aliases=("評価額", "時価", "価値")),
            Column("liquid", F, default=0, aliases=("換金可能",), doc="1 if it can be sold within days"),
            Column("currency", C, default="JPY", aliases=("通貨", "決済通貨")),
        ), "a home and other assets"),
        Kind("expenses", "expenses", ("category",), (
            Column("category", T, required=True, aliases=("費目", "項目", "支出項目")),
            Column("monthly_amount", N, required=True, minimum=0, aliases=("amount", "monthly", "月額", "金額")),
            Column("essential", F, default=1, aliases=("必須",)),
            Column("start_date", D, field="start", aliases=("start", "from", "開始日"), doc="empty: already running"),
            Column("end_date", D, field="end", aliases=("end", "until", "終了日"),
                   doc="the last day; empty: for ever"),
        ), "monthly spending by category", rules="end_date, when both are given, on or after start_date"),
        Kind("income", "income", ("source",), (
            Column("source", T, required=True, aliases=("収入源", "収入元", "項目")),
            Column("monthly_amount", N, required=True, minimum=0, aliases=("amount", "monthly", "月額", "金額")),
            Column("kind", T, default="other", aliases=("種類", "種別"), choices=("salary", "side", "pension", "rent",
                   "other")),
            Column("annual_change", N, default=0.0, aliases=("年間変化率", "年変化率"), minimum=-1, maximum=1,
                   min_exclusive=True, max_exclusive=True, doc="yearly change, e.g. -0.05"),
            Column("start_date", D, field="start", aliases=("start", "from", "開始日"),
                   doc="e.g. a pension's first month; empty: already running"),
            Column("end_date", D, field="end", aliases=("end", "until", "終了日"),
                   doc="e.g. the last day of a salary; empty: for ever"),
        ), "monthly income by source", rules="end_date, when both are given, on or after start_date"),
        Kind("events", "events", ("name", "event_date"), (
            Column("name", T, required=True, aliases=("名称", "項目")),
            Column("event_date", D, required=True, aliases=("date", "日付"), field="on"),
            Column("amount", N, required=True, minimum=0, aliases=("金額",),
                   doc="without a sign: direction says which way"),
            Column("direction", T, default="expense", choices=("income", "expense")),
            Column("basis", T, default="real", choices=("real", "nominal"),
                   doc="real: in today's money; nominal: as it will be paid"),
        ), "one-off amounts on a date: school fees, a car, a retirement allowance"),
        Kind("members", "members", ("name",), (
            Column("name", T, required=True, aliases=("名前", "氏名")),
            Column("birth_date", D, required=True, aliases=("birthday", "born", "生年月日"), not_future=True),
        ), "the household's members and birth dates"),
        Kind("fx", "fx_rates", ("currency", "rate_date"), (
            Column("currency", C, required=True, aliases=("通貨",)),
            Column("rate_date", D, required=True, aliases=("date", "日付", "基準日"), not_future=True),
            Column("rate", N, required=True, minimum=0, min_exclusive=True, aliases=("レート", "為替レート", "相場"),
                   doc="base currency per one unit of `currency`"),
        ), "exchange rates to the base currency"),
        Kind("assumptions", "assumptions", ("name",), (
            Column("name", T, required=True, aliases=("名前", "項目")),
            Column("value", T, required=True, aliases=("値", "設定値")),
        ), "model parameters (see the Assumptions list)",
             rules="name is a model parameter of lifealm/models/assumptions.py; value is checked against that "
             "parameter's type and range"),
    )
}


# Written by `lifealm report` (one row per report date), never imported: declared here all the same.
SNAPSHOTS = Kind("snapshots", "snapshots", ("snapshot_date",), (
    Column("snapshot_date", D, required=True),
    Column("status", T, required=True, choices=("SAFE", "CAUTION", "DANGER", "NO DATA")),
    Column("portfolio_value", N, required=True),
    Column("cash", N, required=True),
    Column("margin_balance", N, required=True),
    Column("margin_ratio", N),
    Column("net_worth", N, required=True),
    Column("monthly_cashflow", N, required=True),
    Column("fire_ratio", N),
    Column("max_survivable_drawdown", N),
    Column("success_probability", N),
), "the headline figures of each report date")


def kind_help(kind: Kind) -> str:
    """One line per column, for `--help` and error hints."""
    lines = [f"{kind.name} ({kind.doc}):"]
    for col in kind.columns:
        if col.required:
            need = "required"
        elif col.default is None or col.default == "":
            need = "optional (empty by default)"
        else:
            need = f"default {col.default}"
        parts = [col.type.value, need]
        if col.aliases:
            parts.append("also " + "/".join(col.aliases))
        if col.describe_range():
            parts.append(col.describe_range())
        if col.choices:
            parts.append("one of " + "|".join(col.choices))
        if col.doc:
            parts.append(col.doc)
        lines.append(f"  {col.name}: " + "; ".join(parts))
    return "\n".join(lines)


def _readme_cell(col: Column) -> str:
    parts: list[str] = []
    if col.aliases:
        parts.append("also " + ", ".join(f"`{a}`" for a in col.aliases))
    kind = {ColumnType.DATE: "date", ColumnType.FLAG: "0/1", ColumnType.CURRENCY: "three letters"}.get(col.type)
    if kind:
        parts.append(kind)
    if col.describe_range():
        parts.append(col.describe_range())
    if col.choices:
        parts.append("one of " + ", ".join(f"`{c}`" for c in col.choices))
    if col.not_future:
        parts.append("not after today")
    if col.doc:
        parts.append(col.doc)
    if col.required or (col.default is None and "empty" in col.doc):  # the doc already says what empty means
        pass
    elif isinstance(col.default, float):
        parts.append(f"default {col.default:g}")
    else:
        parts.append("default " + ("empty" if col.default is None else f'"{col.default}"' if isinstance(
            col.default, str) else str(col.default)))
    name = f"**`{col.name}`**" if col.required else f"`{col.name}`"
    return name + (f" ({'; '.join(parts)})" if parts else "")


def readme_table() -> str:
    """The README's table of import kinds, generated from the declarations (tests/test_ledger_columns.py checks
    the README holds exactly this; print it to update the README after changing a column)."""
    lines = ["| kind | table | key | columns (**required**, others optional) |", "|---|---|---|---|"]
    for kind in KINDS.values():
        cells = ", ".join(_readme_cell(col) for col in kind.columns)
        if kind.needs_security:
            cells += "; the ticker must be a security first (import `holdings` or `securities`)"
        if kind.rules:
            cells += f"; {kind.rules}"
        lines.append(f"| `{kind.name}` | {kind.table} | {', '.join(kind.key)} | {cells} |")
    return "\n".join(lines)
