"""One scorecard PDF: our time against a bare WeasyPrint render of the same HTML.

    .venv/bin/python bench/scorecard.py               # 15 interleaved rounds per language
    .venv/bin/python bench/scorecard.py --rounds 8    # quicker

Part 1, the hand-built sample card (reports.scorecard_samples), in zh-Hans and en:

- ours  = render_scorecard_pdf(card): template + charts + PDF, what production runs;
- bare  = weasyprint.HTML(string=html).write_pdf() of the very same HTML;
- also, to show where the difference goes: render_scorecard_html(card) alone
  (template + charts) and render_pdf(html) alone (our WeasyPrint wrapper:
  data:-only URL fetcher, print media).

Cases run round-robin (ours, bare, html, wrapper, ours, bare, …) after warm-up
rounds; the figure is the ratio of medians, ours / bare: 1.00 would mean our
code adds nothing to WeasyPrint's own time.

Part 2, a scorecard assembled from the database (needs reports.services.scorecards
and reports.selectors.scorecard; skipped with a message when they are missing):
a throwaway SQLite database under bench/out/ with scored visits (see
_sqlite_data.py); per round one branch not rendered before, so

- miss = scorecard_get_or_render(...) the first time: cache key, data from the
  database, template, charts, PDF, storage write;
- hit  = the same call again: cache key and lookup only;
- bare = WeasyPrint alone on that branch's scorecard HTML (built beforehand,
  outside the timing);
- plus scorecard_data(...) alone: the database side of a miss.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
from pathlib import Path

from _common import (
    OUT,
    bare_pdf,
    interleave,
    machine,
    manage,
    median,
    ms,
    setup_django,
    spread,
    table,
    timed,
    write_results,
)

LANGS = ("zh-Hans", "en")
DB_PATH = OUT / "scorecard.sqlite3"
VAR_DIR = OUT / "var-scorecard"
PERIOD = "2025-10"


def summarise(times: dict[str, list[float]]) -> dict[str, dict]:
    return {
        name: {"median_s": round(median(values), 4), "all_s": [round(v, 4) for v in values]}
        for name, values in times.items()
    }


def sample_part(rounds: int, warmup: int) -> dict:
    from reports.pdf import render_pdf, render_scorecard_pdf
    from reports.scorecard_render import render_scorecard_html
    from reports.scorecard_samples import sample_scorecard

    results = {}
    for lang in LANGS:
        card = sample_scorecard(lang)
        html = render_scorecard_html(card)
        sizes = {
            "html_bytes": len(html.encode()),
            "pdf_bytes": len(render_scorecard_pdf(card)),
            "bare_pdf_bytes": len(bare_pdf(html)),
        }
        times = interleave(
            {
                "ours": lambda card=card: render_scorecard_pdf(card),
                "bare": lambda html=html: bare_pdf(html),
                "html only": lambda card=card: render_scorecard_html(card),
                "render_pdf only": lambda html=html: render_pdf(html),
            },
            rounds=rounds,
            warmup=warmup,
        )
        entry = summarise(times)
        entry["ratio_ours_to_bare"] = round(median(times["ours"]) / median(times["bare"]), 3)
        entry["sizes"] = sizes
        results[lang] = entry
    return results


def db_part(rounds: int, warmup: int, branches: int) -> dict:
    try:
        from reports.selectors.scorecard import scorecard_data
        from reports.services.scorecards import scorecard_get_or_render
    except ImportError as error:
        print(f"\nscorecard service not importable ({error}): database part skipped.")
        return {"skipped": str(error)}

    from _sqlite_data import populate

    from audits.models import Branch
    from checklists.models import Checklist
    from reports.periods import parse_period
    from reports.scorecard_render import render_scorecard_html

    period = parse_period(PERIOD, date_from=None, date_to=None)
    counts = populate(
        checklist_code="standard-branch-visit", period=period, branches=branches, regions=4
    )
    checklist = Checklist.objects.get(code="standard-branch-visit")
    pool = list(Branch.objects.select_related("region").order_by("code"))
    needed = warmup + rounds
    if len(pool) < needed:
        sys.exit(f"need {needed} branches for {needed} fresh renders, have {len(pool)}")

    results: dict = {"rows": counts}
    for lang in LANGS:
        times: dict[str, list[float]] = {"miss": [], "hit": [], "bare": [], "data only": []}
        for round_number in range(needed):
            # A branch not rendered before, so the first request is a miss. Its
            # HTML for the bare baseline is built here, before any clock starts.
            branch = pool[round_number]
            card = scorecard_data(branch=branch, checklist=checklist, period=period, lang=lang)
            html = render_scorecard_html(card)

            def request(branch=branch, lang=lang):
                return scorecard_get_or_render(
                    branch=branch, checklist=checklist, period=period, lang=lang
                )

            def data(branch=branch, lang=lang):
                return scorecard_data(branch=branch, checklist=checklist, period=period, lang=lang)

            for name, fn in (
                ("miss", request),
                ("hit", request),
                ("bare", lambda html=html: bare_pdf(html)),
                ("data only", data),
            ):
                gc.collect()
                elapsed, result = timed(fn)
                if name in ("miss", "hit"):
                    if result.cache_hit is not (name == "hit"):
                        sys.exit(f"expected a {name}, scorecard_get_or_render said otherwise")
                    pdf_bytes = result.size_bytes
                if round_number >= warmup:
                    times[name].append(elapsed)
        entry = summarise(times)
        entry["ratio_miss_to_bare"] = round(median(times["miss"]) / median(times["bare"]), 3)
        entry["ratio_hit_to_miss"] = round(median(times["hit"]) / median(times["miss"]), 4)
        entry["pdf_bytes"] = pdf_bytes
        entry["photos"] = len(card.photos)
        results[lang] = entry
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds per language")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep bench/out/scorecard.sqlite3")
    parser.add_argument("--name", default="scorecard", help="results file bench/out/<name>.json")
    args = parser.parse_args()

    for path in (DB_PATH, Path(f"{DB_PATH}-wal"), Path(f"{DB_PATH}-shm")):
        path.unlink(missing_ok=True)
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    database_url = f"sqlite:///{DB_PATH.relative_to(OUT.parent.parent)}"
    results: dict = {"benchmark": "scorecard", "machine": machine()}
    try:
        manage("migrate", "--noinput", database_url=database_url, var_dir=VAR_DIR)
        manage("load_checklists", database_url=database_url, var_dir=VAR_DIR)
        setup_django(database_url, VAR_DIR)
        print(f"sample scorecard: {args.warmup} warm-up + {args.rounds} rounds per language")
        results["sample"] = sample_part(args.rounds, args.warmup)
        print("scorecard from the database (SQLite, 40 branches)")
        results["database"] = db_part(args.rounds, args.warmup, branches=40)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            for path in (DB_PATH, Path(f"{DB_PATH}-wal"), Path(f"{DB_PATH}-shm")):
                path.unlink(missing_ok=True)
            shutil.rmtree(VAR_DIR, ignore_errors=True)
    path = write_results(args.name, results)
    report(results)
    print(f"\nresults: {path}")


def report(results: dict) -> None:
    print("\n== one scorecard PDF, hand-built sample card (median of interleaved rounds)")
    rows = []
    for lang, entry in results["sample"].items():
        rows.append(
            (
                lang,
                ms(entry["ours"]["median_s"]),
                ms(entry["bare"]["median_s"]),
                f"{entry['ratio_ours_to_bare']:.2f}",
                ms(entry["html only"]["median_s"]),
                ms(entry["render_pdf only"]["median_s"]),
                spread(entry["ours"]["all_s"]),
                spread(entry["bare"]["all_s"]),
            )
        )
    print(
        table(
            rows,
            (
                "lang",
                "ours",
                "bare WeasyPrint",
                "ours/bare",
                "html only",
                "render_pdf only",
                "ours range",
                "bare range",
            ),
        )
    )
    database = results.get("database", {})
    if "skipped" in database:
        print(f"\nscorecard from the database: skipped ({database['skipped']})")
        return
    print("\n== scorecard from the database (SQLite), via scorecard_get_or_render")
    rows = []
    for lang in LANGS:
        entry = database[lang]
        rows.append(
            (
                lang,
                ms(entry["miss"]["median_s"]),
                ms(entry["hit"]["median_s"]),
                ms(entry["bare"]["median_s"]),
                f"{entry['ratio_miss_to_bare']:.2f}",
                f"{entry['ratio_hit_to_miss']:.3f}",
                ms(entry["data only"]["median_s"]),
                f"{entry['pdf_bytes']:,}",
            )
        )
    print(
        table(
            rows,
            (
                "lang",
                "miss (render)",
                "hit (cached)",
                "bare WeasyPrint",
                "miss/bare",
                "hit/miss",
                "data only",
                "PDF bytes",
            ),
        )
    )


if __name__ == "__main__":
    main()
