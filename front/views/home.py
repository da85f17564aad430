"""The web home page: where each role goes next."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from audits.selectors.scope import branches_visible_to


@login_required
def home(request):
    user = request.user
    branches = (
        branches_visible_to(user)
        .filter(active=True)
        .select_related("region")
        .order_by("region__code", "code")
    )
    return render(request, "front/home.html", {"branches": branches})
