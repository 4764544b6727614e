"""Ledger commands: init, demo, import, export, check."""

from __future__ import annotations

import io
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

import click

from lifealm.atomic import atomic_file
from lifealm.cli import cli
from lifealm.cli.options import resolved_as_of, with_settings
from lifealm.errors import LifealmError
from lifealm.ledger.brokers import FORMATS as BROKER_FORMATS
from lifealm.ledger.columns import KINDS, kind_help
from lifealm.ledger.csv_export import export_csv, export_excel_csv
from lifealm.ledger.csv_import import import_file
from lifealm.ledger.db import SCHEMA_VERSION, create_ledger, open_ledger
from lifealm.ledger.write import kind_by_name
from lifealm.models.assumptions import DEFAULT_SEED
from lifealm.render.fixes import fix_for
from lifealm.settings import Settings

KIND_CHOICE = click.Choice(list(KINDS), case_sensitive=False)
# \b keeps click from re-wrapping the column lists.
COLUMNS_EPILOG = "\n\n".join("\b\n" + kind_help(kind) for kind in KINDS.values())


def terminal_safe(text: str) -> str:
    """Ledger text as shown on a terminal: control and format characters escaped so none can act on it."""
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c)[0] == "C" else c for c in text)


@cli.command("init")
@with_settings()
def init_command(settings: Settings) -> None:
    """Create an empty ledger at --db (or the default location)."""
    conn = create_ledger(settings.db)
    conn.close()
    click.echo(f"Created an empty ledger at {settings.db} (schema version {SCHEMA_VERSION}).")


@cli.command("import", epilog=COLUMNS_EPILOG)
@click.argument("kind", metavar="[KIND]", required=False)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), required=False)
@click.option("--from", "broker_format", metavar="FORMAT",
              type=click.Choice(["auto", *BROKER_FORMATS], case_sensitive=False),
              help="FILE is a broker's CSV export (no KIND): " + ", ".join(BROKER_FORMATS) + ", or auto to detect it. "
              "Each account in it is replaced by the file's holdings.")
@click.option("--date", "file_date", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="--from only: the day the broker file's prices are from, when neither its name nor its content "
              "says (SBI files).")
@click.option("--encoding", default="auto", show_default=True,
              help="The CSV's encoding: auto (UTF-8, with or without BOM, else cp932/Shift_JIS), utf-8, cp932, …")
@click.option("--account", help="holdings only: every row belongs to this account (added as taxable if new).")
@click.option("--replace", is_flag=True,
              help="The file is the whole table (holdings: the whole of each account it holds); ledger rows not in "
              "it are removed, each named.")
@with_settings()
def import_command(kind: str | None, file: Path | None, broker_format: str | None, file_date: datetime | None,
                   encoding: str, account: str | None, replace: bool, settings: Settings) -> None:
    """Import a CSV FILE of KIND into the ledger, or a broker's export with `--from FORMAT FILE`.

    Every row is checked first; if any row is bad, each problem is listed as FILE:LINE: column: problem and
    nothing is written. Rows whose key already exists are updated, so importing the same file twice changes nothing.
    A file with the header and no rows (the export of an empty kind) imports nothing and succeeds.
    The columns of each kind are listed below (header names are case-insensitive). For the model parameters
    the `assumptions` kind takes (name, value), `lifealm assumptions` lists every name with its meaning, range,
    default and the value in force.
    """
    if broker_format is not None:
        if file is not None or kind is None:
            raise click.UsageError("with --from give just the FILE: lifealm import --from FORMAT FILE")
        if account is not None or replace:
            raise click.UsageError("--account and --replace are for KIND files; a broker file names its accounts "
                                   "and always replaces each of them")
        _import_broker(settings, Path(kind), broker_format.lower(), file_date, encoding)
        return
    if file_date is not None:
        raise click.UsageError("--date is for broker files: lifealm import --from FORMAT FILE --date YYYY-MM-DD")
    if kind is None or file is None:
        raise click.UsageError("give the KIND and the FILE (lifealm import prices prices.csv), or --from FORMAT "
                               "FILE for a broker export")
    if kind.lower() not in KINDS:
        raise click.BadParameter(f"{kind!r} is not one of {', '.join(KINDS)}", param_hint="'KIND'")
    result = import_file(settings.db, kind.lower(), file, encoding=encoding, account=account, replace=replace)
    if result.rows == 0:
        click.echo(f"Nothing to import: {file} has the header and no rows.")
        return
    click.echo(f"Imported {result.rows} {result.kind} row(s) from {file} into {settings.db}: "
               f"{result.added} new, {result.updated} updated, {result.unchanged} unchanged"
               + (f", {result.removed} removed." if replace else "."))
    for name, account_kind in result.created_accounts:
        what = ("taxable, its holdings pledged as collateral" if account_kind == "taxable"
                else f"{account_kind}, never pledged, its dividends untaxed")
        click.echo(terminal_safe(f"Added account {name!r} as {what} (from its name); if that is wrong, set its "
                                 "kind with `lifealm import accounts` (columns name, kind)."))
    for key in result.removed_keys:
        click.echo(terminal_safe(f"Removed {result.kind} {' / '.join(str(v) for v in key)} (not in the file)."))
    if result.untouched_keys:
        names = ", ".join(" / ".join(str(v) for v in key) for key in result.untouched_keys)
        click.echo(terminal_safe(f"{len(result.untouched_keys)} {result.kind} row(s) of the same account(s) are not "
                                 f"in the file and were left as they are: {names}. If the file is the whole "
                                 "account (a sold holding), import it again with --replace to remove them."))


