"""Hostile input on every page: never a 500, a clear message in the user's language, and a
refused POST changes nothing.

The pages come from the URL resolver, so a new page is fuzzed without anybody adding it here;
a page that cannot be fuzzed is named in NOT_FUZZED with the reason. Path parameters are
filled with real objects (orders in each state the page needs) and with hostile values.

GET: every query parameter a page understands (the fields of its forms, the parameters of its
own links, the FilterSet's, the table's sorting, page, per_page, q, export, format) plus an
unknown one. A request sends all of them at once: first each value of ALWAYS in every
parameter, then a few requests in which each parameter gets another hostile value (rotating);
one request repeats every parameter, one asks as htmx, one exports, one carries NUL bytes.

POST: every form the pages offer (found in their HTML, so formsets, hidden fields and action
buttons are included), with a valid CSRF token and a fresh one-time form token; each field in
turn (and an unknown one) gets hostile values while the others keep the values the page
filled in: the values of ALWAYS and a rotating sample of the others, to keep the run short.
Requests alternate between English and Chinese; every refusal must say what is wrong, in
Chinese when the user reads Chinese.

Each request runs in its own savepoint and each page's requests in one that is rolled back,
so a page starts from the same objects whatever the page before it did.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import translation

from aftersales.case_services import CaseRequest, case_open
from inventory.product_boms import product_component_set
from inventory.work_orders import work_order_create
from oms.generic import ObjectListView
from oms.models import ImportJob, ImportRowResult, MessageTemplate
from oms.services import export_job_start
from orders.choices import OrderStatus
from orders.intake.inbound_models import InboundDelivery
from orders.models import ApprovalRule, PriceList, Promotion, ShippingRule
from orders.services import order_hold, order_public_token, order_start_picking, order_submit
from shipping.models import PickupPoint
from shipping.packing import pack_scan
from shipping.permissions import ShipmentAction
from shipping.pickup import order_pickup_set as pickup_set
from shipping.returns import shipment_receive_return
from shipping.services import (
    DispatchDetails,
    shipment_dispatch,
    shipment_pack,
    shipment_record_progress,
    shipment_start_picking,
    shipments_create_for_order,
)
from tests.aftersales.conftest import Returns
from tests.factories import UserFactory
from tests.helpers import (
    Route,
    book_a_slot,
    carrier_service,
    channel_object,
    our_routes,
    route_kwargs,
    rule_objects,
)

# Routes left out, each with the reason. Django's admin is skipped as a whole (superusers only,
# Django's own code).
NOT_FUZZED = {
    "logout": "takes no input; posting it ends the session that the fuzz runs in",
    "login": "fuzzed on its own below (anonymous, and sign-in throttling would lock the pair)",
    "shipping_tracking:callback": "carriers' push endpoint, no page offers it: signatures, "
    "sizes, garbage and hostile codes in tests/security/test_tracking_callbacks.py",
    "orders:inbound_webhook": "shops' signed webhook endpoint, no page offers it: signatures, "
    "sizes, replays and garbage in tests/security/test_inbound_webhooks.py",
}

# Addresses whose POST may ignore what it does not understand without a word.
QUIET_POSTS = {
    "/i18n/setlang/": "Django's language switch: an unknown language keeps the current one"
}

HUGE = "99999999999999999999"
LONG = "x" * 10_000
# Every hostile value but NUL (which the middleware refuses for the whole request: sent alone).
HOSTILE = [
    HUGE,
    "-1",
    "-" + HUGE,
    "0",
    "abc",
    "²",
    "٣",
    "1e999999",
    "NaN",
    "-Infinity",
    "1.5",
    "",
    "   ",
    LONG,
    "1' OR '1'='1' --",
    "<script>alert(1)</script>",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "31/12/2026",
    "%s%n{0}",
    "../../etc/passwd",
]
NUL = "a\x00b"
# Each field gets these, and a rotating share of the others.
ALWAYS = [HUGE, "²", LONG, ""]
PER_FIELD = 2  # POST: values per field besides ALWAYS and NUL
GET_ROTATIONS = 3  # GET: requests with a different hostile value in each parameter
GENERIC_PARAMS = ["page", "per_page", "sort", "q", "export", "format", "zz_unknown"]
# Path values for <int:…>, <str:…> and <uuid:…>; the converters refuse anything else with a 404.
HOSTILE_PATH = {
    "int": ["0", HUGE],
    "str": ["%00", "%C2%B2", "SO-2026-999999", LONG[:2000], "1'%20OR%20'1'='1"],
    "uuid": [str(uuid.UUID(int=0))],
}
PATH_SENTINELS = {"int": 424242, "str": "SENTINEL", "uuid": uuid.UUID(int=0xDEADBEEF)}
# Tables a refused request may still touch: the session keeps messages that do not fit a cookie.
# The pickup desk counts wrong codes on purpose: its throttle reads them.
VOLATILE_TABLES = {"django_session", "shipping_pickupattempt"}
CJK = re.compile(r"[\u4e00-\u9fff]")


# ---------------------------------------------------------------- the routes


def can_open(user, route: Route) -> bool:
    permission = getattr(route.view_class, "permission_required", None)
    return permission is None or user.has_perm(permission)


# ---------------------------------------------------------------- real objects for the paths


@dataclass
class World:
    kwargs: dict[str, dict[str, object]]  # route name → path kwargs of a real object
    extra_pages: list[str]  # more pages whose forms lead to actions (orders in each state)


def build_world(users: list) -> World:
    catalog = Returns()
    a, b = catalog.product("120.00"), catalog.product("80.00")
    for product in (a, b):
        catalog.stock(product, catalog.shanghai, 500)
    customer = catalog.customer()
    clerk = UserFactory(username="fuzz-clerk", role="sales")
    ApprovalRule.objects.create(
        name="flagged", condition="manual_flag", required_role="manager", level=1
    )

    def order(*, submit=False, **kwargs):
        new = catalog.order(customer, (a, 2), (b, 3), actor=clerk, **kwargs)
        return order_submit(actor=clerk, order=new) if submit else new

    draft = order()
    pending = order(needs_review=True, submit=True)
    allocated = order(submit=True)
    held = order_hold(actor=clerk, order=order(submit=True), reason="waiting for the customer")
    assert pending.status == OrderStatus.PENDING_REVIEW
    assert allocated.status == OrderStatus.ALLOCATED
    work_order = work_order_create(product=a, warehouse=catalog.shanghai, quantity=1)
    rule, promotion, shipping_rule = rule_objects()
    price_list = catalog.price_lists["retail"]
    # Switched off, for the pages that switch them on again.
    inactive = {
        "approval_rule": ApprovalRule.objects.create(
            name="old",
            condition="amount_at_least",
            threshold=10**8,
            required_role="manager",
            is_active=False,
        ),
        "promotion": Promotion.objects.create(
            name="winter",
            kind="percent",
            value=3,
            scope="all",
            is_active=False,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 1, 31),
        ),
        "shipping_rule": ShippingRule.objects.create(
            name="old", base_fee=20, region="GD", is_active=False
        ),
        "price_list": PriceList.objects.create(
            name="next year", customer_group=price_list.customer_group, is_active=False
        ),
    }
    # Made from the registrations; edited, so its page offers "Restore default".
    template = MessageTemplate.objects.first()
    MessageTemplate.objects.filter(pk=template.pk).update(is_customised=True, body="edited")
    # An order waiting for its platform SKU, so the unmapped SKUs page offers its form.
    InboundDelivery.objects.create(
        channel=channel_object(),
        delivery_id="fuzz-waiting",
        kind="webhook",
        payload={"id": 2},
        status="waiting_for_mapping",
        unmapped_skus=["FUZZ-SKU"],
    )
    kwargs = route_kwargs(
        order=allocated,
        approval_rule=rule,
        price_list=price_list,
        promotion=promotion,
        shipping_rule=shipping_rule,
        work_order=work_order,
        address=customer.addresses.get(),
        product=a,
        warehouse=catalog.shanghai,
        stock_level=a.stock_levels.get(warehouse=catalog.shanghai),
        shipment=shipments_create_for_order(actor=None, order=allocated)[0],
        carrier_service=carrier_service(),
        message_template=template,
    )
    # A booked delivery slot: the order's slot page offers to cancel it, the dispatch plan of
    # its day offers to change a capacity and close the day.
    booking = book_a_slot(allocated, catalog.shanghai)
    plan = f"/delivery-slots/plan/?warehouse={catalog.shanghai.pk}&date={booking.slot.date}"
    # A parcel waiting at a pickup point: its page offers a new pickup code.
    collected = order(submit=True)
    pickup_set(actor=None, order=collected, point=PickupPoint.objects.get())
    order_start_picking(actor=None, order=collected)
    waiting = [
        shipment_pack(actor=None, shipment=s).get_absolute_url()
        for s in collected.shipments.order_by("pk")
    ]
    # Each order page with an order in a state that offers its form.
    for page in ("edit", "draft_details", "line_add", "line_update", "line_remove", "submit"):
        kwargs[f"orders:{page}"] = {"number": draft.number}
    for page in ("approve", "reject"):
        kwargs[f"orders:{page}"] = {"number": pending.number}
    kwargs["orders:resume"] = {"number": held.number}
    # A shipment at the pack station with one item scanned: its scan and recount forms.
    [at_station] = shipments_create_for_order(actor=None, order=order(submit=True))
    shipment_start_picking(actor=None, shipment=at_station)
    pack_scan(actor=None, shipment=at_station, code=a.sku, scan_id="fuzz")
    for page in ("pack_station_shipment", "pack_station_reset"):
        kwargs[f"shipping:{page}"] = {"number": at_station.number}
    # Parcels with the carrier and back from it, for the desk's and the returns' forms.
    on_the_way, to_book, to_decide = (carrier_parcel(order(submit=True), n) for n in range(3))
    for page in ("contact", "redispatch"):
        kwargs[f"shipping:{page}"] = {"number": on_the_way.number}
    for shipment in (to_book, to_decide):
        shipment_record_progress(actor=None, shipment=shipment, action=ShipmentAction.RETURNED)
    shipment_receive_return(actor=None, shipment=to_decide)
    kwargs["shipping:return_receive"] = {"number": to_book.number}
    for page in ("return_reship", "return_close"):
        kwargs[f"shipping:{page}"] = {"number": to_decide.number}
    parcels = [s.get_absolute_url() for s in (on_the_way, to_book, to_decide)]
    for kind, obj in inactive.items():
        kwargs[f"orders:{kind}_activate"] = {"pk": obj.pk}
    for user in users:
        job = export_job_start(
            user=user, path="/orders/", list_name="orders:list", query_string="", language="en"
        )
        kwargs[f"file_job:{user.username}"] = {"pk": job.pk}
        kwargs[f"file_job_download:{user.username}"] = {"pk": job.pk}
        checked = ImportJob.objects.create(
            user=user,
            kind="customers",
            file_name="customers.csv",
            stored_name="gone.csv",
            language="en",
            status="done",
            errors=1,
        )
        ImportRowResult.objects.create(
            job=checked, row=2, action="error", column="phone", message="=bad", values={}
        )
        for page in ("import_job", "import_commit", "import_errors"):
            kwargs[f"{page}:{user.username}"] = {"pk": checked.pk}
    # A delivered order: the customer's page offers the rating and the return form, the
    # staff's return page its lines; one return waits for a decision, one for inspection.
    delivered = catalog.delivered_order((a, 3), (b, 1), customer=customer)
    sent_back = catalog.delivered_order((a, 2), customer=customer)
    requested = catalog.request(sent_back, 1)
    received = catalog.received(sent_back, 1)
    for page in ("approve", "reject"):
        kwargs[f"aftersales:return_{page}"] = {"reference": requested.reference}
    kwargs["aftersales:return_inspect"] = {
        "reference": received.reference,
        "line": received.lines.get().pk,
    }
    delivered_token = {"token": order_public_token(delivered)}
    kwargs["aftersales:public_return"] = kwargs["aftersales:track_rating"] = delivered_token
    allocated_token = {"token": order_public_token(allocated)}
    for page in ("track_delivery_note", "track_delivery_time"):
        kwargs[f"shipping:{page}"] = allocated_token
    invoice = allocated.invoices.first()
    kwargs["billing:track_document"] = {**allocated_token, "number": invoice.number}
    extra = [o.get_absolute_url() for o in (draft, pending, allocated, held)] + parcels
    # A complaint about it: the return form as its "Create return" button opens it.
    complaint = case_open(
        actor=None,
        request=CaseRequest(
            customer=customer, category="defective", subject="Fuzz", order=delivered
        ),
    )
    extra += [
        f"/returns/new/?order={delivered.number}",
        f"/returns/new/?order={delivered.number}&case={complaint.number}",
        complaint.get_absolute_url(),
        reverse("shipping:track", kwargs=delivered_token),
        requested.get_absolute_url(),
        received.get_absolute_url(),
    ]
    extra += [plan, *waiting]
    extra += [obj.get_absolute_url() for obj in inactive.values()]
    # A switched-off channel: its page offers to switch it on again.
    extra.append(channel_object(active=False).get_absolute_url())
    # A lot that reached a customer: its trace page offers the recall form.
    on_the_way.lines.update(lot="FUZZ-LOT")
    extra.append("/trace/?lot=FUZZ-LOT")
    # A work order made before its product had a default bill of materials: its page offers it.
    older = work_order_create(product=b, warehouse=catalog.shanghai, quantity=2)
    product_component_set(actor=None, product=b, component=a, quantity=1)
    extra.append(reverse("inventory:work_order_detail", args=[older.pk]))
    return World(kwargs, extra)


def carrier_parcel(order, n: int):
    """The order's shipment, picked, packed and dispatched."""
    order_start_picking(actor=None, order=order)
    shipment = shipment_pack(actor=None, shipment=order.shipments.get())
    return shipment_dispatch(
        actor=None,
        shipment=shipment,
        details=DispatchDetails(carrier="SF Express", tracking_number=f"FUZZ-{n}"),
    )


