"""Who may do what: DRF permission classes built on the user's role (accounts.roles)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.roles import Role, configures, manages_assignments, reads_reports, sees_everything


class IsShopper(BasePermission):
    message = "Only shoppers may do this."

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user and request.user.is_authenticated and request.user.role == Role.SHOPPER
        )


class IsReviewer(BasePermission):
    message = "Only reviewers and head office may review visits."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and sees_everything(user))


class ConfiguresOrReadOnly(BasePermission):
    """Anyone signed in may read; only head office and admins may change."""

    message = "Only head office and administrators may change this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or configures(user)


class ManagesAssignments(BasePermission):
    message = "Only head office and regional managers may manage assignments."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return manages_assignments(user)


class SeesReports(BasePermission):
    message = "Reports are for regional managers, reviewers and head office."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and reads_reports(user))
