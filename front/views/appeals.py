"""Appeal pages: the list, a regional manager's new appeal, and one appeal with head office's decision.

Thin views over appeals.selectors and appeals.services, the same ones the API
uses: the services judge every input and the pages show their errors (400) next
to the fields they name. A regional manager picks a visit by its id, period and
score; the pages never show them its date or shopper.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from accounts.roles import shows_shopper_identity
from appeals.models import Appeal, AppealItem, Category, Decision
from appeals.roles import DecidesAppeals, SubmitsAppeals, WorksOnAppeals
from appeals.selectors import appeal_detail, appealable_visits, appeals_visible_to, visit_period
from appeals.services import appeal_deadline, appeal_decide, appeal_evidence_add, appeal_submit
from audits.models import Visit
from audits.selectors.scope import visits_visible_to
from audits.services.evidence_files import EVIDENCE_FILES_MAX, PDF_TYPE
from backend.errors import Conflict, validation_errors
from checklists.languages import language_for, pick
from checklists.scoring import SCORED_TYPES
from checklists.selectors import checklist_tree
from front.answers import form_value, value_choices, value_text
from front.views.access import require

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Appeals",
        "intro_rm": "Appeal items of your regions' approved visits within {days} days of their approval. Head office decides.",
        "intro_ho": "Regional managers' appeals of approved visits, open ones first. An upheld item re-scores the visit; the old score is kept.",
        "new": "New appeal",
        "none": "No appeals yet.",
        "appeal": "Appeal",
        "branch": "Branch",
        "period": "Period",
        "visit": "Visit",
        "score": "Visit score",
        "items": "Items",
        "status": "Status",
        "submitted": "Submitted",
        "by": "by",
        "pick_visit": "Choose a visit to appeal",
        "pick_intro": "Approved visits of your regions that can still be appealed, newest approval first.",
        "no_visits": "No visit can be appealed now.",
        "appeal_items": "Appeal items",
        "new_title": "Appeal items of a visit",
        "new_intro": "Tick the items you contest. For each: what kind of error, your argument, and a reference to any evidence.",
        "item": "Item",
        "answer": "Answer",
        "item_score": "score",
        "contest": "Contest this item",
        "category": "Category",
        "argument": "Argument",
        "evidence": "Evidence (optional)",
        "evidence_hint": "e.g. CCTV 10:42, receipt no. 1234",
        "send": "Send the appeal",
        "errors": "Nothing was saved:",
        "under_appeal": "under appeal",
        "decision": "Decision",
        "decide": "Decide",
        "outcome": "Outcome",
        "item_outcome": "This item",
        "uphold": "Uphold",
        "reject_item": "Reject",
        "new_value": "Corrected value",
        "make_na": "Make it N/A",
        "choose": "— choose —",
        "reason": "Reason (required)",
        "save_decision": "Save the decision",
        "correction": "Re-scored",
        "evidence_shown": "Evidence",
        "visit_lc": "visit",
        "appealed": "appealed",
        "trail": "Trail",
        "back": "All appeals",
        "visit_date": "Visited",
        "shopper": "Shopper",
        "deadline_open": "Open for appeal",
        "na": "N/A",
        "unanswered": "Not answered",
        "yes": "Yes",
        "no": "No",
        "done_submit": "Appeal sent to head office.",
        "done_decide": "Decision saved.",
        "step_submitted": "Appeal submitted",
        "step_amended": "Item {item} re-scored: visit {old} → {new}",
        "step_upheld": "Upheld",
        "step_partially_upheld": "Partially upheld",
        "step_rejected": "Rejected",
        "status_submitted": "Waiting for head office",
        "status_upheld": "Upheld",
        "status_partially_upheld": "Partially upheld",
        "status_rejected": "Rejected",
        "outcome_upheld": "upheld",
        "outcome_rejected": "rejected",
        "cat_scoring_error": "Scoring error",
        "cat_comment_contradicts": "The comment contradicts the score",
        "cat_operational_exception": "Operational exception",
        "cat_shopper_error": "Shopper error",
        "cat_evidence_contradicts": "Evidence contradicts (CCTV, receipt)",
        "evidence_files": "Evidence files",
        "evidence_files_none": "No files attached.",
        "evidence_add": "Attach a file",
        "evidence_files_hint": "A photo (JPEG, PNG or WebP) or a PDF, up to {mb} MB; at most {n} files per appeal.",
        "evidence_choose": "Choose a file to attach.",
        "evidence_pdf": "PDF",
        "done_evidence": "File attached.",
    },
    "zh-Hans": {
        "title": "申诉",
        "intro_rm": "已通过的暗访在通过后 {days} 天内可对其中的题目提出申诉，由总部裁定。",
        "intro_ho": "区域经理对已通过暗访的申诉，待裁定的在前。申诉成立的题目会重新计分，原得分保留。",
        "new": "新建申诉",
        "none": "暂无申诉。",
        "appeal": "申诉",
        "branch": "网点",
        "period": "期间",
        "visit": "暗访",
        "score": "暗访得分",
        "items": "题目",
        "status": "状态",
        "submitted": "提交时间",
        "by": "提交人",
        "pick_visit": "选择要申诉的暗访",
        "pick_intro": "所辖区域内仍可申诉的已通过暗访，最近通过的在前。",
        "no_visits": "目前没有可申诉的暗访。",
        "appeal_items": "申诉题目",
        "new_title": "对暗访题目提出申诉",
        "new_intro": "勾选有异议的题目，并说明错误类型、申诉理由及证据编号。",
        "item": "题目",
        "answer": "答案",
        "item_score": "得分",
        "contest": "申诉此题",
        "category": "类别",
        "argument": "申诉理由",
        "evidence": "证据（可选）",
        "evidence_hint": "例如：监控 10:42，小票号 1234",
        "send": "提交申诉",
        "errors": "未保存：",
        "under_appeal": "申诉中",
        "decision": "裁定",
        "decide": "裁定",
        "outcome": "结果",
        "item_outcome": "本题",
        "uphold": "成立",
        "reject_item": "驳回",
        "new_value": "更正后的答案",
        "make_na": "改为不适用",
        "choose": "— 请选择 —",
        "reason": "理由（必填）",
        "save_decision": "保存裁定",
        "correction": "已重新计分",
        "evidence_shown": "证据",
        "visit_lc": "暗访",
        "appealed": "已申诉",
        "trail": "记录",
        "back": "全部申诉",
        "visit_date": "暗访日期",
        "shopper": "神秘顾客",
        "deadline_open": "可申诉",
        "na": "不适用",
        "unanswered": "未作答",
        "yes": "是",
        "no": "否",
        "done_submit": "申诉已提交总部。",
        "done_decide": "裁定已保存。",
        "step_submitted": "提交申诉",
        "step_amended": "题目 {item} 重新计分：暗访 {old} → {new}",
        "step_upheld": "申诉成立",
        "step_partially_upheld": "部分成立",
        "step_rejected": "申诉驳回",
        "status_submitted": "等待总部裁定",
        "status_upheld": "申诉成立",
        "status_partially_upheld": "部分成立",
        "status_rejected": "申诉驳回",
        "outcome_upheld": "成立",
        "outcome_rejected": "驳回",
        "cat_scoring_error": "评分错误",
        "cat_comment_contradicts": "评语与得分矛盾",
        "cat_operational_exception": "运营例外",
        "cat_shopper_error": "神秘顾客失误",
        "cat_evidence_contradicts": "证据与得分矛盾（监控、小票）",
        "evidence_files": "证据文件",
        "evidence_files_none": "未附文件。",
        "evidence_add": "添加文件",
        "evidence_files_hint": "照片（JPEG、PNG 或 WebP）或 PDF，不超过 {mb} MB；每个申诉最多 {n} 个文件。",
        "evidence_choose": "请选择要添加的文件。",
        "evidence_pdf": "PDF",
        "done_evidence": "文件已添加。",
    },
}


def _labels(lang: str) -> dict[str, str]:
    return LABELS["zh-Hans" if lang == "zh-Hans" else "en"]


def _lang(request: HttpRequest) -> str:
    return language_for(request, fallback="zh-Hans")


def _categories(t: dict) -> list[tuple[str, str]]:
    return [(code, t[f"cat_{code}"]) for code in Category.values]


def _answer_text(item: dict, value, na: bool, scales: dict, t: dict) -> str:
    if na:
        return t["na"]
    if value is None:
        return t["unanswered"]
    return value_text(item, value, scales, t)


def _tree_items(visit: Visit, lang: str) -> tuple[dict, dict[str, dict]]:
    tree = checklist_tree(visit.checklist_version, lang=lang)
    return tree, {i["code"]: i for s in tree["sections"] for i in s["items"]}


def _errors_by_code(
    errors: dict[str, list[str]], prefix: str, codes: list[str]
) -> tuple[dict, list]:
    """`items[1].category` → {code of row 1: {"category": [...]}}; other keys stay general."""
    rows: dict[str, dict[str, list[str]]] = {}
    general: list[str] = []
    for key, problems in errors.items():
        if key.startswith(f"{prefix}[") and "]." in key:
            index, field = key[len(prefix) + 1 :].split("].", 1)
            if index.isdigit() and int(index) < len(codes):
                rows.setdefault(codes[int(index)], {})[field] = problems
                continue
        general += problems
    return rows, general


# --- the list ------------------------------------------------------------------------


@login_required
@require_safe
def appeals_page(request: HttpRequest) -> HttpResponse:
    require(WorksOnAppeals, request)
    lang = _lang(request)
    t = _labels(lang)
    appeals = appeals_visible_to(request.user).order_by("-created_at", "-id")[:200]
    rows = []
    for appeal in appeals:
        rows.append(
            {
                "id": appeal.pk,
                "url": reverse("appeal-page", args=[appeal.pk]),
                "branch": pick(lang, appeal.branch.name_zh, appeal.branch.name_en),
                "branch_code": appeal.branch.code,
                "period": visit_period(appeal.visit),
                "score": appeal.visit.score,
                "items": ", ".join(i.item_code for i in appeal.items.all()),
                "status": appeal.status,
                "status_text": t[f"status_{appeal.status}"],
                "created_at": appeal.created_at,
            }
        )
    rows.sort(key=lambda r: r["status"] != Appeal.Status.SUBMITTED)  # open ones first
    is_manager = SubmitsAppeals().has_permission(request, None)
    return render(
        request,
        "front/appeals.html",
        {
            "lang": lang,
            "t": t,
            "rows": rows,
            "is_manager": is_manager,
            "intro": (
                t["intro_rm"].format(days=settings.APPEAL_WINDOW_DAYS)
                if is_manager
                else t["intro_ho"]
            ),
            "new_url": reverse("appeal-new-page"),
        },
    )


# --- a new appeal ----------------------------------------------------------------------


def _visit_choices(request: HttpRequest, lang: str) -> list[dict]:
    return [
        {
            "id": str(v.pk),
            "branch": pick(lang, v.branch.name_zh, v.branch.name_en),
            "branch_code": v.branch.code,
            "period": visit_period(v),
            "score": v.score,
            "url": f"{reverse('appeal-new-page')}?visit={v.pk}",
        }
        for v in appealable_visits(request.user)[:200]
    ]


@login_required
@require_http_methods(["GET", "POST"])
def appeal_new_page(request: HttpRequest) -> HttpResponse:
    require(SubmitsAppeals, request)
    lang = _lang(request)
    t = _labels(lang)
    visit_id = request.GET.get("visit") or request.POST.get("visit") or ""
    if not visit_id:
        return render(
            request,
            "front/appeal_new.html",
            {"lang": lang, "t": t, "visits": _visit_choices(request, lang), "visit": None},
        )
    try:
        visit = visits_visible_to(request.user).get(pk=visit_id)
    except (Visit.DoesNotExist, ValidationError):
        raise Http404("No such visit in your regions.") from None
    tree, items = _tree_items(visit, lang)
    scales = tree["scales"]
    answers = {a.item_code: a for a in visit.answers.all()}
    under_appeal = set(
        AppealItem.objects.filter(visit=visit, open=True).values_list("item_code", flat=True)
    )
    chosen: dict[str, dict] = {}
    errors: dict = {}
    general: list[str] = []
    status = 200
    if request.method == "POST":
        for code in items:
            if request.POST.get(f"contest-{code}"):
                chosen[code] = {
                    "item_code": code,
                    "category": request.POST.get(f"category-{code}", ""),
                    "argument": request.POST.get(f"argument-{code}", ""),
                    "evidence": request.POST.get(f"evidence-{code}", ""),
                }
        try:
            appeal = appeal_submit(visit=visit, by=request.user, items=list(chosen.values()))
        except ValidationError as error:
            errors, general = _errors_by_code(validation_errors(error), "items", list(chosen))
            status = 400
        except Conflict as conflict:
            general, status = [conflict.message], 409
        else:
            return redirect(f"{reverse('appeal-page', args=[appeal.pk])}?done=submit")
    rows = []
    for section in tree["sections"]:
        for item in section["items"]:
            if item["answer_type"] not in SCORED_TYPES:
                continue
            answer = answers.get(item["code"])
            given = chosen.get(item["code"], {})
            rows.append(
                {
                    "code": item["code"],
                    "text": item["text"],
                    "section": section["title"],
                    "answer": _answer_text(
                        item,
                        answer.value if answer else None,
                        bool(answer and answer.na),
                        scales,
                        t,
                    ),
                    "score": answer.score if answer else None,
                    "failed": bool(answer and answer.failed),
                    "under_appeal": item["code"] in under_appeal,
                    "checked": bool(given),
                    "category": given.get("category", ""),
                    "argument": given.get("argument", ""),
                    "evidence": given.get("evidence", ""),
                    "errors": errors.get(item["code"], {}),
                }
            )
    deadline = appeal_deadline(visit)
    return render(
        request,
        "front/appeal_new.html",
        {
            "lang": lang,
            "t": t,
            "visit": visit,
            "visit_id": str(visit.pk),
            "branch": pick(lang, visit.branch.name_zh, visit.branch.name_en),
            "period": visit_period(visit),
            "checklist_title": tree["title"],
            "rows": rows,
            "categories": _categories(t),
            "general_errors": general,
            "has_errors": bool(general or errors),
            "appealable": deadline is not None and visit.status == Visit.Status.APPROVED,
            "back_url": reverse("appeal-new-page"),
        },
        status=status,
    )


# --- one appeal, and head office's decision ----------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def appeal_page(request: HttpRequest, pk: int) -> HttpResponse:
    uploading = request.method == "POST" and request.POST.get("action") == "evidence"
    if request.method == "GET":
        require(WorksOnAppeals, request)
    else:
        require(SubmitsAppeals if uploading else DecidesAppeals, request)
    lang = _lang(request)
    t = _labels(lang)
    appeal = get_object_or_404(appeals_visible_to(request.user), pk=pk)
    visit = appeal.visit
    tree, items = _tree_items(visit, lang)
    scales = tree["scales"]
    codes = [i.item_code for i in appeal.items.all()]
    form: dict = {"outcome": "", "reason": "", "items": {}}
    errors: dict = {}
    general: list[str] = []
    evidence_errors: list[str] = []
    status = 200
    if uploading:
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": [t["evidence_choose"]]})
            # The API's service: the same checks, limits and scope (PermissionDenied → 403).
            appeal_evidence_add(
                appeal=appeal, by=request.user, file=upload, size=upload.size, filename=upload.name
            )
        except ValidationError as error:
            evidence_errors = [p for ps in validation_errors(error).values() for p in ps]
            status = 400
        except Conflict as conflict:
            evidence_errors, status = [conflict.message], 409
        else:
            return redirect(f"{reverse('appeal-page', args=[appeal.pk])}?done=evidence")
        appeal = get_object_or_404(appeals_visible_to(request.user), pk=pk)
    elif request.method == "POST":
        form["outcome"] = request.POST.get("outcome", "")
        form["reason"] = request.POST.get("reason", "")
        item_outcomes = []
        for code in codes:
            kind = items.get(code, {}).get("answer_type", "")
            row = {
                "item_code": code,
                "outcome": request.POST.get(f"outcome-{code}", "rejected"),
                "na": bool(request.POST.get(f"na-{code}")),
                "value": form_value(kind, request.POST.get(f"value-{code}", "")),
            }
            form["items"][code] = {**row, "text": request.POST.get(f"value-{code}", "")}
            item_outcomes.append(row)
        try:
            appeal_decide(
                appeal=appeal,
                by=request.user,
                outcome=form["outcome"],
                reason=form["reason"],
                item_outcomes=item_outcomes,
            )
        except ValidationError as error:
            errors, general = _errors_by_code(validation_errors(error), "item_outcomes", codes)
            status = 400
        except Conflict as conflict:
            general, status = [conflict.message], 409
        else:
            return redirect(f"{reverse('appeal-page', args=[appeal.pk])}?done=decide")
        appeal = get_object_or_404(appeals_visible_to(request.user), pk=pk)

    data = appeal_detail(appeal, viewer=request.user)
    rows = []
    for row in data["items"]:
        item = items.get(row["item_code"], {"answer_type": "", "options": [], "unit": ""})
        answer = row["answer"] or {"value": None, "na": False, "score": None}
        correction = row["correction"]
        given = form["items"].get(row["item_code"], {})
        rows.append(
            {
                **row,
                "text": pick(lang, row["text_zh"], row["text_en"]),
                "category_text": t[f"cat_{row['category']}"],
                "answer_text": _answer_text(item, answer["value"], answer["na"], scales, t),
                "score": answer["score"],
                "outcome_text": t[f"outcome_{row['outcome']}"] if row["outcome"] else "",
                "old_text": (
                    _answer_text(item, correction["old_value"], correction["old_na"], scales, t)
                    if correction
                    else ""
                ),
                "allow_na": item.get("allow_na", False),
                "choices": value_choices(item, scales, t),
                "is_number": item["answer_type"] == "number",
                "form_outcome": given.get("outcome", ""),
                "form_na": given.get("na", False),
                "form_value": given.get("text", ""),
                "errors": errors.get(row["item_code"], {}),
            }
        )
    trail = []
    for step in data["trail"]:
        if step["step"] == "amended":
            text = t["step_amended"].format(
                item=step["item_code"], old=step["old_visit_score"], new=step["new_visit_score"]
            )
        else:
            text = t[f"step_{step['step']}"]
        trail.append(
            {"at": step["at"], "by": step["by"], "text": text, "reason": step.get("reason", "")}
        )
    done = request.GET.get("done")
    evidence = [
        {**row, "is_pdf": row["content_type"] == PDF_TYPE} for row in data["evidence_files"]
    ]
    can_add_evidence = (
        data["status"] == Appeal.Status.SUBMITTED
        and SubmitsAppeals().has_permission(request, None)
        and len(evidence) < EVIDENCE_FILES_MAX
    )
    return render(
        request,
        "front/appeal.html",
        {
            "lang": lang,
            "t": t,
            "appeal": data,
            "status_text": t[f"status_{data['status']}"],
            "branch": pick(lang, data["branch"]["name_zh"], data["branch"]["name_en"]),
            "shows_identity": shows_shopper_identity(request.user),
            "rows": rows,
            "trail": trail,
            "can_decide": data["status"] == Appeal.Status.SUBMITTED
            and DecidesAppeals().has_permission(request, None),
            "decisions": [(d, t[f"status_{d}"]) for d in Decision.values],
            "form": form,
            "general_errors": general,
            "has_errors": bool(general or errors),
            "done": (t.get(f"done_{done}", "") if done in ("submit", "decide", "evidence") else ""),
            "evidence": evidence,
            "evidence_errors": evidence_errors,
            "can_add_evidence": can_add_evidence,
            "evidence_hint": t["evidence_files_hint"].format(
                mb=settings.PHOTO_MAX_BYTES // (1024 * 1024), n=EVIDENCE_FILES_MAX
            ),
            "back_url": reverse("appeals-page"),
        },
        status=status,
    )