def path_kwargs(world: World, route: Route, user) -> dict[str, object] | None:
    if not route.converters:
        return {}
    return world.kwargs.get(f"{route.name}:{user.username}", world.kwargs.get(route.name))


# ---------------------------------------------------------------- reading pages


@dataclass
class Form:
    method: str
    action: str  # a path
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, value) as filled in
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, formaction)


class PageReader(HTMLParser):
    """The forms of a page (fields as the page filled them in), and the query parameters it
    sends to each address: its links, GET forms and htmx requests."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.params: dict[str, set[str]] = {}  # path → parameter names
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self._textarea: list[str] | None = None
        self._textarea_name = ""

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        for url in (a.get("href") if tag == "a" else None, a.get("hx-get")):
            if url:
                self._sends(url, parse_qsl(urlsplit(url).query, keep_blank_values=True))
        if a.get("hx-get"):  # htmx adds the element's value and those it includes
            names = [a.get("name", ""), *re.findall(r"#id_(\w+)", a.get("hx-include", ""))]
            names += re.findall(r"(\w+)\s*:", a.get("hx-vals", "").removeprefix("js:"))
            self._sends(a["hx-get"], [(name, "") for name in names if name])
        if tag == "form":
            self._form = Form(
                (a.get("method") or "get").lower(), _path(a.get("action"), self.page_path)
            )
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "image"):
                self._form.buttons.append((a["name"], a.get("value", ""), a.get("formaction", "")))
                return
            self._form.fields.append(
                (a["name"], a.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "button" and a.get("type", "submit") == "submit":
            if a.get("name") or a.get("formaction"):
                self._form.buttons.append(
                    (a.get("name", ""), a.get("value", ""), a.get("formaction", ""))
                )
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [], [])
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[1].append(value)
            if "selected" in a:
                self._select[2].append(value)
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._textarea_name = [], a["name"]

    def _sends(self, url: str, pairs) -> None:
        self.params.setdefault(_path(url, self.page_path), set()).update(n for n, _v in pairs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            if self._form is not None and self._form.method == "get":
                self._sends(self._form.action, self._form.fields)
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options, selected = self._select
            chosen = selected or [next((o for o in options if o), "")]
            self._form.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea_name, "".join(self._textarea).strip()))
            self._textarea = None


def _path(url: str | None, page_path: str) -> str:
    if not url:
        return page_path
    return urlsplit(url).path or page_path


def read_page(html: str, page_path: str) -> PageReader:
    reader = PageReader(page_path)
    reader.feed(html)
    return reader


def view_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


# ---------------------------------------------------------------- what a response says


class TextReader(HTMLParser):
    """The error texts of a page: field errors, danger alerts, and the page's main text."""

    ERROR_CLASSES = (
        "invalid-feedback",
        "alert-danger",
        "errorlist",
        "oms-error",
        # The customer's pages: a field's error, and the page's notice of what was refused.
        "oms-field-error",
        "oms-public-notice-error",
    )

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.errors: list[str] = []
        self._stack: list[bool] = []  # per open element: inside an error element?

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        inside = bool(self._stack and self._stack[-1])
        if tag in ("input", "br", "img", "meta", "link", "hr"):
            return
        self._stack.append(inside or any(c in classes.split() for c in self.ERROR_CLASSES))

    def handle_endtag(self, tag):
        if self._stack and tag not in ("input", "br", "img", "meta", "link", "hr"):
            self._stack.pop()

    def handle_data(self, data):
        if self._stack and self._stack[-1] and data.strip():
            self.errors.append(data.strip())


