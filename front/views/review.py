"""The review desk: the queue of submitted visits, doubtful ones first."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.urls import reverse
from django.views.decorators.http import require_safe

from accounts.permissions import IsReviewer
from audits.models import Region
from audits.selectors.review import review_queue, review_queue_item
from checklists.models import Channel
from front.bad_request import bad_request
from front.partials import render_page
from front.views.access import require

# Visits per page of the queue, as many as a page of the API's queue.
QUEUE_ROWS = 50
# `flag`: which visits of the queue to show, by what the checks said.
FLAG_FILTERS = {"flagged": {"flagged": True}, "pending": {"confidence__isnull": True}}


@login_required
@require_safe
def review_queue_page(request):
    """The queue, a page at a time, optionally of one region, one channel or the flagged visits only.

    Filtering and paging are plain links and a GET form; with htmx they replace
    the list alone (the partial "htmx" of the template).
    """
    require(IsReviewer, request)
    region = request.GET.get("region", "").strip()
    flag = request.GET.get("flag", "").strip()
    channel = request.GET.get("channel", "").strip()
    regions = list(Region.objects.order_by("code"))
    if region and region not in {each.code for each in regions}:
        return bad_request(f"region: Unknown region {region!r}.")
    if flag and flag not in FLAG_FILTERS:
        return bad_request(f"flag: Must be one of {', '.join(FLAG_FILTERS)}; got {flag!r}.")
    if channel and channel not in Channel.values:
        return bad_request(f"channel: Must be one of {', '.join(Channel.values)}; got {channel!r}.")

    queue = review_queue()
    if region:
        queue = queue.filter(branch__region__code=region)
    if flag:
        queue = queue.filter(**FLAG_FILTERS[flag])
    if channel:
        queue = queue.filter(checklist__channel=channel)
    # get_page: a page number past the end (the queue shrank meanwhile) shows the last page.
    page = Paginator(queue, QUEUE_ROWS).get_page(request.GET.get("page"))
    rows = []
    for visit in page:
        item = review_queue_item(visit)
        item["url"] = reverse("review-visit-page", args=[visit.pk])
        rows.append(item)

    def page_link(number: int) -> str:
        filters = (("region", region), ("flag", flag), ("channel", channel))
        query = {key: value for key, value in filters if value}
        if number > 1:
            query["page"] = number
        return reverse("review-queue-page") + (f"?{urlencode(query)}" if query else "")

    return render_page(
        request,
        "front/review_queue.html",
        {
            "rows": rows,
            "page": page,
            "total": page.paginator.count,
            "regions": regions,
            "region": region,
            "flag": flag,
            "channel": channel,
            "previous_url": page_link(page.previous_page_number()) if page.has_previous() else "",
            "next_url": page_link(page.next_page_number()) if page.has_next() else "",
        },
        partial="htmx",
    )
