"""Streaming CSV reading for imports: strict one-encoding decoding, bounded lines, delimiter sniffing, headers."""

from __future__ import annotations

import codecs
import csv
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lifealm.errors import ImportValidationError, LifealmError
from lifealm.ledger.columns import Kind

ENCODING_HINT = "save the file as UTF-8, or name its encoding with --encoding (for example --encoding cp932)"
# No ledger or broker CSV line comes near this; a longer one is not a CSV for lifealm, and reading it whole
# would cost memory in proportion (a 2 GB line once took 4 GB).
MAX_LINE_BYTES = 1 << 20
_CHUNK = 1 << 20
# Codecs that Python can look up but that are not text encodings a spreadsheet writes: refused by name.
_NOT_FILE_ENCODINGS = frozenset(("undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape",
                                 "utf-7"))
_ASCII_PROBE = b"azAZ09,;\t\"'\r\n"


def _refuse_wide(path: Path, what: str) -> LifealmError:
    return LifealmError(f"{path}: {what}; lifealm reads UTF-8 and byte-based encodings such as cp932 (Shift_JIS).",
                        hint="save the file as \"CSV UTF-8\" (in Excel: Save As → CSV UTF-8) and import it again")


def _unknown_encoding(requested: str, why: str) -> LifealmError:
    return LifealmError(f"--encoding {requested}: {why}.",
                        hint="use auto, utf-8, cp932 (Shift_JIS), euc-jp, latin-1 …")


def checked_encoding(requested: str) -> str:
    """The codec name for --encoding, refusing names that are not text encodings of a CSV file (rot13, base64)."""
    try:
        info = codecs.lookup(requested)
    except (LookupError, ValueError):
        raise _unknown_encoding(requested, "unknown encoding") from None
    name = info.name
    if not getattr(info, "_is_text_encoding", True) or name in _NOT_FILE_ENCODINGS:
        raise _unknown_encoding(requested, "not a text encoding for a CSV file")
    if name.startswith(("utf-16", "utf-32")):
        return name
    try:
        ascii_compatible = _ASCII_PROBE.decode(name) == _ASCII_PROBE.decode("ascii")
    except (UnicodeError, LookupError):
        ascii_compatible = False
    if not ascii_compatible:
        raise _unknown_encoding(requested, "an encoding in which commas and line ends are not ASCII")
    return name


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def utf8_flags(lines: list[bytes]) -> list[bool]:
    """Whether each line (without its line end) is UTF-8, in one decoding pass rather than one exception per line.

    A replacement character marks a line that did not decode, unless the line holds U+FFFD itself (EF BF BD);
    the decoder never folds a line end into a replacement, so the lines stay aligned.
    """
    if not lines:
        return []
    texts = b"\n".join(lines).decode("utf-8", "replace").split("\n")
    return ["\ufffd" not in text or (b"\xef\xbf\xbd" in raw and _decodes(raw, "utf-8"))
            for text, raw in zip(texts, lines, strict=True)]


@dataclass(slots=True)
class _LineScan:
    """What one pass over a file's lines found, per candidate encoding (only non-ASCII lines are decoded)."""

    candidates: tuple[str, ...]
    valid: dict[str, int] = field(default_factory=dict)  # non-ASCII lines each encoding decodes
    invalid: dict[str, int] = field(default_factory=dict)
    first_bad: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # line, file offset, byte
    first_good: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # first non-ASCII line it decodes

    def lines(self, number: int, offset: int, batch: list[bytes]) -> None:
        """Lines `number`, `number + 1`, … starting at byte `offset`, without their line ends."""
        wide = [i for i, raw in enumerate(batch) if not raw.isascii()]
        if not wide:
            return

        def start(i: int) -> int:  # the file offset of batch[i]; needed only for the first bad or good line
            return offset + sum(len(raw) + 1 for raw in batch[:i])

        # One decode of the whole batch when it is valid (the usual case); line by line only to find the bad one.
        # Byte 0x0A is never part of a character in the encodings read here, so joining on it changes nothing.
        lines = [batch[i] for i in wide]
        joined = b"\n".join(lines)
        for encoding in self.candidates:
            try:
                joined.decode(encoding)
                flags = [True] * len(wide)
            except UnicodeDecodeError:
                flags = utf8_flags(lines) if encoding == "utf-8" else [_decodes(raw, encoding) for raw in lines]
            good = sum(flags)
            self.valid[encoding] = self.valid.get(encoding, 0) + good
            self.invalid[encoding] = self.invalid.get(encoding, 0) + len(wide) - good
            if good and encoding not in self.first_good:
                k = flags.index(True)
                self.first_good[encoding] = self._first_wide(number + wide[k], start(wide[k]), lines[k])
            if good < len(wide) and encoding not in self.first_bad:
                k = flags.index(False)
                try:
                    lines[k].decode(encoding)
                except UnicodeDecodeError as exc:
                    self.first_bad[encoding] = (number + wide[k], start(wide[k]) + exc.start, lines[k][exc.start])

    @staticmethod
    def _first_wide(number: int, offset: int, raw: bytes) -> tuple[int, int, int]:
        first = next(i for i, byte in enumerate(raw) if byte > 0x7F)
        return number, offset + first, raw[first]


