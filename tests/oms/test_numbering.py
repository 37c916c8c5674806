"""Gapless document numbers: per series, per year, rolled back with the caller."""

import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from oms.models import DocumentCounter
from oms.numbering import format_document_number, next_gapless_number


@pytest.mark.django_db
def test_numbers_start_at_one_and_count_up():
    assert [next_gapless_number("INV", year=2026) for _ in range(3)] == [1, 2, 3]
    counter = DocumentCounter.objects.get()
    assert (counter.series, counter.year, counter.last_number) == ("INV", 2026, 3)


@pytest.mark.django_db
def test_a_new_year_starts_at_one_and_the_old_year_goes_on():
    assert [next_gapless_number("INV", year=2026) for _ in range(3)] == [1, 2, 3]
    assert next_gapless_number("INV", year=2027) == 1
    assert next_gapless_number("INV", year=2027) == 2
    assert next_gapless_number("INV", year=2026) == 4  # a late document of last year


@pytest.mark.django_db
def test_series_are_independent():
    assert next_gapless_number("INV", year=2026) == 1
    assert next_gapless_number("INV", year=2026) == 2
    assert next_gapless_number("CN", year=2026) == 1
    assert next_gapless_number("INV", year=2026) == 3
    assert next_gapless_number("CN", year=2026) == 2
    assert dict(DocumentCounter.objects.values_list("series", "last_number")) == {
        "INV": 3,
        "CN": 2,
    }


@pytest.mark.django_db
def test_the_year_defaults_to_this_year_in_local_time():
    next_gapless_number("INV")
    assert DocumentCounter.objects.get().year == timezone.localdate().year


@pytest.mark.django_db
def test_a_rolled_back_caller_gives_its_number_back():
    assert next_gapless_number("INV", year=2026) == 1

    def failing_invoice():
        with transaction.atomic():
            assert next_gapless_number("INV", year=2026) == 2
            raise RuntimeError("the invoice failed validation")

    with pytest.raises(RuntimeError):
        failing_invoice()
    assert next_gapless_number("INV", year=2026) == 2


@pytest.mark.django_db
def test_a_rolled_back_first_number_leaves_no_row():
    def failing_credit_note():
        with transaction.atomic():
            next_gapless_number("CN", year=2026)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_credit_note()
    assert not DocumentCounter.objects.exists()
    assert next_gapless_number("CN", year=2026) == 1


@pytest.mark.django_db(transaction=True)
def test_refuses_to_run_outside_a_transaction():
    """In autocommit the counter would commit before the document: a gap on any later error."""
    with pytest.raises(TransactionManagementError):
        next_gapless_number("INV", year=2026)
    assert not DocumentCounter.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("series", ["", "X" * 21])
def test_refuses_a_series_that_does_not_fit(series):
    with pytest.raises(ValueError, match="series"):
        next_gapless_number(series, year=2026)


def test_format():
    assert format_document_number("INV", 2026, 1) == "INV-2026-000001"
    assert format_document_number("CN", 2027, 1234567) == "CN-2027-1234567"
