"""reports.scorecard_extras — what the layers above reports add to a scorecard, by settings.

Reports may not import actions or appeals (layers depend downward only:
tests/test_layers.py); the hooks settings.SCORECARD_EXTRAS names fill the
parts of the card reports defines, and a hook that fills anything else is a
configuration error.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from reports.periods import month
from reports.scorecard_extras import PlanFacts, scorecard_extras
from reports.scorecard_render import render_scorecard_html
from reports.selectors.scorecard import scorecard_data
from tests.report_data import report_checklist

OCTOBER = month(2026, 10)


def no_plans(**_) -> dict:
    return {"action_plans": PlanFacts(open=(), previous=())}


def unknown_part(**_) -> dict:
    return {"weather": "sunny"}


def wrong_type(**_) -> dict:
    return {"action_plans": ["a plan"]}


def extras(settings, *hooks, branch=None, checklist=None) -> dict:
    settings.SCORECARD_EXTRAS = [f"{__name__}.{hook}" for hook in hooks]
    return scorecard_extras(branch=branch, checklist=checklist, period=OCTOBER, lang="en")


def test_a_hook_fills_the_part_it_names(settings):
    assert extras(settings, "no_plans") == {"action_plans": PlanFacts(open=(), previous=())}


def test_a_hook_filling_a_part_reports_does_not_know_is_refused(settings):
    with pytest.raises(ImproperlyConfigured, match="weather"):
        extras(settings, "unknown_part")


def test_a_hook_filling_a_part_with_the_wrong_shape_is_refused(settings):
    with pytest.raises(ImproperlyConfigured, match="action_plans"):
        extras(settings, "wrong_type")


def test_two_hooks_filling_the_same_part_are_refused(settings):
    with pytest.raises(ImproperlyConfigured, match="Two"):
        extras(settings, "no_plans", "no_plans")


def test_without_hooks_the_card_has_no_plans_section(settings, east_branch):
    settings.SCORECARD_EXTRAS = []
    version = report_checklist()

    card = scorecard_data(
        branch=east_branch, checklist=version.checklist, period=OCTOBER, lang="en"
    )

    assert card.action_plans is None
    assert 'class="block plans"' not in render_scorecard_html(card)
