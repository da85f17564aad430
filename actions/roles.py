"""Who may do what with action plans, built like accounts.permissions on the user's role.

Reviewers (QA) and shoppers have no part in plans: 403. Which plans a regional
manager reaches is scoped by actions.selectors (404 outside their regions).
"""

from rest_framework.permissions import BasePermission

from accounts.roles import Role, configures


class SeesActionPlans(BasePermission):
    message = "Action plans are for regional managers and head office."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (configures(user) or user.role == Role.REGIONAL_MANAGER)
        )


class SubmitsActionPlans(BasePermission):
    message = "Only regional managers submit action plans."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.REGIONAL_MANAGER)


class DecidesActionPlans(BasePermission):
    message = "Only head office accepts or sends back action plans."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and configures(user))
