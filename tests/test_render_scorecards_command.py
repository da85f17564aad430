"""manage.py render_scorecards — every active branch's scorecard, one zip per region, with progress.

The PDF engine is stubbed: these tests are about which scorecards are made and
where they go (tests/api/test_scorecard_pdf.py renders real ones).
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from audits.storage import private_storage
from reports.management.commands.render_scorecards import progress_bar
from reports.models import Scorecard, ScorecardBatch
from tests.factories import BranchFactory
from tests.report_data import report_checklist, visit


@pytest.fixture
def company(east_branch, west_branch):
    """East: sh-jingan and sh-pudong active, sh-closed inactive; West: cd-jinjiang."""
    version = report_checklist("branch-visit")
    pudong = BranchFactory(region=east_branch.region, code="sh-pudong")
    BranchFactory(region=east_branch.region, code="sh-closed", active=False)
    visit(east_branch, version, "2026-10-05", 80.0)
    visit(pudong, version, "2026-10-06", 90.0)
    visit(west_branch, version, "2026-10-07", 70.0)
    return version


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("render_scorecards", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def zip_names(name: str) -> list[str]:
    with private_storage().open(name, "rb") as file, zipfile.ZipFile(file) as archive:
        return sorted(archive.namelist())


def test_it_writes_one_zip_per_region_with_one_pdf_per_active_branch(renders, company):
    run("--period", "2026-10")

    assert zip_names("reports/zips/east-2026-10-zh-Hans.zip") == [
        "scorecard-sh-jingan-2026-10-zh-Hans.pdf",
        "scorecard-sh-pudong-2026-10-zh-Hans.pdf",
    ]
    assert zip_names("reports/zips/west-2026-10-zh-Hans.zip") == [
        "scorecard-cd-jinjiang-2026-10-zh-Hans.pdf"
    ]


def test_each_pdf_in_the_zip_is_the_branchs_scorecard(renders, company):
    run("--period", "2026-10", "--region", "east")

    with (
        private_storage().open("reports/zips/east-2026-10-zh-Hans.zip", "rb") as file,
        zipfile.ZipFile(file) as archive,
    ):
        assert archive.read("scorecard-sh-pudong-2026-10-zh-Hans.pdf").startswith(
            b"%PDF-stub sh-pudong zh-Hans"
        )


def test_it_prints_a_progress_bar_per_branch_on_stderr(renders, company):
    _, err = run("--period", "2026-10")

    lines = err.splitlines()
    assert lines[0] == f"[{'#' * 12}{'-' * 12}] 1/2 sh-jingan"
    assert lines[1] == f"[{'#' * 24}] 2/2 sh-pudong"
    assert lines[2] == f"[{'#' * 24}] 1/1 cd-jinjiang"


def test_it_records_a_finished_batch_per_region(renders, company):
    out, _ = run("--period", "2026-10")

    batches = {b.region.code: b for b in ScorecardBatch.objects.select_related("region")}
    assert set(batches) == {"east", "west"}
    east = batches["east"]
    assert (east.status, east.total, east.done, east.period, east.lang) == (
        "done",
        2,
        2,
        "2026-10",
        "zh-Hans",
    )
    assert east.file_name == "reports/zips/east-2026-10-zh-Hans.zip"
    assert east.finished_at is not None
    assert "east: 2 scorecards → reports/zips/east-2026-10-zh-Hans.zip" in out


def test_it_renders_each_scorecard_once_through_the_cache(renders, company):
    run("--period", "2026-10")

    # The tasks render; the zip then reads the same three from the cache.
    assert sorted(card.branch_code for card in renders) == ["cd-jinjiang", "sh-jingan", "sh-pudong"]
    assert Scorecard.objects.count() == 3


def test_region_narrows_it_to_one_region(renders, company):
    run("--period", "2026-10", "--region", "west")

    assert [b.region.code for b in ScorecardBatch.objects.all()] == ["west"]
    assert [card.branch_code for card in renders] == ["cd-jinjiang"]


def test_lang_and_checklist_are_passed_to_every_scorecard(renders, company):
    other = report_checklist("other-visit")

    run("--period", "2026-Q4", "--region", "west", "--lang", "en", "--checklist", "other-visit")

    assert zip_names("reports/zips/west-2026-Q4-en-other-visit.zip") == [
        "scorecard-cd-jinjiang-2026-Q4-en.pdf"
    ]
    assert renders[0].checklist_title == other.checklist.title_en


def test_an_unknown_region_is_an_error(renders, company):
    with pytest.raises(CommandError, match="--region"):
        run("--period", "2026-10", "--region", "north")


def test_a_bad_period_is_an_error(company):
    with pytest.raises(CommandError, match="--period"):
        run("--period", "2026-13")


def test_a_failed_render_marks_the_batch_failed(monkeypatch, company):
    def broken(card):
        raise RuntimeError("engine down")

    monkeypatch.setattr("reports.pdf.render_scorecard_pdf", broken)

    with pytest.raises(RuntimeError, match="engine down"):
        run("--period", "2026-10", "--region", "east")
    assert ScorecardBatch.objects.get().status == "failed"


def test_the_progress_bar_is_plain_text():
    assert progress_bar(12, 24, "sh-jingan", width=10) == "[#####-----] 12/24 sh-jingan"


def test_a_zip_for_a_named_checklist_is_kept_apart_from_the_default_one(renders, company):
    from reports.periods import parse_period
    from reports.services.scorecards import region_zip_latest

    run("--period", "2026-10", "--region", "east", "--checklist", company.checklist.code)

    batch = ScorecardBatch.objects.get()
    assert batch.checklist == company.checklist
    assert batch.file_name == f"reports/zips/east-2026-10-zh-Hans-{company.checklist.code}.zip"
    period = parse_period("2026-10", date_from=None, date_to=None)
    assert region_zip_latest(region=batch.region, period=period, lang="zh-Hans") is None


def counting(monkeypatch, name: str) -> list[str]:
    """Wrap reports.services.scorecards.<name>, recording the branch of every call."""
    from reports.services import scorecards

    calls: list[str] = []
    original = getattr(scorecards, name)

    def counted(**kwargs):
        calls.append(kwargs["branch"].code)
        return original(**kwargs)

    monkeypatch.setattr(scorecards, name, counted)
    return calls


def test_each_scorecards_cache_key_is_computed_once(monkeypatch, renders, company):
    calls = counting(monkeypatch, "scorecard_cache_key")

    run("--period", "2026-10")

    # The zip copies the PDF each task recorded in its part, without a second key.
    assert sorted(calls) == ["cd-jinjiang", "sh-jingan", "sh-pudong"]


def test_each_scorecards_extras_are_asked_once(monkeypatch, renders, company):
    calls = counting(monkeypatch, "scorecard_extras")

    run("--period", "2026-10")

    assert sorted(calls) == ["cd-jinjiang", "sh-jingan", "sh-pudong"]


def test_with_workers_every_regions_tasks_are_queued_before_any_zip(monkeypatch, renders, company):
    from celery import group

    from reports.services import scorecards
    from reports.tasks import scorecard_render_task

    events: list[str] = []

    class QueuedGroup(group):
        def apply_async(self, *args, **kwargs):
            # A stand-in broker and workers: the tasks run as they are queued.
            events.append("queued")
            for signature in self.tasks:
                signature.apply(throw=True)

    zip_write = scorecards._zip_write

    def recorded_zip_write(**kwargs):
        events.append(f"zip {kwargs['region'].code}")
        return zip_write(**kwargs)

    monkeypatch.setitem(scorecard_render_task.app.conf, "task_always_eager", False)
    monkeypatch.setattr(scorecards, "group", QueuedGroup)
    monkeypatch.setattr(scorecards, "_zip_write", recorded_zip_write)

    run("--period", "2026-10")

    assert events == ["queued", "queued", "zip east", "zip west"]


def test_a_failed_render_marks_every_unzipped_batch_of_the_run_failed(monkeypatch, company):
    def broken(card):
        raise RuntimeError("engine down")

    monkeypatch.setattr("reports.pdf.render_scorecard_pdf", broken)

    with pytest.raises(RuntimeError, match="engine down"):
        run("--period", "2026-10")
    assert sorted(ScorecardBatch.objects.values_list("status", flat=True)) == ["failed", "failed"]
