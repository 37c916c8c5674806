"""Reads for tracking pages and the push endpoint."""

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from shipping.models import Carrier, Shipment, TrackingEvent

# Carrier's columns are plain values (no from_db_value conversion), so a row read with a
# cursor makes the same object the ORM would.
_CARRIER_FIELDS = [field.attname for field in Carrier._meta.concrete_fields]
_CARRIER_BY_CODE = "SELECT {} FROM {} WHERE code = %s".format(
    ", ".join(connection.ops.quote_name(field.column) for field in Carrier._meta.concrete_fields),
    connection.ops.quote_name(Carrier._meta.db_table),
)


def carrier_by_code(code: str) -> Carrier | None:
    """The carrier with this code, read with one plain statement: pushes come hundreds a
    second and building the ORM's query cost more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(_CARRIER_BY_CODE, [code])
        row = cursor.fetchone()
    return None if row is None else Carrier.from_db(connection.alias, _CARRIER_FIELDS, row)


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