def _scan_lines(path: Path, scan: _LineScan) -> None:
    """Feed every line (as bytes, BOM removed) to `scan`; refuse a line longer than MAX_LINE_BYTES."""
    number, offset, pending = 1, 0, b""
    with path.open("rb") as handle:
        first = handle.read(3)
        if first == codecs.BOM_UTF8:
            offset = 3
        else:
            pending = first
        while True:
            chunk = handle.read(_CHUNK)
            if not chunk:
                break
            parts = (pending + chunk).split(b"\n")
            pending = parts.pop()
            if max(map(len, parts), default=0) > MAX_LINE_BYTES:
                raise _too_long(path, number + next(i for i, raw in enumerate(parts) if len(raw) > MAX_LINE_BYTES))
            scan.lines(number, offset, parts)
            number += len(parts)
            offset += sum(map(len, parts)) + len(parts)
            if len(pending) > MAX_LINE_BYTES:
                raise _too_long(path, number)
    if pending:
        scan.lines(number, offset, [pending])


def _too_long(path: Path, number: int) -> LifealmError:
    return LifealmError(f"{path}:{number}: the line is longer than {MAX_LINE_BYTES // 1024} KiB; this is not a "
                        "CSV file lifealm can read (or its line ends are missing).",
                        hint="check that you chose the right file; split or repair it and import again")


def _label(encoding: str) -> str:
    return "UTF-8" if encoding.startswith("utf-8") else "cp932 (Shift_JIS)" if encoding == "cp932" else encoding


def _bad_byte(path: Path, where: tuple[int, int, int], encoding: str, tail: str = "") -> LifealmError:
    line, offset, byte = where
    return LifealmError(f"{path}:{line}: byte {offset} (0x{byte:02x}) is not valid {_label(encoding)}{tail}.",
                        hint=ENCODING_HINT)


def resolve_encoding(path: Path, requested: str) -> str:
    """The one encoding `path` is read in, after checking every line decodes in it; else a LifealmError.

    "auto" means UTF-8 (with or without a BOM) when every line is UTF-8, cp932 (Shift_JIS) when no line with
    non-ASCII bytes is UTF-8; a file mixing the two is refused at the first line that disagrees with the rest.
    """
    explicit = None if requested.lower() == "auto" else checked_encoding(requested)
    if explicit is not None and explicit.startswith(("utf-16", "utf-32")):
        raise _refuse_wide(path, f"the {explicit.upper()} encoding is not supported")
    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in start:
        # UTF-16 ("Unicode text" from Excel) would otherwise pass for cp932 and come out as garbage.
        raise _refuse_wide(path, "the file is UTF-16")
    if explicit is not None:
        scan = _LineScan((explicit,))
        _scan_lines(path, scan)
        if explicit in scan.first_bad:
            raise _bad_byte(path, scan.first_bad[explicit], explicit, "; the file's encoding could not be read")
        return "utf-8-sig" if explicit == "utf-8" else explicit
    scan = _LineScan(("utf-8",))
    _scan_lines(path, scan)
    utf8_good, utf8_bad = scan.valid.get("utf-8", 0), scan.invalid.get("utf-8", 0)
    if not utf8_bad or start.startswith(codecs.BOM_UTF8):
        if utf8_bad:
            raise _bad_byte(path, scan.first_bad["utf-8"], "utf-8", " (the file starts with a UTF-8 byte-order mark)")
        return "utf-8-sig"
    if utf8_good and utf8_good >= utf8_bad:
        raise _bad_byte(path, scan.first_bad["utf-8"], "utf-8",
                        f"; the file mixes encodings ({utf8_good} line(s) with non-ASCII text are UTF-8)")
    if utf8_good:
        line, offset, byte = scan.first_good["utf-8"]
        raise LifealmError(f"{path}:{line}: byte {offset} (0x{byte:02x}) starts UTF-8 text, but the rest of the "
                           "file is not UTF-8; the file mixes encodings.",
                           hint="save the whole file in one encoding (CSV UTF-8), or if this line really is "
                           "Shift_JIS say so with --encoding cp932")
    _scan_lines(path, scan := _LineScan(("cp932",), first_bad={"utf-8": scan.first_bad["utf-8"]}))
    if "cp932" in scan.first_bad:
        # No line is UTF-8: the file is Shift_JIS where it can be read, so name the first line where it is not.
        if scan.valid.get("cp932", 0):
            raise _bad_byte(path, scan.first_bad["cp932"], "cp932",
                            " (nor UTF-8), though the file's other lines are; the file may be cut short or damaged")
        raise _bad_byte(path, scan.first_bad["utf-8"], "utf-8", " (nor cp932/Shift_JIS)")
    return "cp932"


