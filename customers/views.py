from functools import partial

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers import selectors, services
from customers.filters import CustomerFilterSet
from customers.forms import (
    AddressForm,
    CustomerCreditForm,
    CustomerForm,
    CustomerNoteForm,
    FirstAddressForm,
    TierThresholdForm,
)
from customers.tables import CustomerTable
from oms.generic import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    get_object_or_404,
)


class CustomerListView(ObjectListView):
    permission_required = "customers.view_customer"
    filterset_class = CustomerFilterSet
    table_class = CustomerTable
    title = gettext_lazy("Customers")
    export_name = "customers"
    actions = [
        (gettext_lazy("New customer"), "customers:create", "customers.add_customer", "person-plus")
    ]

    def get_queryset(self):
        return selectors.customer_list(self.request.user)


class CustomerInUrlMixin:
    """The customer of the URL's `pk`, when this user may see it (sales see their own)."""

    def lookup(self, pk):
        return selectors.customer_detail(pk, self.request.user)


class CustomerDetailView(CustomerInUrlMixin, ObjectDetailView):
    permission_required = "customers.view_customer"
    template_name = "customers/customer_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tier_changes"] = selectors.customer_tier_changes(context["object"].pk)
        context["contact_notes"] = selectors.customer_notes(context["object"].pk)
        if self.request.user.has_perm("customers.change_customer"):
            context["note_form"] = CustomerNoteForm()
        return context


class CustomerNoteAddView(CustomerInUrlMixin, ObjectActionView):
    """POST only: a contact note on the customer, then back to its notes."""

    permission_required = "customers.change_customer"

    def perform(self, request, **kwargs):
        customer = get_object_or_404(self.lookup, kwargs["pk"])
        form = CustomerNoteForm(data=request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.customer_note_add(
            actor=request.user, customer=customer, text=form.cleaned_data["text"]
        )
        return _("Note saved.")

    def get_redirect_url(self, request, **kwargs):
        return reverse("customers:detail", args=[kwargs["pk"]]) + "#contact-notes"


class TierThresholdsView(ObjectEditView):
    """Managers set where each tier starts; customers move at once (and nightly after)."""

    permission_required = "customers.change_tierthreshold"
    form_class = TierThresholdForm
    template_name = "customers/tier_thresholds.html"
    title = gettext_lazy("Customer tiers")

    def get_form_kwargs(self):
        return {"initial": selectors.tier_thresholds()}

    def get_extra_context(self):
        return {"tier_counts": selectors.tier_counts()}

    def get_cancel_url(self):
        return reverse("customers:list")

    def save(self, form):
        services.tier_thresholds_set(actor=self.request.user, data=form.cleaned_data)
        return _("Customer tiers")

    def success_message(self, obj):
        return _("Tier thresholds saved; customers were moved to their new tiers.")

    def get_success_url(self, obj):
        return reverse("customers:tiers")


class CustomerCreateView(ObjectEditView):
    permission_required = "customers.add_customer"
    form_class = CustomerForm
    template_name = "customers/customer_form.html"
    title = gettext_lazy("New customer")
    submit_label = gettext_lazy("Create customer")

    list_url_name = "customers:list"

    address_form = None

    def get_extra_context(self):
        return {"address_form": self.address_form or FirstAddressForm()}

    def post(self, request, *args, **kwargs):
        self.address_form = FirstAddressForm(data=request.POST)
        if self.address_form.is_valid() or self.already_saved_url():
            return super().post(request, *args, **kwargs)
        self.object = None
        form = self.form_class(data=request.POST, **self.get_form_kwargs())
        form.is_valid()  # show this form's errors too
        return self.render_form(form, status=422)

    def save(self, form):
        address = self.address_form.cleaned_data if self.address_form.has_address() else None
        return services.customer_create(
            actor=self.request.user, data=form.cleaned_data, address=address
        )

    def success_message(self, customer):
        return _("Created customer %(customer)s.") % {"customer": customer}


class CustomerEditView(CustomerInUrlMixin, ObjectEditView):
    permission_required = "customers.change_customer"
    form_class = CustomerForm
    title = gettext_lazy("Edit customer")

    service = staticmethod(services.customer_update)
    service_object = "customer"


class CustomerCreditView(CustomerEditView):
    """Credit limit, payment terms and credit hold: finance's, audited like every change."""

    permission_required = "customers.change_credit"
    form_class = CustomerCreditForm
    title = gettext_lazy("Credit terms")


class AddressEditView(CustomerInUrlMixin, ObjectEditView):
    permission_required = "customers.change_customer"
    form_class = AddressForm

    def get_object(self):
        self.customer = get_object_or_404(self.lookup, self.kwargs["pk"])
        if "address_pk" not in self.kwargs:
            return None
        return get_object_or_404(
            partial(selectors.customer_address, self.customer), self.kwargs["address_pk"]
        )

    @property
    def title(self):
        return _("Edit address") if self.kwargs.get("address_pk") else _("New address")

    def get_cancel_url(self):
        return self.customer.get_absolute_url()

    def get_success_url(self, obj):
        return self.customer.get_absolute_url()

    def save(self, form):
        return services.address_save(
            actor=self.request.user,
            customer=self.customer,
            address=self.object,
            data=form.cleaned_data,
        )
