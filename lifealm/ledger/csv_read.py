"""Streaming CSV reading for imports: encoding detection (UTF-8, BOM, cp932), header mapping, line numbers."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lifealm.errors import ImportValidationError, LifealmError
from lifealm.ledger.columns import Kind

ENCODING_HINT = "save the file as UTF-8, or name its encoding with --encoding (for example --encoding cp932)"


def _is_valid(path: Path, encoding: str) -> bool:
    """Decode the whole file in bounded chunks; True when it is valid in `encoding`."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _refuse_wide(path: Path, what: str) -> LifealmError:
    return LifealmError(f"{path}: {what}; lifealm reads UTF-8 and byte-based encodings such as cp932 (Shift_JIS).",
                        hint="save the file as \"CSV UTF-8\" (in Excel: Save As → CSV UTF-8) and import it again")


def resolve_encoding(path: Path, requested: str) -> str:
    """The encoding to read `path` with: as requested, or for "auto" UTF-8 if valid, else cp932 (Shift_JIS)."""
    if requested.lower() != "auto":
        try:
            name = codecs.lookup(requested).name
        except LookupError as exc:
            raise LifealmError(f"--encoding {requested}: unknown encoding.",
                               hint="use auto, utf-8, cp932 (Shift_JIS), euc-jp, latin-1 …") from exc
        if name.startswith(("utf-16", "utf-32")):
            raise _refuse_wide(path, f"the {name.upper()} encoding is not supported")
        return "utf-8-sig" if name == "utf-8" else name
    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in start:
        # UTF-16 ("Unicode text" from Excel) would otherwise pass for cp932 and come out as garbage.
        raise _refuse_wide(path, "the file is UTF-16")
    if _is_valid(path, "utf-8"):
        return "utf-8-sig"
    if _is_valid(path, "cp932"):
        return "cp932"
    return "utf-8-sig"  # the reader reports where the file stops being UTF-8


def _locate_decode_error(path: Path, encoding: str) -> LifealmError:
    """Rescan the bytes line by line to name the line and byte offset where decoding fails."""
    offset = 0
    plain = encoding.replace("-sig", "")
    # Both UTF-8 and cp932 never use byte 0x0A inside a character, so splitting the bytes on newlines is safe.
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode(encoding if number == 1 else plain)
            except UnicodeDecodeError as exc:
                label = "UTF-8" if encoding.startswith("utf-8") else encoding
                return LifealmError(
                    f"{path}:{number}: byte {offset + exc.start} (0x{raw[exc.start]:02x}) is not valid {label}; "
                    "the file's encoding could not be read.",
                    hint=ENCODING_HINT,
                )
            offset += len(raw)
    return LifealmError(f"{path}: the file ends in the middle of a {encoding} character.", hint=ENCODING_HINT)


def decoded_lines(path: Path, encoding: str) -> Iterator[str]:
    """Yield each line decoded (fast, in text mode); a bad byte raises a LifealmError naming its line and offset."""
    with path.open("r", encoding=encoding, newline="") as handle:
        try:
            yield from handle
        except UnicodeDecodeError:
            raise _locate_decode_error(path, encoding) from None


def normalise_header(cell: str) -> str:
    return cell.strip().lstrip("\ufeff").lower().replace(" ", "_").replace("-", "_")


@dataclass(frozen=True, slots=True)
class Header:
    """Which ledger column each CSV position feeds (None: unknown, already reported)."""

    positions: tuple[int, ...]  # CSV cell index for each kind column, -1 when the column is absent
    present: tuple[str, ...]  # kind column names present in the file, in kind order
    width: int


def map_header(kind: Kind, cells: list[str], path: Path) -> Header:
    """Match header cells to the kind's columns and aliases; every problem is reported at once."""
    lookup: dict[str, str] = {}
    for col in kind.columns:
        lookup[col.name] = col.name
        for alias in col.aliases:
            lookup[normalise_header(alias)] = col.name
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = normalise_header(cell)
        if not name:
            problems.append(f"{path}:1: column {index + 1}: the header cell is empty")
            continue
        target = lookup.get(name)
        if target is None:
            problems.append(f"{path}:1: {cell.strip()}: unknown column for {kind.name} "
                            f"(known: {', '.join(kind.column_names)})")
        elif target in seen:
            problems.append(f"{path}:1: {cell.strip()}: column {target} appears twice")
        else:
            seen[target] = index
    for col in kind.columns:
        if col.required and col.name not in seen:
            problems.append(f"{path}:1: {col.name}: required column is missing")
    if problems:
        raise ImportValidationError(problems, hint=f"see `lifealm import --help` for the {kind.name} columns")
    positions = tuple(seen.get(col.name, -1) for col in kind.columns)
    present = tuple(col.name for col in kind.columns if col.name in seen)
    return Header(positions, present, len(cells))


def read_rows(path: Path, kind: Kind, encoding: str) -> tuple[Header, Iterator[tuple[int, list[str]]]]:
    """Open `path`, map its header, and return the data rows as (line number, cells), skipping blank lines."""
    try:
        if path.stat().st_size == 0:
            raise ImportValidationError([f"{path}: the file is empty (no header row)"],
                                        hint=f"export a {kind.name} file from your broker or start from "
                                        f"`lifealm export {kind.name}`")
    except OSError as exc:
        raise LifealmError(f"{path}: cannot read the file ({exc.strerror}).",
                           hint="check the path and that you may read it") from exc
    reader = csv.reader(decoded_lines(path, resolve_encoding(path, encoding)))
    header_cells: list[str] | None = None
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                header_cells = cells
                break
    except csv.Error as exc:
        raise ImportValidationError([f"{path}:{reader.line_num}: the header is not valid CSV ({exc})"]) from exc
    if header_cells is None:
        raise ImportValidationError([f"{path}: the file is empty (no header row)"],
                                    hint=f"start from `lifealm export {kind.name}` for the columns")
    header = map_header(kind, header_cells, path)

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        try:
            for cells in reader:
                if cells and "".join(cells).strip():  # skip blank lines and ",,," rows
                    yield start, cells
                start = reader.line_num + 1
        except csv.Error as exc:
            raise ImportValidationError([f"{path}:{reader.line_num}: not valid CSV ({exc})"],
                                        hint="fix the quoting on that line") from exc

    return header, rows()
