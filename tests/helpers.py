"""Helpers shared by test modules (fixtures live in conftest.py)."""

from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass(frozen=True)
class PageQueries:
    """The SQL that one page view ran; len() is the query count that the page tests pin."""

    sql: list[str]

    def __len__(self) -> int:
        return len(self.sql)

    @property
    def row_counts(self) -> list[str]:
        """COUNT(*) statements: list pages never count their rows (annotations may count)."""
        return [statement for statement in self.sql if "COUNT(*)" in statement]


def page_queries(client, url: str) -> PageQueries:
    """GET url and capture its queries. A page that fails must not pass for a cheap one."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    return PageQueries([query["sql"] for query in captured.captured_queries])
