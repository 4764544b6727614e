"""What a holdings file writes besides its holdings, in the same transaction: the accounts it names (added as
taxable when new) and its securities (created, or updated in the columns the file gives)."""

from __future__ import annotations

import sqlite3

from lifealm.ledger.columns import KINDS, Kind

MAX_LISTED = 200


def carried_problems(conn: sqlite3.Connection, kind: Kind, present: tuple[str, ...], origin: str) -> list[str]:
    """A security has one name, currency, …: two rows of the file giving it two different values is a problem."""
    problems: list[str] = []
    for col in kind.carried:
        if col.name not in present:
            continue
        for ticker, lines in conn.execute(
            f'SELECT ticker, group_concat(line) FROM (SELECT * FROM temp.import_stage WHERE ok = 1 '
            f'AND "{col.name}" IS NOT NULL ORDER BY line) GROUP BY ticker '
            f'HAVING count(DISTINCT "{col.name}") > 1 ORDER BY min(line) LIMIT {MAX_LISTED}'
        ):
            first, *rest = str(lines).split(",")
            problems.append(f"{origin}:{rest[0]}: {col.name}: security {ticker!r} is given another {col.name} "
                            f"than on line {first}; a security has one {col.name} in every account")
    return problems


def account_kind_for(name: str) -> str:
    """The kind a new account's name says, as brokers name them (NISA成長投資枠, つみたてNISA, iDeCo); else taxable
    (特定, 一般 and any other name), which the user can change with `lifealm import accounts`."""
    lowered = name.lower()
    if "ideco" in lowered or "確定拠出" in name:
        return "ideco"
    if "nisa" in lowered:
        return "nisa_tsumitate" if "つみたて" in name or "tsumitate" in lowered else "nisa_growth"
    return "taxable"


def new_accounts(conn: sqlite3.Connection) -> tuple[tuple[str, str], ...]:
    """The accounts the staged rows name that the ledger does not have yet, with the kind their names say."""
    return tuple((str(r[0]), account_kind_for(str(r[0]))) for r in conn.execute(
        "SELECT DISTINCT account FROM temp.import_stage WHERE ok = 1 AND account NOT IN "
        "(SELECT name FROM main.accounts) ORDER BY account"))


def write_carried(conn: sqlite3.Connection, kind: Kind, present: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Inside the caller's transaction: add the new accounts and upsert the securities; return the accounts added
    (name, kind). A security column the file does not give (or leaves empty) keeps its stored value."""
    created = new_accounts(conn)
    conn.executemany("INSERT INTO main.accounts (name, kind) VALUES (?, ?)", created)
    given = [c for c in kind.carried if c.name in present]
    securities = KINDS["securities"]
    defaults = {c.name: c.default for c in securities.columns}
    # One row per ticker: each given column's value from the file (the rows agree, see carried_problems).
    picked = ", ".join(f'max("{c.name}") AS "{c.name}"' for c in given)
    source = (f"SELECT ticker{', ' + picked if picked else ''} FROM temp.import_stage WHERE ok = 1 "
              "GROUP BY ticker")
    cols = ", ".join(["ticker", *(f'"{c.name}"' for c in given)])
    values = ", ".join(["p.ticker", *(f'coalesce(p."{c.name}", e."{c.name}", ?)' for c in given)])
    changed = " OR ".join(f'securities."{c.name}" IS NOT excluded."{c.name}"' for c in given)
    assignments = ", ".join(f'"{c.name}" = excluded."{c.name}"' for c in given)
    update = f"DO UPDATE SET {assignments} WHERE {changed}" if given else "DO NOTHING"
    conn.execute(f"INSERT INTO main.securities ({cols}) SELECT {values} FROM ({source}) p "
                 f"LEFT JOIN main.securities e ON e.ticker = p.ticker WHERE true ON CONFLICT (ticker) {update}",
                 [defaults[c.name] for c in given])
    return created
