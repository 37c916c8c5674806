"""What each app contributes to the kernel, registered from the app's own folder.

The kernel imports no app. An app lists what it adds in `<app>/registrations.py`, which its
`AppConfig.ready()` imports: URL modules, beat jobs, sidebar entries, the permissions each
role gets, audited models, dashboard panels and KPI tiles, header-search providers, demo-data
seeders, panels and buttons on other apps' detail pages, and resolvers that turn a document
reference (`SO-2026-000123` on a ledger row) into a link, and the events it tells customers
about (`register_message_event`, sent with `oms.messaging.notify`). A new app is one folder plus one
line in INSTALLED_APPS.

Everything here is filled once while Django starts and only read afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest

    from oms.types import AnyUser


@dataclass(frozen=True)
class NavSection:
    key: str
    label: Any  # a lazy translation
    order: int


@dataclass(frozen=True)
class NavItem:
    section: str
    label: Any
    url_name: str
    permission: str
    icon: str
    order: int = 100


@dataclass(frozen=True)
class BeatJob:
    name: str
    task: str
    schedule: Any  # seconds or a celery crontab
    expires: int  # seconds: a backlog never runs a job many times


@dataclass(frozen=True)
class Process:
    """A process `manage.py runall` (`make run`) starts next to web, worker and beat: the
    management command `python manage.py <command...>`, when `enabled()` says so."""

    name: str
    command: tuple[str, ...]
    enabled: Callable[[], bool] = lambda: True


@dataclass(frozen=True)
class Kpi:
    """A dashboard tile. `compute(user)` returns the tile's values as far as the user may see
    them, or None to hide it."""

    name: str
    permission: str
    compute: Callable[[AnyUser], KpiValue | None]
    order: int = 100


@dataclass(frozen=True)
class KpiValue:
    label: Any
    value: Any  # a count, or an amount of money when `money` is set
    money: bool = False
    url: str = ""
    detail: str = ""
    warn: bool = False


@dataclass(frozen=True)
class Panel:
    """A card on the dashboard or on another app's detail page.

    `context(request, obj)` returns the template's context, or None to leave the panel out;
    `obj` is the page's object (None on the dashboard).
    """

    name: str
    template: str
    permission: str
    context: Callable[[HttpRequest, Any], dict | None]
    width: str = "col-12"  # a Bootstrap column class
    order: int = 100


@dataclass(frozen=True)
class DetailAction:
    """A button another app adds to a detail page's header (e.g. "New order" on a customer)."""

    label: Any
    permission: str
    url: Callable[[Any], str]
    icon: str = ""
    shown: Callable[[Any], bool] = lambda obj: True
    order: int = 100


@dataclass(frozen=True)
class SearchHit:
    label: str
    detail: str
    url: str
    exact: bool = False


@dataclass(frozen=True)
class SearchProvider:
    """One group of the header search's results: `search(user, query)` returns at most ~20
    hits, only of what the user may see."""

    title: Any
    permission: str
    search: Callable[[AnyUser, str], Iterable[SearchHit]]
    order: int = 100


@dataclass(frozen=True)
class Seeder:
    """Demo data of one app; `run(context)` must be idempotent. Runs after `depends_on`, or
    with `last`, after every seeder that is not (demo rows the others must not see: the
    orders of a demo import would change which invoices billing's demo pays)."""

    name: str
    run: Callable[[Any], None]
    depends_on: tuple[str, ...] = ()
    last: bool = False


@dataclass(frozen=True)
class MessageText:
    """One language's default wording of a customer message: an e-mail subject and text, and
    a short SMS text. Django template language over the event's variables."""

    subject: str
    body: str
    sms: str = ""


