"""RFM quintiles and segments, written onto the customers in bulk; tiers by 12-month spend,
each change audited; the managers' tier thresholds page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.choices import RfmSegment
from customers.models import Customer, TierThreshold
from customers.services import CustomerScores, customer_segments_write, tier_thresholds_set
from oms.models import AuditLog
from orders.models import Order
from orders.rfm import customer_analytics_refresh, customer_scores, segment_for
from tests.factories import CustomerFactory, UserFactory


def book_orders(customer, amounts, *, days_ago, status="confirmed"):
    """Orders placed `days_ago` (one per amount), written directly: the figures, not the
    order desk, are under test here."""
    now = timezone.now()
    Order.objects.bulk_create(
        Order(
            number=f"T-{customer.pk}-{days_ago}-{index}",
            customer=customer,
            status=status,
            ship_recipient="r",
            ship_phone="13800000000",
            ship_region=customer.region,
            ship_city="c",
            ship_street="s",
            subtotal=Decimal(amount),
            total=Decimal(amount),
            created_at=now - timedelta(days=days_ago, minutes=index),
        )
        for index, amount in enumerate(amounts)
    )


@pytest.mark.parametrize(
    ("scores", "segment"),
    [
        ((5, 5, 5), RfmSegment.CHAMPIONS),
        ((4, 4, 1), RfmSegment.CHAMPIONS),
        ((5, 1, 1), RfmSegment.NEW),
        ((4, 1, 5), RfmSegment.NEW),
        ((3, 3, 3), RfmSegment.LOYAL),
        ((5, 3, 2), RfmSegment.LOYAL),
        ((3, 5, 5), RfmSegment.LOYAL),
        ((4, 2, 2), RfmSegment.POTENTIAL),
        ((3, 1, 1), RfmSegment.POTENTIAL),
        ((1, 4, 1), RfmSegment.CANT_LOSE),
        ((1, 1, 4), RfmSegment.CANT_LOSE),
        ((2, 3, 1), RfmSegment.AT_RISK),
        ((1, 3, 3), RfmSegment.AT_RISK),
        ((2, 5, 5), RfmSegment.AT_RISK),
        ((2, 2, 2), RfmSegment.HIBERNATING),
        ((2, 1, 5), RfmSegment.HIBERNATING),
        ((1, 2, 3), RfmSegment.LOST),
        ((1, 1, 1), RfmSegment.LOST),
    ],
)
def test_segment_rules(scores, segment):
    assert segment_for(*scores) == segment


def test_every_score_has_a_segment():
    seen = {segment_for(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)}
    assert seen == set(RfmSegment)


@pytest.mark.django_db
def test_quintile_edges_five_distinct_customers_score_one_to_five():
    customers = [CustomerFactory() for _ in range(5)]
    for rank, customer in enumerate(customers):
        # More recent, more orders and more spend with each rank.
        book_orders(customer, ["100.00"] * (rank + 1), days_ago=300 - rank * 60)
    scores = {s.customer_id: s for s in customer_scores()}
    assert [scores[c.pk].score for c in customers] == ["111", "222", "333", "444", "555"]
    assert [scores[c.pk].segment for c in customers] == [
        "lost",
        "hibernating",
        "loyal",
        "champions",
        "champions",
    ]


@pytest.mark.django_db
def test_ties_share_the_lower_score_and_old_or_cancelled_orders_do_not_count():
    single = [CustomerFactory() for _ in range(4)]
    for customer in single:
        book_orders(customer, ["50.00"], days_ago=10)
    regular = CustomerFactory()
    book_orders(regular, ["50.00"] * 3, days_ago=10)
    gone = CustomerFactory()
    book_orders(gone, ["9999.00"], days_ago=400)  # outside the 12 months
    book_orders(regular, ["9999.00"], days_ago=5, status="cancelled")
    scores = {s.customer_id: s for s in customer_scores()}
    assert gone.pk not in scores
    assert {scores[c.pk].score[1] for c in single} == {"1"}  # four tied: all F=1
    assert scores[regular.pk].score[1] == "5"
    assert scores[regular.pk].spend_12m == Decimal("150.00")


@pytest.mark.django_db
def test_the_nightly_job_writes_segments_clears_the_silent_and_moves_tiers():
    big, small, silent = CustomerFactory(), CustomerFactory(), CustomerFactory()
    silent.rfm_segment, silent.spend_12m, silent.tier = "loyal", Decimal("30000.00"), "silver"
    silent.save()
    book_orders(big, ["60000.00", "50000.00"], days_ago=3)
    book_orders(small, ["100.00"], days_ago=200)
    counts = customer_analytics_refresh()
    assert counts == {"segmented": 2, "cleared": 1, "tier_changes": 2}
    big.refresh_from_db()
    silent.refresh_from_db()
    assert big.tier == "gold"  # 110,000 ≥ gold's 100,000
    assert big.spend_12m == Decimal("110000.00")
    assert big.rfm_segment
    assert (silent.rfm_segment, silent.spend_12m, silent.tier) == ("", Decimal("0.00"), "standard")
    changes = AuditLog.objects.filter(action="customer.tier_change").order_by("object_id")
    assert [c.changes["tier"] for c in changes] == [["standard", "gold"], ["silver", "standard"]]
    # A second run finds nothing to change.
    assert customer_analytics_refresh()["tier_changes"] == 0


@pytest.mark.django_db
def test_segments_are_written_in_a_constant_number_of_statements(django_assert_max_num_queries):
    customers = [CustomerFactory() for _ in range(30)]
    scores = [CustomerScores(c.pk, "loyal", "333", Decimal("10.00")) for c in customers]
    with django_assert_max_num_queries(6):
        customer_segments_write(actor=None, scores=scores, computed_at=timezone.now())
    assert Customer.objects.filter(rfm_segment="loyal").count() == 30


@pytest.mark.django_db
def test_changing_thresholds_moves_customers_at_once_audited():
    manager = UserFactory(username="boss", role="manager")
    customer = CustomerFactory(spend_12m=Decimal("5000.00"))
    tier_thresholds_set(
        actor=manager,
        data={"silver": Decimal("1000"), "gold": Decimal("4000"), "platinum": Decimal("9000")},
    )
    customer.refresh_from_db()
    assert customer.tier == "gold"
    assert TierThreshold.objects.get(tier="gold").min_spend == Decimal("4000")
    assert AuditLog.objects.filter(action="tier_threshold.update").count() == 3
    change = AuditLog.objects.get(action="customer.tier_change")
    assert change.actor == manager


def test_the_tier_page_refuses_thresholds_out_of_order(client_for):
    client = client_for("manager")
    page = client.get("/customers/tiers/")
    assert page.status_code == 200
    response = client.post("/customers/tiers/", {"silver": "500", "gold": "400", "platinum": "900"})
    assert response.status_code == 422
    assert "Each tier must start above the tier below it." in response.content.decode()
    assert TierThreshold.objects.get(tier="silver").min_spend == Decimal("20000.00")
    response = client.post("/customers/tiers/", {"silver": "500", "gold": "-1", "platinum": "x"})
    assert response.status_code == 422


@pytest.mark.parametrize("role", ["sales", "finance", "warehouse"])
def test_only_managers_change_tiers(client_for, role):
    assert client_for(role).get("/customers/tiers/").status_code == 403


def test_the_customer_list_filters_by_segment_and_the_page_shows_it(client_for):
    champion = CustomerFactory(rfm_segment="champions", rfm_score="555", name="冠军客户")
    CustomerFactory(rfm_segment="lost", rfm_score="111", name="流失客户")
    client = client_for("manager")
    listing = client.get("/customers/?rfm_segment=champions").content.decode()
    assert "冠军客户" in listing
    assert "流失客户" not in listing
    page = client.get(f"/customers/{champion.pk}/").content.decode()
    assert "Champions" in page
    assert "RFM 555" in page
    assert client.get("/customers/?rfm_segment=bogus").status_code in {200, 422}
