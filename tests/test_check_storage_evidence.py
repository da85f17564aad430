"""manage.py check_storage and the evidence files of action plans and appeals."""

from __future__ import annotations

import datetime as dt
import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from actions.services import action_plan_evidence_add
from audits.storage import private_storage
from tests import photo_corpus as corpus
from tests.actions.plans import critical_plan, today
from tests.report_data import report_checklist


def check_storage(*args: str) -> str:
    out = io.StringIO()
    call_command("check_storage", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def evidence(east_branch, rita, erin):
    plan = critical_plan(east_branch, report_checklist(), rita, on=today() - dt.timedelta(days=3))
    data = corpus.good_jpeg_without_metadata()
    return action_plan_evidence_add(plan=plan, user=erin, file=io.BytesIO(data), size=len(data))


def left_behind(name: str, *, hours_ago: float) -> str:
    name = private_storage().save(name, ContentFile(b"left behind"))
    then = time.time() - hours_ago * 3600
    os.utime(private_storage().path(name), (then, then))
    return name


def test_the_files_of_evidence_are_not_orphans(evidence):
    output = check_storage()

    assert "2 evidence file(s) in the database, 2 file(s) under action-plans/, appeals/" in output
    assert "evidence storage and database agree" in output
    assert "orphan" not in output


def test_an_old_evidence_file_no_row_refers_to_is_an_orphan_fix_deletes(evidence):
    orphan = left_behind(f"action-plans/{evidence.plan_id}/evidence/x/full.jpg", hours_ago=2)

    output = check_storage("--fix")

    assert f"  deleted: {orphan}\n" in output
    assert not private_storage().exists(orphan)
    assert private_storage().exists(evidence.file_name)


def test_a_file_written_moments_ago_may_be_an_upload_under_way_and_is_left(evidence):
    arriving = left_behind(f"appeals/1/evidence/{evidence.pk}/full.jpg", hours_ago=0)

    output = check_storage("--fix")

    assert "evidence storage and database agree" in output
    assert private_storage().exists(arriving)


def test_an_evidence_file_missing_from_storage_is_reported(evidence):
    private_storage().delete(evidence.thumb_name)

    assert f"  missing evidence file: {evidence.thumb_name}\n" in check_storage()