@dataclass(frozen=True)
class MessageEvent:
    """Something customers hear about ("order.confirmed"), sent with `oms.messaging.notify`.

    `essential` messages (a pickup code, a payment due) reach customers who opted out of the
    others. `defaults` holds the wording per language code of settings.LANGUAGES (every one
    of them); staff may edit it afterwards. `variables` names what the context carries, with a
    description staff read beside the template, and `sample` is a context for the preview.
    """

    code: str
    label: Any  # a lazy translation
    essential: bool
    defaults: dict[str, MessageText]
    variables: dict[str, Any] = field(default_factory=dict)
    sample: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CodedText:
    """The words of one stored code: a timeline note, an approval reason, an audit action.

    Rows keep a code with parameters (`oms.texts.coded`); the words are found here when a page
    or an export is made, in the reader's language. `words` is a lazy translation with a
    `%(name)s` placeholder per parameter; `params` says how a parameter is formatted for the
    reader's locale ("money", "number", "date", "datetime", "list", "role", or a callable),
    others are shown as stored; `fallback` is worded instead when a parameter is missing (rows
    converted from older texts); `render(params)` words what placeholders cannot (a list of
    changes).
    """

    words: Any = ""
    params: Mapping[str, str | Callable[[Any], str]] = field(default_factory=dict)
    fallback: Any = None
    render: Callable[[Mapping[str, Any]], str] | None = None


@dataclass(frozen=True)
class PublicSection:
    """A section of the customer's order page (/track/<token>/) that an app adds.

    `context(order, request)` returns the template's context for that one order (the token's
    order, and nothing the token does not grant), or None to leave the section out. The page
    includes `template` with that context as `section`. Sections come in `order`; `column` is
    "main" (under the status and parcels) or "aside" (beside them on a wide screen). The order
    numbers in use: 100 payment and documents (billing), 200 returns (after-sales), 300 the
    customer's rating (after-sales).
    """

    key: str
    order: int
    template: str
    context: Callable[[Any, HttpRequest], dict | None]
    column: str = "main"
    # Shown at the top of the page after the section's form was sent (?saved=<key>).
    saved_message: Any = ""


# The family of audit-log action codes ("customer.update"), each worded as a label.
AUDIT_ACTIONS = "audit_action"


@dataclass
class Registry:
    url_modules: list[tuple[str, str]] = field(default_factory=list)
    # URL modules only machines call (a carrier's pushes), with the paths they serve: answered
    # without the browser's middleware (oms.machine).
    machine_url_modules: list[tuple[str, str, str]] = field(default_factory=list)
    beat_jobs: dict[str, BeatJob] = field(default_factory=dict)
    nav_sections: dict[str, NavSection] = field(default_factory=dict)
    nav_items: list[NavItem] = field(default_factory=list)
    role_permissions: dict[str, set[str]] = field(default_factory=dict)
    audited_models: dict[str, Any] = field(default_factory=dict)
    # Per audited model: its fields that hold money (shown with the currency in the audit log).
    audited_money_fields: dict[str, frozenset[str]] = field(default_factory=dict)
    # Per audited model: how the values of its keys that are not fields are worded.
    audited_other_values: dict[str, Callable[[Any], str]] = field(default_factory=dict)
    # Per family ("order_note", "approval_reason", AUDIT_ACTIONS): code → its words.
    texts: dict[str, dict[str, CodedText]] = field(default_factory=dict)
    kpis: list[Kpi] = field(default_factory=list)
    dashboard_panels: list[Panel] = field(default_factory=list)
    detail_panels: dict[str, list[Panel]] = field(default_factory=dict)
    detail_actions: dict[str, list[DetailAction]] = field(default_factory=dict)
    search_providers: list[SearchProvider] = field(default_factory=list)
    seeders: dict[str, Seeder] = field(default_factory=dict)
    reference_resolvers: list[tuple[str, Callable[[str], str | None]]] = field(default_factory=list)
    message_events: dict[str, MessageEvent] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    public_order_sections: dict[str, PublicSection] = field(default_factory=dict)
    # code -> maker(**args) -> (file name, content, MIME type): an e-mail's attachment, made
    # when the outbox worker sends it (the outbox row keeps only the code and its arguments).
    attachment_makers: dict[str, Callable[..., tuple[str, bytes, str]]] = field(
        default_factory=dict
    )
    # model label -> maker(obj) -> the absolute address of the object's page for its customer
    # (an order's /track/<token>/), for messages written by an app below the one that owns it.
    customer_links: dict[str, Callable[[Any], str]] = field(default_factory=dict)
    # (user, outbox queryset) -> the rows of it the user may read (sales limited to their own
    # customers): every page that lists customer messages applies each one.
    message_scopes: list[Callable[[Any, Any], Any]] = field(default_factory=list)
    # The channel API (/api/v1/, oms.api): each app's ninja Router under its prefix, and the
    # one callable that turns a bearer token into the caller (orders' channel tokens).
    api_routers: list[tuple[str, Any]] = field(default_factory=list)
    api_authenticator: Callable[[HttpRequest, str], Any] | None = None


