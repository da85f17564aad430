"""Who may do what: DRF permission classes built on the user's role."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from audits.models import Role


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
        return bool(
            user
            and user.is_authenticated
            and (user.role in {Role.REVIEWER, Role.HEAD_OFFICE, Role.ADMIN} or user.is_superuser)
        )


class ConfiguresOrReadOnly(BasePermission):
    """Anyone signed in may read; only head office and admins may change."""

    message = "Only head office and administrators may change this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or user.configures


class ManagesAssignments(BasePermission):
    message = "Only head office and regional managers may manage assignments."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return user.configures or user.role == Role.REGIONAL_MANAGER


class SeesReports(BasePermission):
    message = "Reports are for regional managers, reviewers and head office."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (user.sees_everything or user.role == Role.REGIONAL_MANAGER)
        )
