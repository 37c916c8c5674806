"""Reads for tracking pages."""

from django.db.models import OuterRef, QuerySet, Subquery

from shipping.models import Shipment, TrackingEvent


def shipment_tracking_events(shipment: Shipment) -> QuerySet[TrackingEvent]:
    """The shipment's tracking events, newest (by the carrier's time) first."""
    return (
        TrackingEvent.objects.filter(shipment=shipment)
        .select_related("actor")
        .order_by("-event_time", "-id")
    )


def with_latest_tracking(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """Each shipment with its latest tracking event's status, place and time."""
    latest = TrackingEvent.objects.filter(shipment=OuterRef("pk")).order_by("-event_time", "-id")
    return shipments.annotate(
        latest_tracking_status=Subquery(latest.values("status")[:1]),
        latest_tracking_place=Subquery(latest.values("place")[:1]),
        latest_tracking_time=Subquery(latest.values("event_time")[:1]),
    )