registry = Registry()


# --- registration: called from the apps' registrations.py ---------------------------------


def register_urls(prefix: str, module: str) -> None:
    """Mount an app's URL module (with its own app_name) under `prefix` ("" or "customers/")."""
    registry.url_modules.append((prefix, module))


def register_machine_urls(prefix: str, module: str, *, path: str) -> None:
    """Mount a URL module only machines call, serving everything under `path`
    ("/shipping/callbacks/"): its views are made with oms.machine.machine_view and answered
    from the WSGI environ without Django's request machinery, session, sign-in, CSRF or
    language work (oms.machine); such requests carry their own credential (a signature)."""
    if not (path.startswith("/") and path.endswith("/")):
        raise ValueError(f"a machine path starts and ends with a slash: {path!r}")
    registry.url_modules.append((prefix, module))
    registry.machine_url_modules.append((prefix, module, path))


def register_api_router(prefix: str, router: Any) -> None:
    """Add an app's ninja Router to the channel API (/api/v1/<prefix>)."""
    registry.api_routers.append((prefix, router))


def register_api_authenticator(authenticate: Callable[[HttpRequest, str], Any]) -> None:
    """(request, bearer token) -> the caller (with `.scopes` and `.channel_code`), or None."""
    if registry.api_authenticator is not None:
        raise ImproperlyConfigured("the API authenticator is registered twice")
    registry.api_authenticator = authenticate


def register_beat_job(name: str, task: str, schedule: Any, *, expires: int) -> None:
    registry.beat_jobs[name] = BeatJob(name, task, schedule, expires)


def register_process(
    name: str, command: Iterable[str], *, enabled: Callable[[], bool] = lambda: True
) -> None:
    """A management command `make run` keeps running beside the web server (a local carrier
    simulator), when `enabled()` is true at start; `name` labels it in runall's messages."""
    if name in {"web", "worker", "beat"} or name in registry.processes:
        raise ImproperlyConfigured(f"process {name!r} is registered twice")
    registry.processes[name] = Process(name, tuple(command), enabled)


def register_nav_section(key: str, label: Any, *, order: int) -> None:
    """One app declares a section once; a second, different declaration is a mistake that
    would silently move the section (the last import would win)."""
    section = NavSection(key, label, order)
    known = registry.nav_sections.get(key)
    if known is not None and known != section:
        raise ImproperlyConfigured(f"Sidebar section {key!r} is declared twice, differently.")
    registry.nav_sections[key] = section


def register_nav_item(
    section: str, label: Any, url_name: str, permission: str, icon: str, *, order: int = 100
) -> None:
    registry.nav_items.append(NavItem(section, label, url_name, permission, icon, order))


def grant(role: str, permissions: Iterable[str]) -> None:
    """Give a role permissions ("app_label.codename"). The role must be in oms.roles.ROLES."""
    from oms.roles import ROLES

    if role not in ROLES:
        raise ImproperlyConfigured(f"unknown role {role!r}: add it to oms/roles.py")
    registry.role_permissions.setdefault(role, set()).update(permissions)


def grant_many(grants: dict[str, Iterable[str]]) -> None:
    for role, permissions in grants.items():
        grant(role, permissions)


def register_audited_model(
    label: str,
    verbose_name: Any,
    *,
    money: Iterable[str] = (),
    other_values: Callable[[Any], str] | None = None,
) -> None:
    """`label` is "app_label.modelname", as AuditLog.object_type stores it; `money` names the
    fields that hold amounts of money (the audit log shows them with the currency);
    `other_values` words the values of changes keyed by something other than a field (a price
    list's prices per SKU)."""
    registry.audited_models[label] = verbose_name
    registry.audited_money_fields[label] = frozenset(money)
    if other_values is not None:
        registry.audited_other_values[label] = other_values


