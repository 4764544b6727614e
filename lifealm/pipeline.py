"""The one orchestrator: the one loader of model inputs, `check`, and ledger in, site out (load → Monte Carlo →
models → snapshot → charts → HTML/PDF/JSON)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from lifealm.errors import LifealmError
from lifealm.ledger.check import integrity_problems
from lifealm.ledger.db import open_ledger
from lifealm.ledger.load import load_inputs
from lifealm.ledger.screen import screening
from lifealm.ledger.snapshots import write_snapshot
from lifealm.ledger.sqlite_errors import Failure, classify
from lifealm.models.briefing import Briefing, build_briefing
from lifealm.models.briefing_json import briefing_to_json
from lifealm.models.findings import Finding, Severity, merge_findings
from lifealm.models.freshness import UpdateReport
from lifealm.models.horizon import horizon_problem
from lifealm.models.inputs import LedgerInputs
from lifealm.models.montecarlo.household import HouseholdRun, household_plan, run_household
from lifealm.settings import Settings

if TYPE_CHECKING:
    from lifealm.render.print_worker import Printer

# The chart, render and PDF stack (Altair, Jinja, WeasyPrint, vl-convert) is imported inside `build_report` and
# `latest_day`: `check`, `simulate` and `--help` load this module and must not pay a second for libraries they
# never call.

SHARED_OUTPUT_ENV = "LIFEALM_SHARED_OUTPUT"
STAGES = ("load", "montecarlo", "models", "snapshot", "charts", "html", "pdf", "write")


@dataclass(frozen=True)
class ReportOutcome:
    """Where the day's briefing was written and what it says; `timings` holds seconds per stage."""

    as_of: date
    status: str  # SAFE, CAUTION, DANGER or NO DATA
    site_dir: Path
    day_dir: Path
    html_path: Path
    pdf_path: Path
    json_path: Path
    briefing: Briefing
    timings: dict[str, float] = field(default_factory=dict)
    index_updated: bool = True  # False: an older date (or one after today); index.html shows another day

    @property
    def stale(self) -> bool:
        """The briefing says its prices are stale: the update before it failed, or a price is old."""
        return self.briefing.freshness.stale

    @property
    def index_path(self) -> Path:
        """site/index.html: the latest briefing (the page `make report` tells the user to open)."""
        return self.site_dir / "index.html"

    @property
    def page_path(self) -> Path:
        """The page that shows this briefing: index.html when it was updated, else the day's own page."""
        return self.index_path if self.index_updated else self.html_path


class _Clock:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started


def shared_output_from_env(environ: os._Environ[str] | dict[str, str] | None = None) -> bool:
    """True when LIFEALM_SHARED_OUTPUT asks for umask-respecting (not owner-only) output files."""
    env = os.environ if environ is None else environ
    return env.get(SHARED_OUTPUT_ENV, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True, slots=True)
class ModelInputs:
    """The models' frozen inputs for one as-of date, and the findings that only the ledger file can tell."""

    inputs: LedgerInputs
    file_findings: tuple[Finding, ...] = ()  # rows the loader left out, or kept with text no page can draw


def read_model_inputs(conn: sqlite3.Connection, as_of: date,
                      overrides: Mapping[str, object] = MappingProxyType({})) -> ModelInputs:
    """The model inputs from an open ledger: its rows as of `as_of`, with the config's [assumptions] applied.

    Every row read is checked against its declaration (lifealm.ledger.screen): a row the models can go without is
    left out with an error finding; one whose loss could flatter the answer (a loan, an expense) is a LedgerError;
    text a page can only show cut or replaced is kept, with a warning.
    """
    with screening(conn) as screen:
        inputs = load_inputs(conn, as_of, overrides=overrides)
    screen.raise_if_refused()
    problem = horizon_problem(inputs)
    if problem:
        raise LifealmError(problem, hint="lower mc_paths, or set mc_years or a lower plan_to_age, in the ledger "
                           "(`lifealm import assumptions FILE`) or in the config file's [assumptions]")
    return ModelInputs(inputs, tuple(Finding("unreadable_row", Severity.ERROR, u.subject, u.detail())
                                     for u in screen.left_out)
                       + tuple(Finding("unusual_text", Severity.WARNING, u.subject, u.detail())
                               for u in screen.unusual))