def error_texts(response) -> list[str]:
    """What the user is told went wrong: message-framework errors, and the error parts of the
    page (or the whole text of a plain-text answer)."""
    texts = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    if isinstance(response, StreamingHttpResponse) or response.status_code in (301, 302):
        return texts
    content_type = response.get("Content-Type", "")
    body = response.content.decode(errors="replace")
    if content_type.startswith("text/plain") or "<" not in body:
        return [*texts, body.strip()]
    reader = TextReader()
    reader.feed(body)
    return [*texts, *reader.errors]


def success_texts(response) -> list[str]:
    said = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag != "error"]
    # A form of the customer's order page goes back to the page, which says what was saved.
    if response.status_code == 302 and "?saved=" in response.get("Location", ""):
        said.append(response["Location"])
    return said


# ---------------------------------------------------------------- the database's state


def snapshot() -> dict[str, tuple[int, int]]:
    """(row count, sum of the rows' hashes) per table: a refused request must leave them all."""
    with connection.cursor() as cursor:
        tables = [
            t for t in connection.introspection.table_names(cursor) if t not in VOLATILE_TABLES
        ]
        parts = [
            f"SELECT '{t}', count(*), coalesce(sum(hashtext(r::text)::bigint), 0) FROM \"{t}\" r"
            for t in tables
        ]
        cursor.execute(" UNION ALL ".join(parts))
        return {name: (count, digest) for name, count, digest in cursor.fetchall()}


