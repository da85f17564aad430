"""Who may open a page: the API's permission classes, so a page and its endpoint admit the same roles."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def require(permission: type, request: HttpRequest) -> None:
    if not permission().has_permission(request, None):
        raise PermissionDenied(permission.message)
