"""Every text field of the accounts forms is length-limited (and refuses, never truncates, longer input)."""

from __future__ import annotations

import inspect

from django import forms

from broadsheet.accounts.forms import profile, signin, users


def _form_classes():
    for module in (signin, profile, users):
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.Form) and value.__module__ == module.__name__:
                yield value


def test_every_char_field_has_a_max_length():
    classes = list(_form_classes())
    assert len(classes) >= 9
    for form_class in classes:
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.CharField):
                assert field.max_length, f"{form_class.__name__}.{name}"
                assert any(getattr(v, "limit_value", None) == field.max_length for v in field.validators), name


def test_fields_without_characters_are_choices():
    """The remaining fields take one of a fixed list of values."""
    for form_class in _form_classes():
        for name, field in form_class.base_fields.items():
            assert isinstance(field, (forms.CharField, forms.ChoiceField)), f"{form_class.__name__}.{name}"