def changed_tables(before, after) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


# ---------------------------------------------------------------- the fuzzer


@dataclass
class Fuzzer:
    client: Client
    user: object
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    checked_zh: int = 0

    def send(self, method: str, path: str, data, *, language="en", label="", **headers):
        """One request in its own savepoint; a server error becomes a problem, not a stop."""
        self.requests += 1
        self.client.cookies["django_language"] = language
        shown = f"{method} {path[:120]} {label}"
        try:
            with transaction.atomic():
                if method == "GET":
                    response = self.client.get(path, data, **headers)
                else:
                    response = self.client.post(path, data, **headers)
                if isinstance(response, StreamingHttpResponse):
                    b"".join(response.streaming_content)  # an export fails while it streams
        except Exception as exc:
            self.problems.append(f"500 {shown}: {type(exc).__name__}: {str(exc)[:200]}")
            return None
        if response.status_code >= 500:
            self.problems.append(f"{response.status_code} {shown}")
            return None
        return response

    def expect_clear_refusal(self, response, shown: str, language: str, hostile: str = ""):
        """A refusal names what is wrong, in the user's language."""
        texts = [t.replace(hostile, "") if hostile else t for t in error_texts(response)]
        texts = [t for t in texts if t.strip()]
        if not texts:
            self.problems.append(f"no message: {response.status_code} {shown}")
        elif language == "zh-hans":
            self.checked_zh += 1
            if not any(CJK.search(t) for t in texts):
                self.problems.append(f"not in Chinese: {texts[:2]} {shown}")