def load_model_inputs(settings: Settings, as_of: date) -> ModelInputs:
    """THE loader: settings and an as-of date in, the models' inputs out (every command that runs models uses it)."""
    with closing(open_ledger(settings.db, readonly=True)) as conn:
        return read_model_inputs(conn, as_of, settings.assumption_overrides)


def ledger_findings(model_inputs: ModelInputs) -> tuple[Finding, ...]:
    """The findings the report shows for these inputs, plus what only the file can tell (what `check` lists).

    The household plan is built (not simulated) for its findings: the report runs it, so `check` must say what
    the report will say about it (yearly steps, say), in the report's order.
    """
    inputs = model_inputs.inputs
    return merge_findings(model_inputs.file_findings, build_briefing(inputs).findings,
                          household_plan(inputs).findings)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Integrity problems (the file is damaged: exit 1) and data findings (the plan has gaps: exit 0)."""

    integrity: tuple[str, ...]  # PRAGMA integrity_check lines other than "ok"
    foreign_keys: tuple[str, ...]  # PRAGMA foreign_key_check rows, as "table row N → parent"
    findings: tuple[Finding, ...]

    @property
    def damaged(self) -> bool:
        return bool(self.integrity or self.foreign_keys)


def check_ledger(settings: Settings, as_of: date) -> CheckReport:
    """`lifealm check`: the file's integrity, then (if intact) the findings for `as_of` under the settings."""
    with closing(open_ledger(settings.db, readonly=True)) as conn:
        integrity, foreign = integrity_problems(conn)
        if integrity:
            return CheckReport(integrity, foreign, ())
        loaded = read_model_inputs(conn, as_of, settings.assumption_overrides)
    return CheckReport(integrity, foreign, ledger_findings(loaded))


def run_montecarlo(inputs: LedgerInputs) -> HouseholdRun:
    """The household simulation and the plan's findings, seeded from assumptions.mc_seed so the same ledger gives
    the same briefing."""
    seed = inputs.assumptions.mc_seed
    return run_household(inputs, np.random.default_rng(seed), seed=seed)


def compute_briefing(inputs: LedgerInputs, *, montecarlo: bool = True) -> Briefing:
    """Every model on `inputs`, the Monte Carlo simulation included unless `montecarlo` is False."""
    return build_briefing(inputs, montecarlo=run_montecarlo(inputs) if montecarlo else None)


def record_snapshot(conn: sqlite3.Connection, briefing: Briefing, db: Path) -> None:
    """Write the day's headline figures to the ledger; a read-only ledger is named with the fix."""
    try:
        write_snapshot(conn, briefing.snapshot)
    except sqlite3.Error as exc:
        if classify(exc) is not Failure.READONLY:
            raise
        raise LifealmError(
            f"{db}: the ledger is read-only, so the briefing's snapshot (its history point) cannot be recorded; "
            "nothing was written.",
            hint=f"give your user write access to the ledger and its directory (chmod u+w {db}) and run again",
        ) from exc


def latest_day(out: Path, today: date) -> str | None:
    """The day index.html shows: the newest published date not after today (a future-dated leftover never)."""
    from lifealm.render.site import published_days

    days = [d for d in published_days(out) if d <= today.isoformat()]
    return days[-1] if days else None


