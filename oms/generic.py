"""Generic back-office views: every list, detail, edit and action page is a few lines on these.

Each view declares `permission_required`; anonymous users go to the login page and signed-in
users without the permission get a 403 page. Nothing is open by default.
"""

import uuid
from copy import copy
from datetime import datetime
from types import ModuleType
from typing import Any, cast

import django_tables2 as tables
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.paginator import EmptyPage
from django.forms import BaseForm, BaseModelForm
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from oms import dashboard, registry
from oms.documents import pdf_response, render_pdf
from oms.errors import ServiceError
from oms.exports import csv_chunks, export_plan, is_large
from oms.forms import FieldRightsFormMixin
from oms.models import SubmittedForm
from oms.services import export_job_start, form_submit_once
from oms.types import User


class RequirePermissionMixin(PermissionRequiredMixin):
    """Deny by default: a view that forgets `permission_required` refuses to run."""

    permission_required: str | None = None

    def get_permission_required(self):
        if not self.permission_required:
            raise ImproperlyConfigured(f"{type(self).__name__} must declare permission_required")
        return (self.permission_required,)


MAX_PER_PAGE = 500
MAX_PAGE = 100_000  # beyond this, use filters


def int_param(request, name: str, default: int, *, low: int, high: int) -> int:
    """A whole-number query parameter clamped to [low, high]; anything malformed is the default."""
    raw = request.GET.get(name, "")
    if not raw.isascii() or not raw.strip().lstrip("-").isdigit():
        return default
    return min(max(int(raw), low), high)