def rotate(values: list[str], seed: int, count: int) -> list[str]:
    return [values[(seed + i) % len(values)] for i in range(count)]


# ---------------------------------------------------------------- GET


def get_params(route: Route, path: str, sent: dict[str, set[str]]) -> list[str]:
    """The query parameters a page understands: its FilterSet's, its table's sorting, those
    that pages send it, and the generic ones."""
    names = {*GENERIC_PARAMS, *sent.get(path, ())}
    view = route.view_class
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None:
        for name, form_field in filterset_class().form.fields.items():
            suffixes = getattr(form_field.widget, "suffixes", None)
            names.update(f"{name}_{s}" if s else name for s in suffixes or [""])
    table_class = getattr(view, "table_class", None)
    if table_class is not None:
        names.add(getattr(table_class._meta, "order_by_field", "sort") or "sort")
    return sorted(names - {"csrfmiddlewaretoken"})


def fuzz_get(fuzzer: Fuzzer, route: Route, path: str, sent: dict[str, set[str]]):
    params = get_params(route, path, sent)
    # Every parameter with each of the values of ALWAYS, then rotating shares of the others.
    rounds = [[(name, value) for name in params] for value in ALWAYS]
    rounds += [
        [(name, HOSTILE[(i * len(params) + j) % len(HOSTILE)]) for j, name in enumerate(params)]
        for i in range(GET_ROTATIONS)
    ]
    # Every parameter twice; then an export with hostile filters.
    rounds.append([(name, value) for name in params for value in (HUGE, "abc")])
    exported = [(n, v) for n, v in rounds[-2] if n not in ("export", "page", "per_page")]
    rounds.append([*exported, ("export", "csv")])
    for number, query in enumerate(rounds):
        language = "zh-hans" if number % 2 else "en"
        headers = {"HTTP_HX_REQUEST": "true"} if number == 2 else {}
        label = f"round {number}"
        response = fuzzer.send(
            "GET", f"{path}?{urlencode(query)}", None, language=language, label=label, **headers
        )
        if response is None:
            continue
        if response.status_code >= 400:
            fuzzer.expect_clear_refusal(response, f"GET {path} {query[:3]}", language)
        filterset = (response.context or {}).get("filterset")
        if filterset is not None and filterset.errors and not headers:
            html = response.content.decode()
            if "invalid-feedback" not in html or 'collapse show" id="filters"' not in html:
                fuzzer.problems.append(f"filter errors not shown: GET {path} {label}")
    # NUL: the middleware's 400, in the user's language.
    query = urlencode(dict.fromkeys(params, NUL))
    response = fuzzer.send("GET", f"{path}?{query}", None, language="zh-hans")
    if response is not None:
        if response.status_code != 400:
            fuzzer.problems.append(f"NUL in the query answered {response.status_code}: {path}")
        fuzzer.expect_clear_refusal(response, f"GET {path}?…=NUL", "zh-hans")