def register_texts(family: str, texts: Mapping[str, CodedText | Any]) -> None:
    """The words of an app's codes in one family; a bare lazy translation is a text without
    parameters. Shipping's or billing's timeline notes register their own family the same way.
    A code registered twice in a family is a mistake and fails at start-up."""
    known = registry.texts.setdefault(family, {})
    for code, text in texts.items():
        if code in known:
            raise ImproperlyConfigured(f"text {family}/{code} is registered twice")
        known[code] = text if isinstance(text, CodedText) else CodedText(text)


def register_audit_actions(labels: Mapping[str, Any]) -> None:
    """Labels for the audit-log action codes an app writes ("customer.update": "Customer
    changed"); every code passed to `audit_record` or `model_save` needs one."""
    register_texts(AUDIT_ACTIONS, labels)


def register_kpi(kpi: Kpi) -> None:
    registry.kpis.append(kpi)


def register_dashboard_panel(panel: Panel) -> None:
    registry.dashboard_panels.append(panel)


def register_detail_panel(model_label: str, panel: Panel) -> None:
    registry.detail_panels.setdefault(model_label, []).append(panel)


def register_detail_action(model_label: str, action: DetailAction) -> None:
    registry.detail_actions.setdefault(model_label, []).append(action)


def register_search(provider: SearchProvider) -> None:
    registry.search_providers.append(provider)


def register_seeder(seeder: Seeder) -> None:
    registry.seeders[seeder.name] = seeder


def register_reference_resolver(prefix: str, resolve: Callable[[str], str | None]) -> None:
    """`resolve(reference)` returns the URL of the document a reference starting with
    `prefix` names, or None."""
    registry.reference_resolvers.append((prefix, resolve))


def register_attachment_maker(code: str, maker: Callable[..., tuple[str, bytes, str]]) -> None:
    """What an outbox e-mail may attach: `notify(..., attachments=[(code, {args})])` stores the
    code and its JSON arguments; the worker calls `maker(**args)` -> (name, bytes, MIME type)
    when it sends, so a PDF is rendered once, outside the business transaction."""
    if code in registry.attachment_makers:
        raise ImproperlyConfigured(f"attachment maker {code!r} is registered twice")
    registry.attachment_makers[code] = maker


def register_customer_link(model_label: str, maker: Callable[[Any], str]) -> None:
    """How to make the customer's link to an object ("orders.order": shipping's order page),
    so an app that cannot import the page's app still puts the link in its messages."""
    if model_label in registry.customer_links:
        raise ImproperlyConfigured(f"customer link for {model_label!r} is registered twice")
    registry.customer_links[model_label] = maker


def register_message_scope(scope: Callable[[AnyUser, Any], Any]) -> None:
    """`scope(user, outbox_rows)` returns the rows the user may read: the app that decides
    whom a user may see (customers) limits what customers were told accordingly."""
    registry.message_scopes.append(scope)


def register_message_event(event: MessageEvent) -> None:
    """An event customers hear about, with its default wording in every language."""
    from django.conf import settings

    missing = {code for code, _name in settings.LANGUAGES} - event.defaults.keys()
    if missing:
        raise ImproperlyConfigured(f"message event {event.code!r} has no text in {sorted(missing)}")
    if event.code in registry.message_events:
        raise ImproperlyConfigured(f"message event {event.code!r} is registered twice")
    registry.message_events[event.code] = event


def register_secret_path(prefix: str) -> None:
    """A URL prefix whose next path segment is a secret (a customer's link: "/track/"): it is
    redacted in every log line (oms.logredact)."""
    from oms.logredact import add_secret_prefix

    add_secret_prefix(prefix)


def register_public_order_section(section: PublicSection) -> None:
    """A section of the customer's order page (billing's payment and invoices, after-sales'
    return link and rating): the page, in shipping, renders it without importing the app."""
    if section.column not in {"main", "aside"}:
        raise ImproperlyConfigured(f"public section {section.key!r}: column must be main or aside")
    if section.key in registry.public_order_sections:
        raise ImproperlyConfigured(f"public section {section.key!r} is registered twice")
    registry.public_order_sections[section.key] = section


# --- reading: used by the kernel's pages, commands and settings ----------------------------


