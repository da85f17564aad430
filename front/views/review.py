"""The review desk: the queue of submitted visits, doubtful ones first."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from audits.roles import IsReviewer
from audits.selectors.review import review_queue, review_queue_item
from front.views.access import require

# The queue page shows the head of the queue; the API pages through all of it.
QUEUE_ROWS = 200


@login_required
def review_queue_page(request):
    require(IsReviewer, request)
    queue = review_queue()
    rows = []
    for visit in queue[:QUEUE_ROWS]:
        item = review_queue_item(visit)
        item["url"] = reverse("review-visit-page", args=[visit.pk])
        rows.append(item)
    return render(
        request,
        "front/review_queue.html",
        {"rows": rows, "total": queue.count(), "limit": QUEUE_ROWS},
    )