# ---------------------------------------------------------------- POST


def post_targets(fuzzer: Fuzzer, pages: dict[str, PageReader]) -> dict[str, list[Form]]:
    """Every form the pages offer, by the route it posts to (each distinct set of fields once;
    a form with several action buttons counts once per button)."""
    targets: dict[str, list[Form]] = {}
    seen = set()
    for page in pages.values():
        for form in page.forms:
            if form.method != "post":
                continue
            for button in form.buttons or [("", "", "")]:
                name, value, formaction = button
                action = _path(formaction, form.action) if formaction else form.action
                fields = [*form.fields, *([(name, value)] if name else [])]
                route = view_name(action)
                key = (route, tuple(sorted({n for n, _v in fields})))
                if route is None or key in seen:
                    continue
                seen.add(key)
                targets.setdefault(route, []).append(Form("post", action, fields))
    return targets


def fuzz_post(fuzzer: Fuzzer, form: Form, seed: int):
    names = [n for n in dict.fromkeys(n for n, _v in form.fields) if n != "csrfmiddlewaretoken"]
    names.append("zz_unknown")
    before = snapshot()
    for j, name in enumerate(names):
        # NUL is refused for the whole form (by the middleware): sent in one field only.
        values = [*ALWAYS, *rotate(HOSTILE, seed + 7 * j, PER_FIELD), *([NUL] if j == 0 else [])]
        values = list(dict.fromkeys(values))
        for k, hostile in enumerate(values):
            data = [
                (n, str(uuid.uuid4()) if n == "form_token" else v)
                for n, v in form.fields
                if n != name
            ]
            language = "zh-hans" if (j + k) % 2 else "en"
            shown = f"{name}={hostile[:20]!r}"
            response = fuzzer.send(
                "POST",
                form.action,
                _multidict([*data, (name, hostile)]),
                language=language,
                label=shown,
            )
            if response is None:
                continue
            shown = f"POST {form.action} {shown}"
            after = snapshot()
            said = success_texts(response)
            refused = (
                response.status_code >= 400
                or (response.status_code in (301, 302) and not said and error_texts(response))
                or (response.status_code == 200 and error_texts(response))
            )
            if refused:
                if changed := changed_tables(before, after):
                    fuzzer.problems.append(f"refused but changed {changed}: {shown}")
                fuzzer.expect_clear_refusal(response, shown, language, hostile)
            elif (
                response.status_code in (301, 302)
                and before == after
                and not said
                and form.action not in QUIET_POSTS
            ):
                fuzzer.problems.append(f"silently ignored (no message, nothing changed): {shown}")
            before = after