def _import_broker(settings: Settings, file: Path, broker_format: str, file_date: datetime | None,
                   encoding: str) -> None:
    """Import a broker export and print what it did: per account, then closes, dividends and findings."""
    from lifealm.ledger.broker_import import import_broker

    as_of = file_date.date() if file_date is not None else None
    result = import_broker(settings.db, file, None if broker_format == "auto" else broker_format, as_of,
                           encoding=encoding)
    dated = f" (prices of {result.as_of.isoformat()})" if result.as_of is not None else ""
    click.echo(terminal_safe(f"Imported {result.broker} {result.format} file {file}{dated} into {settings.db}."))
    for account in result.accounts:
        what = f"{account.kind}{', tax-free' if account.tax_free else ''}{', new' if account.created else ''}"
        click.echo(terminal_safe(
            f"  account {account.name!r} ({what}): {account.added} new, {account.updated} updated, "
            f"{account.unchanged} unchanged, {len(account.removed)} removed holding(s)"))
        for ticker, name in account.removed:
            named = f" {name}" if name and name != ticker else ""
            click.echo(terminal_safe(f"  Removed holding {account.name} / {ticker}{named} "
                                     "(not in the file: sold or moved)."))
    if result.securities_added:
        click.echo(f"  securities: {result.securities_added} new")
    for label, written in (("closes", result.closes), ("dividends", result.dividends)):
        if written is not None:
            click.echo(f"  {label}: {written.rows} ({written.added} new, {written.updated} updated, "
                       f"{written.unchanged} unchanged)")
    if not result.accounts and result.dividends is None:
        click.echo("  nothing to import: the file holds no positions and no dividends")
    for finding in result.findings:
        click.echo(terminal_safe(f"  finding: {finding}"))


@cli.command("remove")
@click.argument("kind", type=KIND_CHOICE)
@click.argument("key", nargs=-1, required=True)
@with_settings()
def remove_command(kind: str, key: tuple[str, ...], settings: Settings) -> None:
    """Remove rows of KIND by their KEY (the key's columns in order, row after row).

    \b
    Keys: holdings ACCOUNT TICKER; prices TICKER DATE; dividends TICKER EX_DATE IS_PROJECTION;
    events NAME DATE; fx CURRENCY DATE; every other kind its name (securities its ticker).
    A row that others depend on is refused with the reason (an account that still holds something, a
    security still held); a security's own prices and dividends go with it. Nothing is removed unless
    every row can be.
    """
    from lifealm.ledger.csv_import import ensure_writable
    from lifealm.ledger.remove import remove_rows

    ensure_writable(settings.db)
    conn = open_ledger(settings.db)
    try:
        result = remove_rows(conn, kind.lower(), key)
    finally:
        conn.close()
    for removed in result.removed:
        click.echo(terminal_safe(f"Removed {result.kind} {' / '.join(str(v) for v in removed)}."))
    for line in result.also_removed:
        click.echo(terminal_safe(f"Removed with it: {line}."))


