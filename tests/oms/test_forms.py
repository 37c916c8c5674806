"""The shared form mixin never validates a form before its subclass has finished building it."""

from django import forms

from oms.forms import BootstrapFormMixin


class LateLimits(BootstrapFormMixin, forms.Form):
    choice = forms.ChoiceField(choices=[])
    note = forms.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [("a", "A")]  # set after the mixin ran
        self.fields["note"].required = False


def test_a_choice_set_after_the_mixin_is_accepted():
    form = LateLimits(data={"choice": "a"})
    assert form.is_valid(), form.errors


def test_invalid_fields_are_still_marked():
    form = LateLimits(data={"choice": "z"})
    assert not form.is_valid()
    assert "is-invalid" in form.fields["choice"].widget.attrs["class"]
    assert "is-invalid" not in form.fields["note"].widget.attrs["class"]
