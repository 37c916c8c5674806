from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


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


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the user name's length checked on the server too: Django
    sets `max_length` after the field is built (so only the browser checks it), and an
    overlong name would reach authentication and the throttle's records."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
