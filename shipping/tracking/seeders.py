"""Demo tracking: the demo carriers' integration settings, and what each carrier reports
along a demo shipment's journey, in its own codes (Kuaidi100 states, the JSON webhook's codes,
staff typing in the manual carrier's news). The reports go through
`tracking_events_apply`, which moves the shipments, so the demo's shipment states come from
the carriers' news like the real ones. Every normalised status occurs.
"""

import random
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count

from oms.demo import SeedContext
from orders.seeders.desk import Story
from shipping import carrier_services
from shipping.choices import TrackingKind
from shipping.models import Carrier, Shipment, TrackingEvent
from shipping.permissions import ShipmentAction
from shipping.tracking.adapters import CarrierEvent, adapter_for
from shipping.tracking.services import carrier_of, tracking_events_apply
from shipping.tracking.statuses import TrackingSource, TrackingStatus

A = ShipmentAction
T = TrackingStatus
HUBS = [
    "上海青浦转运中心",
    "杭州萧山转运中心",
    "南京江宁分拨中心",
    "广州白云转运中心",
    "深圳宝安转运中心",
    "北京顺义分拨中心",
    "武汉东西湖转运中心",
    "成都双流转运中心",
    "西安国际港务区分拨中心",
]
STREETS = ["浦东新区张江镇", "西湖区文三路", "天河区体育西路", "朝阳区望京街道", "武侯区玉林街道"]

# (code, words) a carrier sends at each step, by integration: Kuaidi100 states, the webhook's
# codes (its own words: uppercase status names) and the manual carrier's statuses.
# {kind: {step: [alternative sequences of (code, description)]}}
K, W, M = TrackingKind.KUAIDI100, TrackingKind.WEBHOOK, TrackingKind.MANUAL
NEWS: dict[str, dict[str, list[list[tuple[str, str]]]]] = {
    K: {
        A.IN_TRANSIT: [
            [("101", "商家已下单，等待揽收"), ("103", "快递员已揽件"), ("0", "已到达 {hub}")],
            [("1", "快递员已揽件"), ("0", "已到达 {hub}"), ("1002", "干线运输中，发往 {hub}")],
        ],
        A.OUT_FOR_DELIVERY: [
            [("1001", "已到达派件城市"), ("5", "快递员正在派件，电话 138****5678")],
            [("1001", "已到达派件城市"), ("501", "已投递至菜鸟驿站，请凭取件码取件")],
        ],
        A.DELIVERED: [[("301", "已签收，签收人：本人")], [("304", "已从快递柜取出，签收")]],
        A.EXCEPTION: [
            [("201", "超时未签收，将再次派送")],
            [("206", "无法联系收件人，待联系")],
            [("208", "包裹滞留网点，待处理")],
            [("209", "包裹外包装破损，待核实")],
            [("401", "运单已销单，请联系寄件方")],
        ],
        A.RETURNED: [
            [("14", "收件人拒签，包裹退回"), ("6", "退回途中，发往 {hub}")],
            [("14", "收件人拒签"), ("6", "退回途中"), ("4", "已退回寄件人，退签")],
        ],
    },
    W: {
        A.IN_TRANSIT: [
            [("PENDING", "运单已创建，等待物流信息"), ("IN_TRANSIT", "已揽收，发往 {hub}")],
            [("INFO_RECEIVED", "已接单"), ("IN_TRANSIT", "运输中，到达 {hub}")],
        ],
        A.OUT_FOR_DELIVERY: [[("OUT_FOR_DELIVERY", "配送员正在派送")]],
        A.DELIVERED: [[("DELIVERED", "已妥投")]],
        A.EXCEPTION: [
            [("FAILED_ATTEMPT", "派送未成功，客户不在")],
            [("EXCEPTION", "分拣异常，待处理")],
            [("EXPIRED", "超过 30 天无物流更新")],
        ],
        A.RETURNED: [[("RETURNING", "客户拒收，返回仓库"), ("RETURNED", "已退回仓库")]],
    },
    M: {
        A.IN_TRANSIT: [[("info_received", ""), ("in_transit", "")]],
        A.OUT_FOR_DELIVERY: [[("out_for_delivery", "")]],
        A.DELIVERED: [[("delivered", "")]],
        A.EXCEPTION: [[("exception", "")], [("failed_attempt", "")]],
        A.RETURNED: [[("returning", "")]],
    },
}


def seed_carrier_integrations(context: SeedContext) -> None:
    """The demo carriers' tracking settings (only where none are set yet): the API ones point
    at the local carrier simulator (OMS_DEMO_TRACKING_ENDPOINT)."""
    actor = context.users.get("logistics")
    endpoint = settings.OMS_DEMO_TRACKING_ENDPOINT
    for carrier in Carrier.objects.exclude(tracking_kind=TrackingKind.MANUAL).order_by("pk"):
        if carrier.tracking_secret:
            continue
        data = {"tracking_secret": f"demo-salt-{carrier.code.lower()}"}
        if carrier.tracking_kind == TrackingKind.KUAIDI100:
            data.update(
                tracking_endpoint=endpoint,
                tracking_customer="DEMO-CUSTOMER",
                tracking_key=f"demo-key-{carrier.code.lower()}",
            )
        carrier_services.carrier_save(actor=actor, carrier=carrier, data=data)


class CarrierNews:
    """What the demo carriers report about a shipment, step by step (used by the shipping
    seeder's Dock)."""

    def __init__(self, logistics) -> None:
        self.logistics = logistics
        self.last: dict[int, datetime] = {}  # shipment id -> its previous step's moment

    def dispatched(self, shipment: Shipment, t: datetime) -> None:
        self.last[shipment.pk] = t

    def report(
        self, story: Story, shipment: Shipment, action: str, t: datetime, rng: random.Random
    ) -> None:
        # The Dock's instance predates the dispatch: read the carrier and number it recorded.
        shipment = Shipment.objects.select_related("carrier_service__carrier").get(pk=shipment.pk)
        carrier = carrier_of(shipment)
        kind = carrier.tracking_kind if carrier is not None else TrackingKind.MANUAL
        adapter = adapter_for(carrier) if carrier is not None else None
        sequence = rng.choice(NEWS[kind][action])
        since = self.last.get(shipment.pk, t - timedelta(hours=2))
        street = rng.choice(STREETS)
        events = []
        for index, (code, words) in enumerate(sequence, start=1):
            hub = rng.choice(HUBS)
            status = adapter.normalise(code) if adapter is not None else code
            local_step = action in (A.OUT_FOR_DELIVERY, A.DELIVERED)
            events.append(
                CarrierEvent(
                    tracking_number=shipment.tracking_number,
                    event_time=since + (t - since) * index / len(sequence),
                    raw_code=code,
                    status=status,
                    place=street if local_step else hub,
                    description=words.format(hub=hub),
                )
            )
        manual = kind == TrackingKind.MANUAL
        story.run(
            t,
            tracking_events_apply,
            shipment=shipment,
            events=events,
            source=TrackingSource.MANUAL
            if manual
            else rng.choice([TrackingSource.PUSH, TrackingSource.PUSH, TrackingSource.POLL]),
            actor=self.logistics if manual else None,
        )
        self.last[shipment.pk] = t


def tracking_summary(context: SeedContext) -> None:
    counts = Counter(
        dict(TrackingEvent.objects.values_list("status").annotate(n=Count("id")).order_by())
    )
    missing = [s.value for s in TrackingStatus if not counts[s.value]]
    context.say(
        f"{sum(counts.values())} tracking events"
        + (f" (no {', '.join(missing)} yet: a larger demo has them)" if missing else "")
    )
