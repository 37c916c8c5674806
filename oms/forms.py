import html
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeData
from django.utils.translation import gettext_lazy as _

from oms.tables import cell_html


class BootstrapFormMixin:
    """Give every widget Bootstrap's classes and mark invalid fields.

    Never reads `self.errors` while the form is being built: that would validate it before
    the subclass's own __init__ has set querysets, limits or `required` flags. Invalid fields
    are marked when the form is validated (full_clean).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.SelectMultiple):
                css = "form-select"
                widget.attrs.setdefault("size", 4)
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        if self.is_bound:
            for name in self.errors:
                if name in self.fields:
                    widget = self.fields[name].widget
                    if "is-invalid" not in widget.attrs.get("class", ""):
                        widget.attrs["class"] = (
                            f"{widget.attrs.get('class', '')} is-invalid".strip()
                        )


class FieldRightsFormMixin:
    """Fields the user's role may not change are shown read-only (a disabled field keeps its
    stored value whatever is posted); the service checks the same rights again."""

    field_permissions: dict[str, str] = {}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None:
            return
        for name, permission in self.field_permissions.items():
            if name in self.fields and not user.has_perm(permission):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Read-only for your role.")


class TagsField(forms.CharField):
    """Comma-separated tags (English or Chinese commas) as a list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Separate tags with commas."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        tags = [t.strip() for t in value.replace("，", ",").split(",") if t.strip()]
        for tag in tags:
            if len(tag) > 30:
                raise forms.ValidationError(_("Each tag may have at most 30 characters."))
        return list(dict.fromkeys(tags))


class QuantityField(forms.IntegerField):
    def __init__(self, *, allow_negative=False, **kwargs):
        kwargs.setdefault("label", _("Quantity"))
        kwargs.setdefault("max_value", 10_000_000)
        if not allow_negative:
            kwargs.setdefault("min_value", 1)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("Enter a whole number."),
                "min_value": _("Enter a quantity of at least %(limit_value)s."),
                "max_value": _("Enter a quantity of at most %(limit_value)s."),
            },
        )
        super().__init__(**kwargs)


def date_input() -> forms.DateInput:
    """The browser's date picker. It only reads ISO dates, whatever the user's language."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


# Django's own widget templates that FastWidgetRenderer writes in Python: the inputs (each
# includes input.html), the select and its options.
DJANGO_WIDGETS = Path(forms.__file__).parent / "templates" / "django" / "forms" / "widgets"
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "tel",
        "search",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
    )
)
ATTRS_TEMPLATE = "django/forms/widgets/attrs.html"
INPUT_TEMPLATE = "django/forms/widgets/input.html"
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: the text, escaped unless it is already safe."""
    text = str(value)  # what "%s" % value makes, a tuple included
    return text if isinstance(value, SafeData) else html.escape(text)


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        ""
        if value is False
        else f" {cell_html(name)}"
        if value is True
        else f' {cell_html(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
    )


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html"""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return (
        f'<input type="{cell_html(widget["type"])}" name="{cell_html(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


class FastWidgetRenderer(DjangoTemplates):
    """Django's form renderer, with the input, select and option templates written in Python:
    a filter form's selects include the option template once per choice, which made the
    filter form a fifth of a list page's time. The HTML is the same, character for character
    (tests/oms/test_form_renderer.py); a template that an app overrides is rendered by it."""

    def __init__(self) -> None:
        super().__init__()
        self.fast: dict[str, Any] = {}
        if not self._own(ATTRS_TEMPLATE):
            return
        if self._own(INPUT_TEMPLATE):
            self.fast.update({name: _input for name in INPUT_TEMPLATES if self._own(name)})
        if self._own(SELECT_TEMPLATE) and self._own(OPTION_TEMPLATE):
            self.fast[SELECT_TEMPLATE] = self._select

    def _own(self, template_name: str) -> bool:
        """Whether the template is Django's own (no app overrides it)."""
        return Path(self.get_template(template_name).origin.name).parent == DJANGO_WIDGETS

    def render(self, template_name, context, request=None):
        fast = self.fast.get(template_name)
        if fast is None or set(context) != {"widget"}:
            return super().render(template_name, context, request)
        return fast(context["widget"])

    def _option(self, option: dict[str, Any]) -> str:
        if option["template_name"] != OPTION_TEMPLATE:
            return self.get_template(option["template_name"]).render({"widget": option})
        return (
            f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
            f"{cell_html(option['label'])}</option>\n"
        )

    def _select(self, widget: dict[str, Any]) -> str:
        """django/forms/widgets/select.html"""
        parts = [f'<select name="{cell_html(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{cell_html(group_name)}">')
            parts.extend(f"\n  {self._option(option)}" for option in group_choices)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the user name's length checked on the server too: Django
    sets `max_length` after the field is built (so only the browser checks it), and an
    overlong name would reach authentication and the throttle's records."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