def build_report(settings: Settings, *, as_of: date, shared_output: bool | None = None,
                 montecarlo: bool = True, today: date | None = None,
                 update: UpdateReport | None = None) -> ReportOutcome:
    """Write the briefing for `as_of` into `settings.out`; on any failure the previous site stays as it was.

    `update` is what the price update just before it did (`lifealm run`): the briefing says first when it failed.
    """
    from lifealm.render.print_worker import Printer

    if settings.out.exists() and not settings.out.is_dir():
        raise LifealmError(f"{settings.out}: the output path is a file, not a directory.",
                           hint="point --out (or LIFEALM_OUT / `out` in the config) at a directory")
    clock = _Clock()
    # The print processes start first: vl-convert and WeasyPrint warm up there while this process runs the models.
    with Printer() as printer:
        with clock.stage("load"), closing(open_ledger(settings.db)) as conn:
            loaded = read_model_inputs(conn, as_of, settings.assumption_overrides)
            inputs = loaded.inputs
            with clock.stage("montecarlo"):
                mc = run_montecarlo(inputs) if montecarlo else None
            with clock.stage("models"):
                briefing = build_briefing(inputs, montecarlo=mc, update=update)
                # the rows the loader left out (or kept with odd text) are shown with the models' own findings
                briefing = replace(briefing, findings=merge_findings(loaded.file_findings, briefing.findings))
                doc = briefing_to_json(briefing)
            with clock.stage("snapshot"):
                record_snapshot(conn, briefing, settings.db)
        clock.timings["load"] -= sum(clock.timings[s] for s in ("montecarlo", "models", "snapshot"))
        return _publish(settings, as_of, briefing, doc, printer, clock, shared_output=shared_output, today=today)


def _publish(settings: Settings, as_of: date, briefing: Briefing, doc: dict[str, Any], printer: Printer,
             clock: _Clock, *, shared_output: bool | None, today: date | None) -> ReportOutcome:
    """Charts, HTML, PDF and JSON for the briefing, published into the site as one day."""
    # The print HTML first, then the print specs: the PDF process lays the pages out while the chart process draws
    # the charts and this one builds the screen charts and renders the page.
    with clock.stage("html"):
        from lifealm.atomic import make_dirs
        from lifealm.charts.catalog import chart_ids, print_size
        from lifealm.charts.collect import chart_data
        from lifealm.render import assets, pages
        from lifealm.render.files import FileModes
        from lifealm.render.print_worker import chart_url
        from lifealm.render.site import archive_entries, publish_day, remove_leftovers, write_page

        data = chart_data(briefing)
        context = pages.page_context(doc, settings.lang)
        shown = chart_ids(data)
        pending = printer.pdf(pages.render_print(doc, {chart_id: chart_url(chart_id) for chart_id in shown},
                                                 context=context),
                              {chart_id: print_size(chart_id, data) for chart_id in shown})
    with clock.stage("charts"):  # Altair specs: light ones to the chart process for vector SVG, dark ones for the page
        printer.charts(pages.print_specs(data, settings.lang))
        specs = pages.screen_specs(data, settings.lang)
    with clock.stage("html"):
        day = as_of.isoformat()
        bundle = assets.bundle_name()
        day_html = pages.render_screen(doc, specs, root="../", day_prefix="", bundle=bundle, context=context)
        latest_html = pages.render_screen(doc, specs, root="", day_prefix=f"{day}/", bundle=bundle, context=context)
        json_text = pages.briefing_json_text(doc)
    with clock.stage("pdf"):  # the wait for the print processes' PDF (all of its making, without them)
        pdf = pending.result()

    with clock.stage("write"):
        modes = FileModes.shared() if (shared_output_from_env() if shared_output is None else shared_output) \
            else FileModes.private()
        files: dict[str, bytes] = {
            "index.html": day_html.encode("utf-8"),
            "briefing.pdf": pdf,
            "briefing.json": json_text.encode("utf-8"),
        }
        for chart_id, spec in specs.items():
            files[f"charts/{chart_id}.vl.json"] = pages.spec_json_text(spec).encode("utf-8")
        out = settings.out
        make_dirs(out, modes.directory)
        assets.ensure_bundle(out / "assets", modes)
        day_dir = publish_day(out, day, files, modes)
        # An older as-of re-run must not replace the latest page, nor may a day after today become it.
        index_updated = latest_day(out, today or date.today()) == day
        if index_updated:
            write_page(out, "index.html", latest_html, modes)
        entries = archive_entries(out, day=day, status=str(doc["status"]))
        write_page(out, "archive.html", pages.render_archive(entries, settings.lang), modes)
        remove_leftovers(out)

    return ReportOutcome(
        as_of=as_of, status=str(doc["status"]), site_dir=out, day_dir=day_dir,
        html_path=day_dir / "index.html", pdf_path=day_dir / "briefing.pdf", json_path=day_dir / "briefing.json",
        briefing=briefing, timings=clock.timings, index_updated=index_updated,
    )
