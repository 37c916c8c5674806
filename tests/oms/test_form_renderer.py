"""The form renderer's Python widgets make the HTML that Django's widget templates make."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe

from oms.forms import FastWidgetRenderer
from tests.oms.test_export_jobs import LIST_PAGES
from tests.oms.test_roles_matrix import our_url_patterns
from tests.security.test_exports import hostile_data  # noqa: F401

VIEWS = dict(our_url_patterns())
FAST, DJANGO = FastWidgetRenderer(), DjangoTemplates()
HOSTILE = '"><script>alert(1)</script>&amp;'


def both(form: forms.BaseForm) -> list[tuple[str, str]]:
    """Each field as FastWidgetRenderer and as Django's templates render it."""
    pairs = []
    for name in form.fields:
        form.renderer = FAST
        fast = form[name].as_widget()
        form.renderer = DJANGO
        pairs.append((fast, form[name].as_widget()))
    return pairs


def test_the_project_renders_forms_with_it():
    assert type(forms.Form().renderer) is FastWidgetRenderer
    assert set(FAST.fast) >= {
        "django/forms/widgets/text.html",
        "django/forms/widgets/checkbox.html",
        "django/forms/widgets/select.html",
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("bound", [False, True])
@pytest.mark.parametrize("name", LIST_PAGES)
def test_every_list_filter_form_renders_as_django_does(
    name,
    bound,
    language,
    hostile_data,  # noqa: F811
    admin_user,
):
    view_class = VIEWS[name]
    if view_class.filterset_class is None:
        pytest.skip("no filters")
    with translation.override(language):
        request = RequestFactory().get("/")
        request.user = admin_user
        filterset_class = view_class.filterset_class
        data = None
        if bound:
            fields = filterset_class.base_filters
            data = {field: HOSTILE for field in fields} | {"on_hold": "true", "is_active": "false"}
        view = view_class()
        view.setup(request)  # list querysets read the user's scope
        form = filterset_class(data, queryset=view.get_queryset(), request=request).form
        pairs = both(form)
    assert pairs, "no fields compared"
    for fast, django in pairs:
        assert fast == django


class Everything(forms.Form):
    text = forms.CharField(initial=HOSTILE, widget=forms.TextInput(attrs={"data-x": HOSTILE}))
    safe = forms.CharField(initial=mark_safe("<b>safe</b>"))
    number = forms.DecimalField(initial=12.5, widget=forms.NumberInput(attrs={"step": 0.5}))
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    hidden = forms.CharField(widget=forms.HiddenInput, initial=(1, 2))
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="pw")
    flag = forms.BooleanField(initial=True, widget=forms.CheckboxInput(attrs={"disabled": True}))
    off = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"hidden": False}))
    choice = forms.ChoiceField(
        choices=[("", "---"), ("a", HOSTILE), ("Group <1>", [("b", "B"), ("c", "C")]), (3, 3)],
        initial="c",
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y"), ("z", "Z")])
    maybe = forms.NullBooleanField(initial=False)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("data", [None, {"many": ["x", "z"], "choice": "a", "text": "<i>"}])
def test_inputs_selects_and_options_render_as_django_does(language, data):
    with translation.override(language):
        form = Everything(data)
        pairs = both(form)
    assert len(pairs) == len(Everything.base_fields)
    for fast, django in pairs:
        assert fast == django
