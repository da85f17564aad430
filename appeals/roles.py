"""Who may touch appeals: regional managers appeal, head office decides, both read."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.roles import Role, configures


class WorksOnAppeals(BasePermission):
    """Regional managers and head office (and admins) read appeals; only regional managers submit."""

    message = "Appeals are for regional managers (who submit them) and head office (who decides)."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return user.role == Role.REGIONAL_MANAGER or configures(user)
        return user.role == Role.REGIONAL_MANAGER


class DecidesAppeals(BasePermission):
    message = "Only head office decides appeals."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and configures(user))


class SubmitsAppeals(BasePermission):
    message = "Only regional managers appeal visits."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.REGIONAL_MANAGER)