def _locate_decode_error(path: Path, encoding: str) -> LifealmError:
    """Rescan the bytes line by line to name the line and byte offset where decoding fails."""
    scan = _LineScan((encoding.replace("-sig", ""),))
    _scan_lines(path, scan)
    for where in scan.first_bad.values():
        return _bad_byte(path, where, encoding, "; the file's encoding could not be read")
    return LifealmError(f"{path}: the file ends in the middle of a {encoding} character.", hint=ENCODING_HINT)


def decoded_lines(path: Path, encoding: str) -> Iterator[str]:
    """Yield each line decoded, never more than MAX_LINE_BYTES characters; a bad byte names its line and offset."""
    with path.open("r", encoding=encoding, newline="") as handle:
        number = 0
        try:
            while line := handle.readline(MAX_LINE_BYTES + 1):
                number += 1
                if len(line) > MAX_LINE_BYTES:
                    raise _too_long(path, number)
                yield line
        except UnicodeDecodeError:
            raise _locate_decode_error(path, encoding) from None


_UNIT_SUFFIX = re.compile(r"\s*[\[(][^\[\]()]*[\])]\s*$")


def normalise_header(cell: str) -> str:
    """Header spelling that ignores case, width (ＣＯＤＥ, （円）), spaces and dashes."""
    text = unicodedata.normalize("NFKC", cell.strip().lstrip("\ufeff")).strip()
    return text.lower().replace(" ", "_").replace("-", "_")


@dataclass(frozen=True, slots=True)
class Header:
    """Which ledger column each CSV position feeds (None: unknown, already reported)."""

    positions: tuple[int, ...]  # CSV cell index for each kind column, -1 when the column is absent
    present: tuple[str, ...]  # kind column names present in the file, in kind order
    width: int


# Broker columns that look like ledger columns but mean something else: a hint instead of a bare "unknown".
_BROKER_COLUMNS = {
    "取得単価": "取得単価 is a cost per share; lifealm's cost_basis is the total (取得金額)",
    "平均取得価額": "平均取得価額 is a cost per share; lifealm's cost_basis is the total (取得金額)",
    "現在値": "現在値 is a price: import it as prices (銘柄コード, 日付, 終値)",
    "評価額": "評価額 is a market value that lifealm computes from shares and prices",
    "評価損益": "評価損益 is computed by lifealm from cost and price",
}


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
        # "月額（円）", "残高[円]": a unit in brackets after a known name is accepted.
        target = lookup.get(name) or lookup.get(_UNIT_SUFFIX.sub("", name))
        if target is None:
            why = _BROKER_COLUMNS.get(_UNIT_SUFFIX.sub("", name))
            detail = f"; {why}" if why else ""
            problems.append(f"{path}:1: {cell.strip()}: unknown column for {kind.name}{detail} "
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


def sniff_delimiter(line: str) -> str:
    """Tab for a tab-separated header (tabs and no commas), else comma."""
    return "\t" if "\t" in line and "," not in line else ","


def _separator_hint(line: str) -> str | None:
    if ";" in line and "," not in line:
        return "the file looks semicolon-separated: save it as CSV with commas"
    return None


def read_rows(path: Path, kind: Kind, encoding: str) -> tuple[Header, Iterator[tuple[int, list[str]]]]:
    """Open `path`, map its header, and return the data rows as (line number, cells), skipping blank lines.

    Commas separate cells, or tabs when the header has tabs and no commas (a TSV saved from a spreadsheet).
    """
    try:
        if path.stat().st_size == 0:
            raise ImportValidationError([f"{path}: the file is empty (no header row)"],
                                        hint=f"export a {kind.name} file from your broker or start from "
                                        f"`lifealm export {kind.name}`")
    except OSError as exc:
        raise LifealmError(f"{path}: cannot read the file ({exc.strerror}).",
                           hint="check the path and that you may read it") from exc
    lines = decoded_lines(path, resolve_encoding(path, encoding))
    head: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    first = head[-1] if head else ""
    reader = csv.reader(itertools.chain(head, lines), delimiter=sniff_delimiter(first))
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
    try:
        header = map_header(kind, header_cells, path)
    except ImportValidationError as exc:
        exc.hint = _separator_hint(first) or exc.hint
        raise

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