def _multidict(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


# ---------------------------------------------------------------- the tests


ROLES = ["manager", "warehouse"]


@pytest.fixture(autouse=True)
def _language_kept():
    """The requests switch the thread's language; later tests expect it as it was."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def people(db):
    return {role: UserFactory(username=f"fuzz-{role}", role=role) for role in ROLES}


@pytest.fixture
def world(people):
    return build_world(list(people.values()))


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def crawl(fuzzer: Fuzzer, world: World, routes: list[Route]) -> dict[str, PageReader]:
    """Every page the user may open, with the real objects, read for its forms and links."""
    pages: dict[str, PageReader] = {}
    paths = []
    for route in routes:
        if route.view_class is not None and "get" not in route.view_class.http_method_names:
            continue
        kwargs = path_kwargs(world, route, fuzzer.user)
        if kwargs is None:
            fuzzer.problems.append(f"no object for the path of {route.name}: add it to build_world")
            continue
        paths.append(reverse(route.name, kwargs=kwargs))
    for path in [*paths, *world.extra_pages]:
        response = fuzzer.send("GET", path, None)
        if response is None or isinstance(response, StreamingHttpResponse):
            continue
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            pages[path] = read_page(response.content.decode(), path)
    return pages


@pytest.fixture(autouse=True)
def no_public_rate_limit(settings):
    """The customer's pages slow a guesser down (tests/security/test_order_page.py);
    here every hostile token must reach the view."""
    settings.OMS_TRACK_REQUESTS_PER_MINUTE = 10**9
    settings.OMS_TRACK_MISSES_PER_HOUR = 10**9


@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_input_breaks_a_page(role, people, world):
    user = people[role]
    fuzzer = Fuzzer(csrf_client(user), user)
    routes = [r for r in our_routes() if r.name not in NOT_FUZZED and can_open(user, r)]
    with transaction.atomic():
        pages = crawl(fuzzer, world, routes)
        transaction.set_rollback(True)
    targets = post_targets(fuzzer, pages)
    sent: dict[str, set[str]] = {}
    for page in pages.values():
        for target, names in page.params.items():
            sent.setdefault(target, set()).update(names)
    fuzzed_posts = set()
    for seed, route in enumerate(routes):
        kwargs = path_kwargs(world, route, user)
        if kwargs is None:
            continue
        view = route.view_class
        methods = view.http_method_names if view is not None else ["get", "post"]
        path = reverse(route.name, kwargs=kwargs)
        with transaction.atomic():
            if "get" in methods and (view is None or hasattr(view, "get")):
                fuzz_get(fuzzer, route, path, sent)
                fuzz_path(fuzzer, route, kwargs, "GET")
            transaction.set_rollback(True)
        if view is None or hasattr(view, "post"):
            for form in targets.get(route.name, []):
                with transaction.atomic():
                    fuzz_post(fuzzer, form, seed)
                    transaction.set_rollback(True)
                fuzzed_posts.add(route.name)
            with transaction.atomic():
                fuzz_path(fuzzer, route, kwargs, "POST")
                transaction.set_rollback(True)
    # A list's one POST starts a big export, offered only past OMS_EXPORT_INLINE_MAX_ROWS
    # (tests/security/test_export_start.py); its path was fuzzed above all the same.
    unreached = {
        r.name
        for r in routes
        if r.view_class is not None
        and hasattr(r.view_class, "post")
        and "post" in r.view_class.http_method_names
        and not issubclass(r.view_class, ObjectListView)
    } - fuzzed_posts
    assert not unreached, f"no page offers a form for {sorted(unreached)}: show one in build_world"
    assert not fuzzer.problems, "\n".join([f"{len(fuzzer.problems)} problems", *fuzzer.problems])
    assert fuzzer.checked_zh > 20


def fuzz_path(fuzzer: Fuzzer, route: Route, kwargs: dict, method: str):
    """Hostile values in each path parameter: a 404 (or 400 for NUL), never a 500."""
    for name, kind in route.converters.items():
        if kind not in HOSTILE_PATH:
            fuzzer.problems.append(f"{route.name}: no hostile values for a {kind} path parameter")
        for hostile in HOSTILE_PATH.get(kind, []):
            sentinel = PATH_SENTINELS[kind]
            path = reverse(route.name, kwargs={**kwargs, name: sentinel})
            path = path.replace(str(sentinel), hostile)
            data = None
            if method == "POST":
                token = fuzzer.client.cookies["csrftoken"].value
                data = {"note": "x", "reason": "x", "csrfmiddlewaretoken": token}
            before = snapshot() if method == "POST" else None
            response = fuzzer.send(method, path, data, language="zh-hans")
            if response is None:
                continue
            if response.status_code not in (400, 403, 404, 405):
                fuzzer.problems.append(f"{method} {path[:100]} answered {response.status_code}")
            elif before is not None and (changed := changed_tables(before, snapshot())):
                fuzzer.problems.append(f"refused but changed {changed}: {method} {path[:100]}")
            if response.status_code in (400, 404):
                fuzzer.expect_clear_refusal(response, f"{method} {path[:100]}", "zh-hans")


@pytest.mark.django_db
def test_hostile_sign_in_attempts_are_refused_with_a_message():
    """The sign-in form, anonymous: every field with hostile values (distinct user names, so
    the throttle does not lock one pair and hide the form's own answer)."""
    client = Client(enforce_csrf_checks=True)
    fuzzer = Fuzzer(client, None)
    page = read_page(client.get("/login/").content.decode(), "/login/")
    (form,) = [f for f in page.forms if f.method == "post" and f.action == "/login/"]
    for j, hostile in enumerate([*ALWAYS, *HOSTILE[:6]]):
        for name in ("username", "password"):
            data = {**dict(form.fields), "username": f"nobody{j}", "password": "wrong"}
            data[name] = hostile
            language = "zh-hans" if j % 2 else "en"
            response = fuzzer.send("POST", "/login/", data, language=language, label=name)
            if response is not None:
                assert response.status_code in (200, 403, 429), (name, response.status_code)
                fuzzer.expect_clear_refusal(response, f"POST /login/ {name}", language, hostile)
    assert not fuzzer.problems, "\n".join(fuzzer.problems)
