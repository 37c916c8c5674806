"""Helpers shared by test modules (fixtures live in conftest.py)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass(frozen=True)
class PageQueries:
    """The SQL that one page view (or one service call) ran; len() is the query count that
    the tests pin."""

    sql: list[str]

    def __len__(self) -> int:
        return len(self.sql)

    @property
    def statements(self) -> list[str]:
        """Without the SAVEPOINT / RELEASE SAVEPOINT that atomic() sends inside the test's
        transaction: outside a test they are the BEGIN and COMMIT, which are not captured."""
        return [s for s in self.sql if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]

    @property
    def row_counts(self) -> list[str]:
        """COUNT(*) statements: list pages never count their rows (annotations may count)."""
        return [statement for statement in self.sql if "COUNT(*)" in statement]


def queries_of(work: Callable[[], object]) -> PageQueries:
    """Run work() and capture its queries."""
    with CaptureQueriesContext(connection) as captured:
        work()
    return PageQueries([query["sql"] for query in captured.captured_queries])


def page_queries(client, url: str) -> PageQueries:
    """GET url and capture its queries. A page that fails must not pass for a cheap one."""
    responses = []
    queries = queries_of(lambda: responses.append(client.get(url)))
    assert responses[0].status_code == 200, f"GET {url} answered {responses[0].status_code}"
    return queries