@cli.command("export", epilog=COLUMNS_EPILOG)
@click.argument("kind", type=KIND_CHOICE)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to this file instead of standard output.")
@click.option("--excel", is_flag=True, help="For Japanese Excel: UTF-8 with a BOM, and cells Excel would run as "
              "formulas (=, +, -, @ …) prefixed with '. For viewing; the default export is the one to re-import.")
@with_settings()
def export_command(kind: str, output: Path | None, excel: bool, settings: Settings) -> None:
    """Export KIND as CSV, with exactly the columns `lifealm import` accepts."""
    spec = kind_by_name(kind.lower())
    write_csv = export_excel_csv if excel else export_csv
    conn = open_ledger(settings.db, readonly=True)
    try:
        if output is None:
            write_csv(conn, spec, sys.stdout)
            return
        if not output.parent.is_dir():
            raise LifealmError(f"{output.parent}: no such directory for the export.",
                               hint="create the directory first, or choose another -o path")
        # Written beside the target, then renamed: an interrupted export never leaves half a file.
        with atomic_file(output) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            count = write_csv(conn, spec, out)
            out.flush()
            out.detach()  # atomic_file syncs and closes the file itself
        click.echo(f"Exported {count} {spec.name} row(s) to {output}.", err=True)
    finally:
        conn.close()


@cli.command("demo")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=DEFAULT_SEED, show_default=True,
              help="Random seed: the same seed and date give the same ledger.")
@click.option("--force", is_flag=True, help="Replace an existing ledger file with the demo.")
@click.option("--if-missing", is_flag=True,
              help="Only build it when no ledger is configured and the default one does not exist (make report).")
@with_settings(as_of=True)
def demo_command(seed: int, force: bool, if_missing: bool, settings: Settings) -> None:
    """Build a realistic demo ledger ending on --as-of: ¥125M of dividend stocks, a ¥50M margin loan, …"""
    from lifealm.demo import build_demo  # imported here: it runs the models, which `lifealm --help` need not load

    as_of = resolved_as_of(settings)
    if if_missing:
        # An explicitly configured but missing ledger is left alone: the report then says clearly what is wrong.
        if settings.db.exists() or settings.db_source != "default":
            return
        build_demo(settings.db, as_of=as_of, seed=seed)
        click.echo(f"No ledger yet: built the demo ledger at {settings.db}. To use your own, point lifealm at it "
                   "with LIFEALM_DB=/path/to/ledger.db or --db (`lifealm init` creates an empty one).")
        return
    build_demo(settings.db, as_of=as_of, seed=seed, force=force)
    click.echo(f"Built the demo ledger at {settings.db} (as of {as_of.isoformat()}, seed {seed}).")


@cli.command("check")
@with_settings(as_of=True)
def check_command(settings: Settings) -> None:
    """Check the ledger: SQLite integrity, foreign keys, and data gaps (missing or stale prices, …).

    Exit 1 when the file is damaged (integrity or foreign-key failures); exit 0 otherwise, with any data
    findings listed.
    """
    from lifealm.pipeline import check_ledger  # imported here so `lifealm --help` stays fast

    report = check_ledger(settings, resolved_as_of(settings))
    for line in report.integrity:
        click.echo(f"integrity: {line}")
    for line in report.foreign_keys:
        click.echo(f"foreign key: {line}")
    if report.damaged:
        raise click.ClickException(
            f"{settings.db}: the ledger is damaged ({len(report.integrity) + len(report.foreign_keys)} problem(s))."
            "\n  fix: restore it from a backup, or export what is readable and import it into a new ledger"
        )
    click.echo(f"{settings.db}: integrity ok, foreign keys ok.")
    if not report.findings:
        click.echo("No findings.")
    for finding in report.findings:
        detail = ", ".join(f"{k}={v}" for k, v in finding.detail)
        line = f"{finding.severity.value}: {finding.code}: {finding.subject}" + (f" ({detail})" if detail else "")
        click.echo(terminal_safe(line))
        click.echo(f"  fix: {fix_for(finding.code)}")
