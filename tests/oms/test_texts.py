"""Codes with parameters, worded when read in the reader's language (oms/texts.py)."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext_lazy

from oms import registry
from oms.registry import CodedText
from oms.texts import coded, registered_codes, text_of, texts_of


@pytest.fixture
def family(monkeypatch):
    """A family of test texts, registered as an app would, on an empty registry of texts."""
    monkeypatch.setattr(registry.registry, "texts", {})
    registry.register_texts(
        "shipment_note",
        {
            # Words with a translation in the catalogue, so both languages can be checked.
            "arrived": gettext_lazy("Stock arrived."),
            "wo": CodedText(
                gettext_lazy("Work order %(number)s done."),
                fallback=gettext_lazy("Work order done."),
            ),
            "amount": CodedText(
                gettext_lazy("Amount %(amount)s is at least %(limit)s"),
                params={"amount": "money", "limit": "money"},
            ),
            "count": CodedText(
                "%(units)s units by %(day)s", params={"units": "number", "day": "date"}
            ),
            "by": CodedText("by %(role)s: %(skus)s", params={"role": "role", "skus": "list"}),
            "custom": CodedText(render=lambda params: f"{len(params['lines'])} lines"),
            "shout": CodedText("%(word)s!", params={"word": lambda value: str(value).upper()}),
        },
    )
    return "shipment_note"


def test_a_code_is_stored_without_words_and_fits_json():
    entry = coded("amount", amount=Decimal("5854.76"), day=date(2026, 12, 1), skus=("A", "B"))
    assert entry == {
        "code": "amount",
        "params": {"amount": "5854.76", "day": "2026-12-01", "skus": ["A", "B"]},
    }
    assert json.loads(json.dumps(entry)) == entry


@pytest.mark.parametrize(
    ("code", "params", "english", "chinese"),
    [
        ("arrived", {}, "Stock arrived.", "库存已到货。"),
        ("wo", {"number": "WO-1"}, "Work order WO-1 done.", "生产工单 WO-1 已完成。"),
        (
            "amount",
            {"amount": "5854.76", "limit": "1000"},
            "Amount ¥5,854.76 is at least ¥1,000.00",
            "金额 ¥5,854.76 不低于 ¥1,000.00",
        ),
        (
            "count",
            {"units": 12000, "day": "2026-12-01"},
            "12,000 units by 2026-12-01",
            "12,000 units by 2026年12月1日",
        ),
        ("by", {"role": "manager", "skus": ["A", "B"]}, "by Manager: A, B", "by 经理: A，B"),
        ("custom", {"lines": [1, 2]}, "2 lines", "2 lines"),
        ("shout", {"word": "go"}, "GO!", "GO!"),
    ],
)
def test_each_kind_of_parameter_is_formatted_for_the_reader(family, code, params, english, chinese):
    entry = {"code": code, "params": params}
    with translation.override("en"):
        assert text_of(family, entry) == english
    with translation.override("zh-hans"):
        assert text_of(family, entry) == chinese


def test_missing_parameters_unknown_codes_and_rows_without_codes(family):
    with translation.override("en"):
        # A parameter missing (or empty): the fallback words; without one, the code shows.
        assert text_of(family, {"code": "wo", "params": {}}) == "Work order done."
        assert text_of(family, {"code": "wo", "params": {"number": ""}}) == "Work order done."
        assert text_of(family, {"code": "amount", "params": {"amount": "1"}}) == "amount"
        # A code written by a newer version shows as the code rather than as nothing.
        assert text_of(family, {"code": "from_the_future"}) == "from_the_future"
        # No code at all: a row from before codes keeps its text.
        assert text_of(family, {}, fallback="old words") == "old words"
        assert text_of("no_such_family", {"code": "arrived"}) == "arrived"
        assert texts_of(family, [coded("arrived"), coded("wo", number="W2")]) == (
            "Stock arrived.; Work order W2 done."
        )
        assert texts_of(family, [], fallback="old") == "old"


def test_a_code_registered_twice_fails_at_start_up(family):
    assert {"arrived", "wo"} <= registered_codes(family)
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        registry.register_texts(family, {"arrived": "again"})
