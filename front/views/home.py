"""The web home page: where each role goes next."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.roles import Role
from audits.selectors.scope import branches_visible_to
from front.views.regional_home import regional_manager_home


@login_required
@require_safe
def home(request):
    user = request.user
    branches = (
        branches_visible_to(user)
        .filter(active=True)
        .select_related("region")
        .order_by("region__code", "code")
    )
    context = {"branches": branches}
    if user.role == Role.REGIONAL_MANAGER:
        context.update(regional_manager_home(request))
    return render(request, "front/home.html", context)