def role_permissions(role: str) -> frozenset[str]:
    return frozenset(registry.role_permissions.get(role, ()))


def all_role_permissions() -> set[str]:
    return set().union(*registry.role_permissions.values())


def beat_schedule() -> dict[str, dict]:
    return {
        job.name: {"task": job.task, "schedule": job.schedule, "options": {"expires": job.expires}}
        for job in registry.beat_jobs.values()
    }


def public_order_sections() -> list[PublicSection]:
    """The customer's order page's sections, in their order."""
    return sorted(registry.public_order_sections.values(), key=lambda s: (s.order, s.key))


def processes_to_run() -> list[Process]:
    return [process for process in registry.processes.values() if process.enabled()]


def navigation_for(user: AnyUser) -> list[dict]:
    """The sidebar: sections in order, each with the entries the user may open."""
    if not user.is_authenticated:
        return []
    sections = []
    for section in sorted(registry.nav_sections.values(), key=lambda s: s.order):
        items = sorted(
            (i for i in registry.nav_items if i.section == section.key), key=lambda i: i.order
        )
        visible = [
            {"label": i.label, "url": reverse(i.url_name), "icon": i.icon, "url_name": i.url_name}
            for i in items
            if user.has_perm(i.permission)
        ]
        if visible:
            sections.append({"title": section.label, "items": visible})
    return sections


def audited_model_choices() -> list[tuple[str, Any]]:
    return sorted(registry.audited_models.items())


def audit_action_choices() -> list[tuple[str, str]]:
    """The audit actions with their labels in the active language, sorted by label."""
    labels = registry.texts.get(AUDIT_ACTIONS, {})
    return sorted(((code, str(text.words)) for code, text in labels.items()), key=lambda c: c[1])


def detail_actions_for(user: AnyUser, obj: Model) -> list[dict]:
    actions = registry.detail_actions.get(obj._meta.label_lower, ())
    return [
        {"label": a.label, "url": a.url(obj), "icon": a.icon}
        for a in sorted(actions, key=lambda a: a.order)
        if user.has_perm(a.permission) and a.shown(obj)
    ]


def search_everything(user: AnyUser, query: str) -> list[dict]:
    """The header search: one group per provider the user may use."""
    if not query:
        return []
    return [
        {"title": provider.title, "hits": list(provider.search(user, query))}
        for provider in sorted(registry.search_providers, key=lambda p: p.order)
        if user.has_perm(provider.permission)
    ]


def seeders_in_order() -> list[Seeder]:
    """Every seeder after the ones it depends on (a depth-first topological order)."""
    ordered: list[Seeder] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise ImproperlyConfigured(f"seeders depend on each other: {' → '.join(chain)}")
        if name not in registry.seeders:
            raise ImproperlyConfigured(
                f"seeder {chain[-2]!r} needs {name!r}, which nobody registers"
            )
        state[name] = "visiting"
        for dependency in registry.seeders[name].depends_on:
            visit(dependency, (*chain, dependency))
        state[name] = "done"
        ordered.append(registry.seeders[name])

    for last in (False, True):
        for name, seeder in registry.seeders.items():
            if seeder.last == last:
                visit(name, (name,))
    return ordered


def message_event(code: str) -> MessageEvent:
    """The registered event; an unknown code is a programming error (LookupError)."""
    try:
        return registry.message_events[code]
    except KeyError:
        raise LookupError(f"no app registers the message event {code!r}") from None


def customer_link(obj: Model) -> str:
    """The customer's link to `obj` by the app that registered one, or "" when none did."""
    maker = registry.customer_links.get(obj._meta.label_lower)
    return maker(obj) if maker is not None else ""


def message_event_choices() -> list[tuple[str, str]]:
    return sorted(
        ((event.code, str(event.label)) for event in registry.message_events.values()),
        key=lambda choice: choice[1],
    )


def resolve_reference(reference: str) -> str | None:
    """The URL of the document a reference names (an order number on a ledger row), if any."""
    for prefix, resolve in registry.reference_resolvers:
        if reference.startswith(prefix):
            try:
                url = resolve(reference)
            except NoReverseMatch:
                url = None
            if url:
                return url
    return None