class ObjectListView(RequirePermissionMixin, View):
    """A FilterSet + a Table: filters, free-text search, sorting, CSV export, lazy pages."""

    filterset_class = None
    table_class: type[tables.Table]
    template_name = "oms/object_list.html"
    title = ""
    export_name = "export"
    actions: list[tuple[str, str, str, str]] = []  # (label, url name, permission, icon)

    def get_queryset(self):
        raise NotImplementedError

    def get_summary(self, queryset) -> str:
        return ""

    def get_extra_context(self) -> dict[str, Any]:
        """More for the page's template (a list page with a template of its own)."""
        return {}

    def filters_query(self) -> str:
        """This page's filters as a query string, without paging or export: what a batch
        form posts to act on "every row matching the filters"."""
        filters = self.request.GET.copy()
        for name in ("page", "per_page", "export"):
            filters.pop(name, None)
        return filters.urlencode()

    @classmethod
    def rows_matching(cls, request, filters: str) -> Any:
        """The queryset the list shows this user with these filters (a query string)."""
        list_request = copy(request)
        list_request.method = "GET"
        list_request.GET = QueryDict(filters)
        view = cls()
        view.setup(list_request)
        return view.filter_queryset(list_request)[1]

    def filter_queryset(self, request) -> tuple[Any, Any]:
        """The list's FilterSet (or None) and the queryset its filters leave."""
        filterset = None
        queryset = self.get_queryset()
        if self.filterset_class is not None:
            filterset = self.filterset_class(
                request.GET or None, queryset=queryset, request=request
            )
            queryset = filterset.qs if filterset.is_bound else filterset.queryset
            if filterset.is_bound and not filterset.is_valid():
                queryset = queryset.none()
        return filterset, queryset

    def page_table(self, queryset) -> tables.Table:
        """The page's table (an export's is `export_table`): a list may hide a column here
        that its filters make the same on every row."""
        return self.table_class(queryset)

    def export_table(self, request) -> tables.Table:
        """The table an export writes: the request's filters and sorting, every row. An export
        job rebuilds it in the worker from the stored query string."""
        _filterset, queryset = self.filter_queryset(request)
        table = self.table_class(queryset)
        RequestConfig(request, paginate=False).configure(table)
        return table

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            return self.export_csv(self.export_table(request))
        filterset, queryset = self.filter_queryset(request)
        # No request= here: django-tables2 would then paginate with a COUNT(*) of its own.
        table = self.page_table(queryset)
        # Sorting from the request; the page and its size are read here, within bounds, so a
        # malformed or huge ?page= or ?per_page= never reaches the database.
        RequestConfig(request, paginate=False).configure(table)
        per_page = self.per_page(request)
        try:
            table.paginate(
                paginator_class=LazyPaginator,
                per_page=per_page,
                page=int_param(request, "page", 1, low=1, high=MAX_PAGE),
            )
        except EmptyPage:  # past the last page: show the first
            table.paginate(paginator_class=LazyPaginator, per_page=per_page, page=1)
        context = {
            "title": self.title,
            "filterset": filterset,
            "table": table,
            "chips": active_filter_chips(filterset, request),
            "summary": self.get_summary(queryset),
            "actions": [a for a in self.actions if request.user.has_perm(a[2])],
            "export_url": _with_param(request, "export", "csv"),
            **self.get_extra_context(),
        }
        template = "oms/includes/table_block.html" if request.htmx else self.template_name
        return render(request, template, context)

    def per_page(self, request) -> int:
        return int_param(request, "per_page", settings.OMS_LIST_PAGE_SIZE, low=1, high=MAX_PER_PAGE)

    def post(self, request, *args, **kwargs):
        """A list takes one POST: starting a big export (the form on the page export_csv
        shows). The filters and sorting are in the URL's query string, as for the page."""
        if request.GET.get("export") != "csv":
            return self.http_method_not_allowed(request, *args, **kwargs)
        return self.start_export_job()

    def export_csv(self, table) -> HttpResponseBase:
        """Stream a page-worth of rows at once. A bigger export becomes a job for a worker:
        this GET writes nothing and shows a page whose button (a POST) starts the job; the
        user then goes to its progress page."""
        queryset = table.data.data
        if is_large(queryset):
            return render(
                self.request,
                "oms/export_start.html",
                {
                    "title": self.title,
                    "action": self.request.get_full_path(),
                    "list_url": _with_param(self.request, "export", None),
                    "limit": settings.OMS_EXPORT_INLINE_MAX_ROWS,
                },
            )
        # The plan (headers, choice labels) is made now, in the request's language.
        response = StreamingHttpResponse(
            csv_chunks(export_plan(table, queryset), queryset),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = content_disposition_header(
            True, export_file_name(self.export_name)
        )
        return response

    def start_export_job(self) -> HttpResponse:
        request = self.request
        query = request.GET.copy()
        for name in ("export", "page", "per_page"):
            query.pop(name, None)
        try:
            job = export_job_start(
                user=cast(User, request.user),  # a list view lets no anonymous user in
                path=request.path_info,
                list_name=request.resolver_match.view_name if request.resolver_match else "",
                query_string=query.urlencode(),
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(_with_param(request, "export", None))
        return HttpResponseRedirect(reverse("file_job", args=[job.pk]))


def export_file_name(export_name: str, when: datetime | None = None) -> str:
    """ "orders-20261122-0930.csv": the list and when it was exported."""
    return f"{export_name}-{timezone.localtime(when).strftime('%Y%m%d-%H%M')}.csv"


def _with_param(request, key: str, value: str | None) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    if value is None:
        params.pop(key, None)
    else:
        params[key] = value
    encoded = params.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def active_filter_chips(filterset, request) -> list[dict[str, str]]:
    """The filters in use, each with a link that removes it."""
    if filterset is None or not filterset.is_bound or not filterset.is_valid():
        return []
    chips = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", [], ()) or name not in request.GET:
            continue
        field = filterset.form.fields[name]
        shown = value
        if hasattr(field, "choices"):
            lookup = {str(k): v for k, v in field.choices}
            values = value if isinstance(value, list | tuple) else [value]
            shown = ", ".join(str(lookup.get(str(getattr(v, "pk", v)), v)) for v in values)
        elif isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        chips.append(
            {
                "label": str(field.label),
                "value": str(shown),
                "remove_url": _with_param(request, name, None),
            }
        )
    return chips


class ObjectDetailView(RequirePermissionMixin, TemplateView):
    """One object's page: `lookup` (a selector, or `model` for a plain primary-key lookup)
    finds it by the URL's `lookup_kwarg`; a missing one is a 404."""

    lookup_kwarg = "pk"
    lookup: Any = None
    model: Any = None

    def get_object(self):
        lookup = self.lookup or model_lookup(self.model)
        return lookup(self.kwargs[self.lookup_kwarg])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        # What other apps show on this page (an orders panel on a customer, say).
        context["panels"] = dashboard.detail_panels_for(self.request, self.object)
        context["extra_actions"] = registry.detail_actions_for(self.request.user, self.object)
        return context

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object is None:
            raise Http404
        return super().get(request, *args, **kwargs)


def get_object_or_404(lookup, pk):
    """`lookup(pk)` (a selector, or a model's `objects.filter(pk=…).first`), or 404."""
    obj = lookup(pk)
    if obj is None:
        raise Http404
    return obj


def model_lookup(model):
    """A lookup for get_object_or_404: the model's row with that primary key, or None."""
    return lambda pk: model._default_manager.filter(pk=pk).first()


class DocumentView(RequirePermissionMixin, TemplateView):
    """A printed document: the on-screen print view, or with ?format=pdf the same template as
    a PDF. `lookup` (a selector) finds what it prints by the URL's `lookup_kwarg`, or a view
    overrides `get_object` (None: 404); the context names `document_number`, which names the
    file."""

    lookup_kwarg = "pk"
    lookup: Any = None

    def get_object(self):
        return self.lookup(self.kwargs[self.lookup_kwarg])

    def get_context_data(self, **kwargs):
        # The PDF link keeps what the print view was asked for (a wave's shipments, say).
        query = self.request.GET.copy()
        query["format"] = "pdf"
        return {
            **super().get_context_data(**kwargs),
            "object": self.object,
            "pdf_url": f"?{query.urlencode()}",
        }

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object is None:
            raise Http404
        if request.GET.get("format") != "pdf":
            return super().get(request, *args, **kwargs)
        context = self.get_context_data()
        pdf = render_pdf(self.get_template_names()[0], context, request)
        return pdf_response(pdf, f"{context['document_number']}.pdf")


class ObjectEditView(RequirePermissionMixin, View):
    """Show a form; on a valid POST call one service. Service errors land on the form.

    The usual edit page is declarative: `lookup` finds the object of the URL's `pk` (a
    selector; or `model` for a plain primary-key lookup; 404 when it is missing, none on a
    create page, whose URL has no `pk`), a model form gets it as its instance, and `service`
    saves as `service(actor=…, <service_object>=object, data=form.cleaned_data)`. A form with
    field rights (oms.forms.FieldRightsFormMixin) gets the user."""

    form_class: type[BaseForm]
    list_url_name = ""  # where Cancel leads when the page has no object yet
    template_name = "oms/object_edit.html"
    title = ""
    submit_label = ""
    model: Any = None
    lookup: Any = None
    service: Any = None
    service_object = ""

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        if self.lookup is not None:
            return get_object_or_404(self.lookup, self.kwargs["pk"])
        if self.model is not None:
            return get_object_or_404(model_lookup(self.model), self.kwargs["pk"])
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if issubclass(self.form_class, BaseModelForm):
            kwargs["instance"] = self.object
        if issubclass(self.form_class, FieldRightsFormMixin):
            kwargs["user"] = self.request.user  # fields the role may not change: read-only
        return kwargs

    def save(self, form):
        """Call the service; return the saved object."""
        if self.service is None:
            raise NotImplementedError
        return self.service(
            actor=self.request.user, **{self.service_object: self.object}, data=form.cleaned_data
        )

    def success_message(self, obj) -> str:
        return _("Saved %(object)s.") % {"object": obj}

    def get_success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get_cancel_url(self) -> str:
        """Back to the object, or to its list when there is no object yet."""
        obj = getattr(self, "object", None)
        if obj is not None and hasattr(obj, "get_absolute_url"):
            return obj.get_absolute_url()
        return reverse(self.list_url_name or "dashboard")

    def render_form(self, form, status=200):
        context = {
            "form": form,
            # A new form gets a fresh one-time token; a form shown again with errors keeps its own.
            "form_token": _form_token(self.request) or uuid.uuid4(),
            "object": self.object,
            "title": self.title,
            "submit_label": self.submit_label or _("Save"),
            "cancel_url": self.get_cancel_url(),
            **self.get_extra_context(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get_extra_context(self) -> dict[str, Any]:
        return {}

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_form(self.form_class(**self.get_form_kwargs()))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if (url := self.already_saved_url()) is not None:
            messages.info(request, _("This form was already sent; here is what it saved."))
            return HttpResponseRedirect(url)
        form = self.form_class(data=request.POST, **self.get_form_kwargs())
        if form.is_valid():
            try:
                obj, url = self.save_once(form)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                if obj is None:
                    messages.info(request, _("This form was already sent; here is what it saved."))
                else:
                    messages.success(request, self.success_message(obj))
                return HttpResponseRedirect(url)
        return self.render_form(form, status=422)

    def already_saved_url(self) -> str | None:
        """Where the first submit of this form led, when the form comes again (before it is
        validated: the second copy would fail as a duplicate of what the first created)."""
        token = _form_token(self.request)
        if token is None or getattr(self, "object", None) is not None:
            return None
        first = SubmittedForm.objects.filter(token=token).exclude(result_url="").first()
        return first.result_url if first else None

    def save_once(self, form) -> tuple[Any, str]:
        """Save, unless this form's token was already used (a double submit): then lead to
        what the first submit saved. Forms without a token (an edit) just save."""
        token = _form_token(self.request)
        if token is None or self.object is not None:
            obj = self.save(form)
            return obj, self.get_success_url(obj)
        return form_submit_once(
            token=token,
            user=self.request.user if self.request.user.is_authenticated else None,
            save=lambda: self.save(form),
            result_url=self.get_success_url,
        )


def _form_token(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("form_token", ""))
    except ValueError:
        return None


def apply_validation_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ObjectActionView(LoginRequiredMixin, RequirePermissionMixin, View):
    """A POST-only view that calls one service and goes back with a message."""

    http_method_names = ["post"]

    def perform(self, request, **kwargs) -> str:
        """Call the service and return the success message."""
        raise NotImplementedError

    def get_redirect_url(self, request, **kwargs) -> str:
        """Back where the user came from, but never to another site (`next` is posted by
        whoever sends the form)."""
        for url in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
            if url and url_has_allowed_host_and_scheme(
                url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                return url
        return "/"

    def post(self, request, *args, **kwargs):
        try:
            messages.success(request, self.perform(request, **kwargs))
        except (ServiceError, ValidationError) as exc:
            messages.error(
                request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            )
        return HttpResponseRedirect(self.get_redirect_url(request, **kwargs))


class ObjectSetActiveView(ObjectActionView):
    """POST only: switch an object on or off (`is_active`) through its service, then back to
    its page. One class serves both buttons: `as_view(active=True)` and `active=False`
    (object_urls mounts `<Kind>SetActiveView` at `<pk>/activate/` and `<pk>/deactivate/`)."""

    model: Any = None
    service: Any = None  # service(actor=…, <service_object>=object, active=bool)
    service_object = ""
    active = True

    def perform(self, request, **kwargs):
        obj = get_object_or_404(model_lookup(self.model), kwargs["pk"])
        self.service(actor=request.user, **{self.service_object: obj}, active=self.active)
        if self.active:
            return _("%(object)s is active again.") % {"object": obj}
        return _("%(object)s is inactive.") % {"object": obj}

    def get_redirect_url(self, request, **kwargs):
        return get_object_or_404(model_lookup(self.model), kwargs["pk"]).get_absolute_url()


# An object's usual pages: (route under the prefix, view class suffix, URL name suffix, as_view
# arguments). `object_urls` mounts those the views module has.
OBJECT_PAGES: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("", "List", "list", {}),
    ("new/", "Create", "create", {}),
    ("<int:pk>/", "Detail", "detail", {}),
    ("<int:pk>/edit/", "Edit", "edit", {}),
    ("<int:pk>/activate/", "SetActive", "activate", {"active": True}),
    ("<int:pk>/deactivate/", "SetActive", "deactivate", {"active": False}),
)


def object_urls(
    prefix: str, name: str, views: ModuleType, kind: str, *, edit_route: str = "<int:pk>/edit/"
) -> list[URLPattern]:
    """The usual pages of one kind of object, found by name in the app's views module:
    `<Kind>ListView` at `prefix`, `<Kind>CreateView` at `prefix/new/`, `<Kind>DetailView` at
    `prefix/<pk>/`, `<Kind>EditView` at `prefix/<pk>/edit/` (or `edit_route`: a kind without a
    detail page edits at `<pk>/`) and `<Kind>SetActiveView` at `prefix/<pk>/activate/` and
    `/deactivate/`, named `<name>_list`, `_create`, `_detail`, `_edit`, `_activate`,
    `_deactivate` (plain `list`, `create`, ... when `name` is empty).
    A view the module does not have is left out."""
    return [
        path(
            f"{prefix}{edit_route if suffix == 'edit' else route}",
            view.as_view(**arguments),
            name=f"{name}_{suffix}" if name else suffix,
        )
        for route, role, suffix, arguments in OBJECT_PAGES
        if (view := getattr(views, f"{kind}{role}View", None)) is not None
    ]


def action_urls(prefix: str, views: ModuleType, *names: str) -> list[URLPattern]:
    """POST-only action views of one object: `start_picking` is `<prefix>start-picking/`,
    served by `views.StartPickingView` and named `start_picking`."""
    return [
        path(
            f"{prefix}{name.replace('_', '-')}/",
            getattr(views, "".join(part.title() for part in name.split("_")) + "View").as_view(),
            name=name,
        )
        for name in names
    ]
