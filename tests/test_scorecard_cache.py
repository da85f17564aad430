"""reports.services.scorecards — scorecard PDFs are cached by their inputs and redrawn when a visit changes.

The PDF engine is replaced by a stub that counts its calls: these tests are
about when a render happens, not what it draws (tests/api/test_scorecard_pdf.py
looks at real PDFs).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from audits.models import Visit
from audits.services.review import visit_review
from audits.storage import private_storage
from reports.models import Scorecard
from reports.periods import parse_period
from reports.scorecard_extras import PlanFact, PlanFacts
from reports.scorecard_fonts import FONT_FILES
from reports.services import scorecards
from reports.services.scorecards import scorecard_cache_key, scorecard_get_or_render
from tests.report_data import report_checklist, rescore, visit

OCTOBER = parse_period("2026-10", date_from=None, date_to=None)


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")


@pytest.fixture
def october_visit(east_branch, version):
    return visit(east_branch, version, "2026-10-05", 80.0)


def get(branch, version, lang="zh-Hans", period=OCTOBER):
    return scorecard_get_or_render(
        branch=branch, checklist=version.checklist, period=period, lang=lang
    )


def test_the_same_inputs_are_served_from_the_stored_pdf_without_rendering(
    renders, east_branch, version, october_visit
):
    first = get(east_branch, version)
    second = get(east_branch, version)

    assert (first.cache_hit, second.cache_hit) == (False, True)
    assert second.pk == first.pk
    assert len(renders) == 1


def test_the_pdf_is_stored_under_branch_period_language_and_key(
    renders, east_branch, version, october_visit
):
    scorecard = get(east_branch, version)

    assert scorecard.file_name == f"reports/sh-jingan/2026-10-zh-Hans-{scorecard.key[:12]}.pdf"
    with private_storage().open(scorecard.file_name, "rb") as file:
        assert file.read().startswith(b"%PDF-stub sh-jingan zh-Hans 80.0")
    assert (scorecard.period, scorecard.lang, scorecard.branch_id) == (
        "2026-10",
        "zh-Hans",
        east_branch.pk,
    )


def test_approving_a_visit_in_the_period_renders_a_new_scorecard(
    renders, east_branch, version, october_visit, rita
):
    before = get(east_branch, version)
    submitted = visit(east_branch, version, "2026-10-20", 90.0, status=Visit.Status.SUBMITTED)
    assert (
        scorecard_cache_key(
            branch=east_branch, checklist=version.checklist, period=OCTOBER, lang="zh-Hans"
        )
        == before.key
    )  # a submission is on no scorecard until it is approved

    visit_review(visit=submitted, reviewer=rita, decision="approve")
    after = get(east_branch, version)

    assert not after.cache_hit
    assert after.key != before.key
    assert renders[-1].score == 85
    assert Scorecard.objects.count() == 2


def test_a_changed_visit_of_another_branch_renders_again_because_ranks_depend_on_it(
    renders, east_branch, west_branch, version, october_visit
):
    other = visit(west_branch, version, "2026-10-06", 70.0)
    before = get(east_branch, version)

    rescore(other, 95)

    assert not get(east_branch, version).cache_hit
    assert len(renders) == 2
    assert before.key != Scorecard.objects.latest("pk").key


def test_a_visit_outside_the_trend_window_leaves_the_cache_alone(
    renders, east_branch, version, october_visit
):
    get(east_branch, version)

    visit(east_branch, version, "2026-04-30", 50.0)  # seven months back

    assert get(east_branch, version).cache_hit


def test_each_language_is_a_scorecard_of_its_own(renders, east_branch, version, october_visit):
    chinese = get(east_branch, version, lang="zh-Hans")
    english = get(east_branch, version, lang="en")

    assert chinese.key != english.key
    assert [card.lang for card in renders] == ["zh-Hans", "en"]


def test_a_stored_row_whose_file_is_gone_is_rendered_again(
    renders, east_branch, version, october_visit
):
    first = get(east_branch, version)
    private_storage().delete(first.file_name)

    again = get(east_branch, version)

    assert not again.cache_hit
    assert again.pk == first.pk
    assert private_storage().exists(again.file_name)


def test_a_new_code_version_redraws_every_scorecard(
    renders, east_branch, version, october_visit, monkeypatch
):
    get(east_branch, version)

    monkeypatch.setattr(scorecards, "SCORECARD_CODE_VERSION", "next")

    assert not get(east_branch, version).cache_hit


def test_a_branch_without_visits_is_rendered_and_cached_too(renders, east_branch, version):
    first = get(east_branch, version)

    assert not renders[0].has_visits
    assert get(east_branch, version).pk == first.pk
    assert len(renders) == 1


# --- the plans shown (settings.SCORECARD_EXTRAS) ------------------------------------------

# What the stand-in hook reports; reports only sees what a hook returns.
SHOWN: dict[str, PlanFacts] = {}


def shown_plans(*, branch, checklist, period, lang) -> dict[str, PlanFacts]:
    return {"action_plans": SHOWN["plans"]}


def open_plan(*, overdue: bool = False) -> PlanFact:
    return PlanFact(
        month="2026-10",
        reason="critical_failure",
        status="submitted",
        items=("主动问候",),
        due_date=dt.date(2026, 11, 1),
        overdue=overdue,
        did_not_fix=False,
    )


@pytest.fixture
def plans_hook(settings):
    settings.SCORECARD_EXTRAS = [f"{__name__}.shown_plans"]
    SHOWN["plans"] = PlanFacts(open=(), previous=())
    return SHOWN


def test_unchanged_plans_are_served_from_the_stored_pdf(
    renders, plans_hook, east_branch, version, october_visit
):
    plans_hook["plans"] = PlanFacts(open=(open_plan(),), previous=())
    get(east_branch, version)

    assert get(east_branch, version).cache_hit


def test_a_new_open_plan_renders_a_new_scorecard_that_shows_it(
    renders, plans_hook, east_branch, version, october_visit
):
    before = get(east_branch, version)
    plans_hook["plans"] = PlanFacts(open=(open_plan(),), previous=())

    after = get(east_branch, version)

    assert (after.cache_hit, after.key != before.key) == (False, True)
    assert [row.items for row in renders[-1].action_plans.open] == ["主动问候"]


def test_a_plan_turning_overdue_makes_a_new_cache_key(plans_hook, east_branch, version):
    def key():
        return scorecard_cache_key(
            branch=east_branch, checklist=version.checklist, period=OCTOBER, lang="zh-Hans"
        )

    plans_hook["plans"] = PlanFacts(open=(open_plan(overdue=False),), previous=())
    before = key()
    # No row changes when a due date passes: only the day does.
    plans_hook["plans"] = PlanFacts(open=(open_plan(overdue=True),), previous=())

    assert key() != before


def test_a_verdict_on_last_periods_plan_makes_a_new_cache_key(plans_hook, east_branch, version):
    def key():
        return scorecard_cache_key(
            branch=east_branch, checklist=version.checklist, period=OCTOBER, lang="zh-Hans"
        )

    waiting = dataclasses.replace(open_plan(), month="2026-09", status="accepted")
    plans_hook["plans"] = PlanFacts(open=(), previous=(waiting,))
    before = key()
    verified = dataclasses.replace(waiting, status="verified")
    plans_hook["plans"] = PlanFacts(open=(), previous=(verified,))

    assert key() != before


def test_a_rebuilt_pdf_font_redraws_every_scorecard(
    renders, east_branch, version, october_visit, monkeypatch, tmp_path
):
    get(east_branch, version)
    rebuilt = tmp_path / "ScorecardSansSC-Regular.woff2"
    rebuilt.write_bytes(FONT_FILES[400].read_bytes() + b"rebuilt")
    monkeypatch.setattr(
        scorecards, "_DIGESTED_FILES", (*scorecards._TEMPLATE_FILES, rebuilt, FONT_FILES[700])
    )
    scorecards._template_digest.cache_clear()
    try:
        assert not get(east_branch, version).cache_hit
    finally:
        scorecards._template_digest.cache_clear()
