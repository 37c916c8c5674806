"""The kernel's fast table rows make the cells django-tables2 would make."""

import re

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.utils.html import conditional_escape

from oms.tables import date_formatter
from tests.oms.test_export_jobs import LIST_PAGES
from tests.oms.test_roles_matrix import our_url_patterns
from tests.security.test_exports import hostile_data  # noqa: F401

VIEWS = dict(our_url_patterns())


def django_tables2_rows(table) -> list[str]:
    """The body rows as the table template made them before (row.items, td attrs, {{ cell }})."""
    rows = []
    for row in table.paginated_rows:
        cells = "".join(
            f"<td {column.attrs['td'].as_html()}>{conditional_escape(cell)}</td>"
            for column, cell in row.items()
        )
        rows.append(f"<tr {row.attrs.as_html()}>{cells}</tr>")
    return rows


def squeeze(html: str) -> str:
    """Whitespace aside, and each CSRF token is masked afresh."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)
    return re.sub(r"\s+", " ", html)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("name", LIST_PAGES)
def test_fast_rows_are_django_tables2_rows(name, language, hostile_data, admin_user):  # noqa: F811
    view_class = VIEWS[name]
    with translation.override(language):
        request = RequestFactory().get("/")
        request.user = admin_user
        view = view_class()
        view.setup(request)
        _filterset, queryset = view.filter_queryset(request)
        fast, slow = view.table_class(queryset), view.table_class(queryset)
        for table in (fast, slow):
            table.request = request
            table.paginate(per_page=50)
        expected = django_tables2_rows(slow)
        # The approvals queue of an admin, and a lot's trace without the lot asked for.
        if name not in ("orders:approvals", "aftersales:lot_trace"):
            assert expected, f"{name}: no rows, nothing compared"
        assert [squeeze(row) for row in fast.rendered_rows] == [squeeze(r) for r in expected]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "2026-03-07 09:05"), ("zh-hans", "2026年3月7日 09:05")],
)
def test_date_formats_are_worked_out_once_and_match_django(language, expected):
    import datetime

    from django.utils.formats import date_format

    value = datetime.datetime(2026, 3, 7, 9, 5, 4)  # noqa: DTZ001 - a naive value, formatted as given
    with translation.override(language):
        assert date_formatter("SHORT_DATETIME_FORMAT")(value) == expected
        for name in ("SHORT_DATE_FORMAT", "DATE_FORMAT", "DATETIME_FORMAT", "TIME_FORMAT"):
            assert date_formatter(name)(value) == date_format(value, name)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_grouped_numbers_match_djangos_number_format(language):
    from decimal import Decimal

    from django.utils.formats import number_format

    from oms.tables import grouped_number

    values = [
        0,
        7,
        -1234567,
        1234567.891,
        Decimal("-9876543.215"),
        Decimal("0.004"),
        Decimal("1e30"),
    ]
    with translation.override(language):
        for value in values:
            for places in (None, 0, 2):
                assert grouped_number(value, places) == number_format(
                    value, places, force_grouping=True
                )


def test_paths_reversed_once_match_reverse(settings):
    from django.urls import NoReverseMatch, reverse, set_script_prefix

    from oms.paths import reverse_one

    for number in ["SO-2026-000123", "a_b-9", "with space", "订单", "?x=1#y"]:
        assert reverse_one("orders:detail", number) == reverse("orders:detail", args=[number])
    with pytest.raises(NoReverseMatch):
        reverse_one("orders:detail", "a/b")
    set_script_prefix("/oms/")
    try:
        assert reverse_one("orders:detail", "SO-1") == "/oms/orders/SO-1/"
    finally:
        set_script_prefix("/")
