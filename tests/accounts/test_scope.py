"""accounts.scope — the one rule of what a person may see.

Head office and reviewers see the company; a regional manager their regions,
without who visited; a shopper their own work; anyone else nothing.
"""

from __future__ import annotations

import dataclasses

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.roles import Role
from accounts.scope import Scope, manages_region, scope_of
from audits.models import Assignment, Branch, Region
from tests.factories import AssignmentFactory, UserFactory


@pytest.fixture
def alices_east_visit(alice, east_branch):
    return AssignmentFactory(shopper=alice, branch=east_branch)


@pytest.fixture
def bobs_west_visit(bob, west_branch):
    return AssignmentFactory(shopper=bob, branch=west_branch)


def test_head_office_sees_the_whole_company(hank):
    assert scope_of(hank) == Scope(company_wide=True)


def test_a_reviewer_sees_the_whole_company(rita):
    assert scope_of(rita).company_wide


def test_a_superuser_sees_the_whole_company(db):
    assert scope_of(UserFactory(role=Role.SHOPPER, is_superuser=True)).company_wide


def test_the_company_scope_for_system_work_sees_everything_with_who_visited():
    assert Scope.company() == Scope(company_wide=True, shows_identity=True)


def test_a_regional_manager_sees_their_regions_without_who_visited(erin, east):
    assert scope_of(erin) == Scope(regions=frozenset({east.pk}), shows_identity=False)


def test_a_shopper_sees_their_own_work(alice):
    assert scope_of(alice) == Scope(shopper_id=alice.pk)


def test_someone_signed_out_sees_nothing():
    assert scope_of(AnonymousUser()) == Scope.nothing()


def test_a_regional_manager_without_regions_sees_nothing(db):
    manager = UserFactory(role=Role.REGIONAL_MANAGER)
    assert scope_of(manager) == Scope(shows_identity=False)


def test_the_empty_scope_keeps_no_rows(east_branch):
    assert not Scope.nothing().filter(Branch.objects.all(), region="region").exists()


def test_a_scope_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Scope.company().company_wide = False


def test_a_scope_is_its_own_scope():
    scope = Scope(regions=frozenset({7}))
    assert scope_of(scope) is scope


def test_the_company_filter_keeps_every_row(east_branch, west_branch):
    assert set(Scope.company().filter(Branch.objects.all(), region="region")) == {
        east_branch,
        west_branch,
    }


def test_a_regional_filter_keeps_the_rows_of_its_regions_by_the_path_named(
    erin, east_branch, pudong, west_branch
):
    assert set(scope_of(erin).filter(Branch.objects.all(), region="region")) == {
        east_branch,
        pudong,
    }


def test_a_regional_filter_follows_a_longer_path(erin, alices_east_visit, bobs_west_visit):
    assert list(scope_of(erin).filter(Assignment.objects.all(), region="branch__region")) == [
        alices_east_visit
    ]


def test_a_regional_filter_of_regions_themselves_names_the_primary_key(erin, east, west):
    assert list(scope_of(erin).filter(Region.objects.all(), region="pk")) == [east]


def test_a_shopper_filter_keeps_their_own_rows_by_the_shopper_path(
    alice, alices_east_visit, bobs_west_visit
):
    assignments = Assignment.objects.all()
    assert list(
        scope_of(alice).filter(assignments, region="branch__region", shopper="shopper")
    ) == [alices_east_visit]


def test_a_shopper_sees_no_rows_that_name_no_shopper(alice, east_branch):
    assert not scope_of(alice).filter(Branch.objects.all(), region="region").exists()


def test_the_company_includes_every_region():
    assert Scope.company().includes_region(12345)


def test_a_regional_scope_includes_its_regions(erin, east):
    assert scope_of(erin).includes_region(east.pk)


def test_a_regional_scope_excludes_other_regions(erin, west):
    assert not scope_of(erin).includes_region(west.pk)


def test_a_shopper_scope_includes_no_region(alice, east):
    assert not scope_of(alice).includes_region(east.pk)


def test_the_regional_manager_of_a_region_manages_it(erin, east):
    assert manages_region(erin, east.pk)


def test_the_regional_manager_of_another_region_does_not_manage_it(wes, east):
    assert not manages_region(wes, east.pk)


def test_head_office_sees_a_region_but_does_not_manage_it(hank, east):
    assert not manages_region(hank, east.pk)
