"""Page-number pagination whose bad page numbers are 400s naming `page`."""

from __future__ import annotations

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's pagination answers `?page=0` or `?page=x` with 404 "Invalid page."; that is bad
    input, not a missing page. A page past the last one is still 404: it does not exist (any more).
    """

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "1")
        if raw in self.last_page_strings:
            return raw
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            raise ValidationError(
                {self.page_query_param: ["A page number is a whole number from 1."]}
            )
        return number
