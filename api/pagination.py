from __future__ import annotations

from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from diary.services.errors import InvalidInput


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 400

    def get_page_size(self, request: Request) -> int:
        """?page_size= must be a whole number from 1 (more than the maximum gives the
        maximum); DRF would quietly use the default for anything else."""
        raw = request.query_params.get("page_size")
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise InvalidInput({"page_size": f"'{raw}' is not a page size: give a whole number from 1."})
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
