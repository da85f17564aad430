"""Visits with chosen scores, written straight to the database for report tests.

Reports only read what scoring stored (Visit.score/band, VisitScore rows,
Answer.score/failed/gain), so a test can state those numbers directly instead
of inventing answers that score to them through the upload API: faster, and
the expected averages stay readable in the test.

    version = report_checklist()                       # tests.factories.small_checklist
    visit(east_branch, version, "2026-10-05", 80.0,
          sections={"core": 75, "env": 85},
          dimensions={"empathy": 75}, areas={"people": 70}, factors={24: 60},
          answers={"greet": 100, "attitude": {"score": 50, "gain": "6.25"}})
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from accounts.roles import Role
from audits.models import Answer, Assignment, User, Visit, VisitScore
from audits.selectors.rollups import visit_contribution
from audits.services.rollups import rollups_apply
from audits.services.visits import visit_score_store
from checklists.models import AnswerType, ChecklistVersion, Item
from checklists.rules import version_rules
from checklists.scoring import PASS_MARK, band
from tests.factories import ItemFactory, small_checklist

Number = Decimal | int | float | str


def _decimal(value: Number | None) -> Decimal | None:
    # Through str so that 70.1 means 70.1, not the float nearest to it.
    return None if value is None else Decimal(str(value))


def _date(value: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def report_checklist(code: str = "branch-visit", **version_fields) -> ChecklistVersion:
    """A published small_checklist (sections core, env) with a readable code.

    Expected 80.0 ± 5.0 unless `expected_score` / `tolerance` are given.
    """
    version = small_checklist()
    checklist = version.checklist
    checklist.code = code
    checklist.save(update_fields=["code"])
    if version_fields:
        for name, value in version_fields.items():
            setattr(version, name, value)
        version.save(update_fields=list(version_fields))
    return version


# The complaint-handling checklist's complainant types (service-quality reference, section 9).
COMPLAINANT_TYPES = (
    ("problem_driven", "问题解决型", "Problem-driven"),
    ("venting", "表现不满型", "Venting"),
    ("wants_to_feel_important", "自我表现型", "Wants to feel important"),
    ("dependent", "撒娇倚赖型", "Dependent/unreasonable"),
)


def complainant_type_item(version: ChecklistVersion) -> Item:
    """Add "type", the complainant type the shopper played, to `version`'s core section.

    A descriptive choice as in checklists/library/complaint-handling.json: four
    options, none with a score.
    """
    return ItemFactory(
        section=version.sections.get(code="core"),
        code="type",
        position=0,
        answer_type=AnswerType.CHOICE,
        text_zh="扮演的投诉者类型",
        text_en="The complainant type you played",
        options=[
            {"value": value, "label": {"zh-Hans": zh, "en": en}, "score": None}
            for value, zh, en in COMPLAINANT_TYPES
        ],
    )


def report_shopper() -> User:
    # One shopper for every report visit, with no password: hashing one is the
    # slowest thing a factory user does, and reports never show who visited.
    shopper, _ = User.objects.get_or_create(
        username="report-shopper", defaults={"role": Role.SHOPPER}
    )
    return shopper


def visit(
    branch,
    version: ChecklistVersion,
    on: dt.date | str,
    score: Number | None,
    *,
    status: str = Visit.Status.APPROVED,
    sections: dict[str, Number] | None = None,
    dimensions: dict[str, Number] | None = None,
    areas: dict[str, Number] | None = None,
    factors: dict[int, Number] | None = None,
    answers: dict[str, Number | dict] | None = None,
) -> Visit:
    """A visit of `branch` on `on` with the stored `score`, approved unless `status` says otherwise.

    `answers` maps item codes to a score, or to a dict of any of score, failed,
    gain, na, value (the raw answer, e.g. a number item's seconds). `failed`
    defaults to score < PASS_MARK and `gain` to 0.
    """
    on = _date(on)
    score = _decimal(score)
    started = dt.datetime.combine(on, dt.time(10, 0), tzinfo=dt.UTC)
    assignment = Assignment.objects.create(
        branch=branch,
        checklist_version=version,
        shopper=report_shopper(),
        window_from=on,
        window_to=on,
        status=Assignment.Status.CLOSED,
    )
    stored = Visit.objects.create(
        assignment=assignment,
        shopper=assignment.shopper,
        branch=branch,
        checklist_id=version.checklist_id,
        checklist_version=version,
        started_at=started,
        ended_at=started + dt.timedelta(minutes=20),
        visited_on=on,
        status=status,
        body_hash=hashlib.sha256(str(assignment.pk).encode()).hexdigest(),
        score=score,
        band=band(score, expected=version.expected_score, tolerance=version.tolerance) or "",
    )
    rows = [
        VisitScore(visit=stored, kind=VisitScore.Kind.SECTION, key=k, score=_decimal(v))
        for k, v in (sections or {}).items()
    ]
    rows += [
        VisitScore(visit=stored, kind=VisitScore.Kind.DIMENSION, key=k, score=_decimal(v))
        for k, v in (dimensions or {}).items()
    ]
    rows += [
        VisitScore(visit=stored, kind=VisitScore.Kind.AREA, key=k, score=_decimal(v))
        for k, v in (areas or {}).items()
    ]
    rows += [
        # Stored under the factor's number, as audits.services.visits does.
        VisitScore(visit=stored, kind=VisitScore.Kind.FACTOR, key=str(k), score=_decimal(v))
        for k, v in (factors or {}).items()
    ]
    VisitScore.objects.bulk_create(rows)

    if answers:
        items = {item.code: item for item in version.items.all()}
        stored_answers = []
        for code, given in answers.items():
            fields = given if isinstance(given, dict) else {"score": given}
            item_score = _decimal(fields.get("score"))
            failed = fields.get("failed", item_score is not None and item_score < PASS_MARK)
            stored_answers.append(
                Answer(
                    visit=stored,
                    item=items[code],
                    item_code=code,
                    value=fields.get("value"),
                    na=fields.get("na", False),
                    score=item_score,
                    failed=failed,
                    critical_failure=failed and items[code].critical,
                    gain=_decimal(fields.get("gain", 0 if item_score is not None else None)),
                )
            )
        Answer.objects.bulk_create(stored_answers)
        stored.critical_failure = any(a.critical_failure for a in stored_answers)
        stored.save(update_fields=["critical_failure"])
    if status == Visit.Status.APPROVED:
        # What approving it through audits.services.review would add to the report roll-ups.
        rollups_apply(before=None, after=visit_contribution(stored))
    return stored


def rescore(stored: Visit, score: Number | None) -> Visit:
    """Change a visit's stored score as a re-score does: updated_at moves, roll-ups follow."""
    counted = visit_contribution(stored) if stored.status == Visit.Status.APPROVED else None
    stored.score = _decimal(score)
    stored.save(update_fields=["score", "updated_at"])
    if counted is not None:
        rollups_apply(before=counted, after=visit_contribution(stored))
    return stored


def submitted_visit(
    branch, version: ChecklistVersion, on: dt.date | str, answers: dict[str, object]
) -> Visit:
    """A submitted visit of `branch` on `on` answering `answers` (code → value, or None for N/A),
    really scored by checklists.scoring, ready for the review and amendment services.

    Stored straight rather than uploaded: no photos, no checks, a fraction of the time.
    """
    stored = visit(branch, version, on, None, status=Visit.Status.SUBMITTED)
    items = {item.code: item for item in version.items.all()}
    rows = Answer.objects.bulk_create(
        [
            Answer(visit=stored, item=items[code], item_code=code, value=value, na=value is None)
            for code, value in answers.items()
        ]
    )
    rules, _ = version_rules(version)
    visit_score_store(visit=stored, rules=rules, answers=rows)
    return stored
