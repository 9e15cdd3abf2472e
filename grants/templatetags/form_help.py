"""Template helpers for forms: the error summary's links to each field in error."""

from dataclasses import dataclass

from django import forms, template
from django.utils.translation import gettext as _

register = template.Library()


@dataclass
class SummaryItem:
    href: str
    text: str


def field_anchor(bound_field) -> str:
    """The id a link to this field should lead to: the input itself, the first of a group of
    radio buttons, or a group of checkboxes as a whole (its container carries the field's id)."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return bound_field.auto_id
    if bound_field.use_fieldset:
        return f"{bound_field.auto_id}_0"
    return bound_field.id_for_label or bound_field.auto_id


def _form_items(form, prefix: str = "") -> list[SummaryItem]:
    items = []
    for error in form.non_field_errors():
        items.append(SummaryItem("", f"{prefix}{error}"))
    for name in form.fields:  # in the order the fields are shown
        if name not in form.errors:
            continue
        bound = form[name]
        if bound.is_hidden:
            items.extend(SummaryItem("", f"{prefix}{error}") for error in bound.errors)
            continue
        for error in bound.errors:
            items.append(SummaryItem(f"#{field_anchor(bound)}", f"{prefix}{bound.label}: {error}"))
    return items


@register.simple_tag
def error_summary_items(form, row_label: str = "") -> list[SummaryItem]:
    """Every error of a form or formset, each with a link to its field (none for errors of the
    whole form). A formset's rows are named "<row_label> <n>"."""
    if form is None or form == "":
        return []
    if isinstance(form, forms.BaseFormSet):
        items = [SummaryItem("", str(error)) for error in form.non_form_errors()]
        for number, row in enumerate(form.forms, start=1):
            if row.errors:
                name = row_label or _("Row")
                items.extend(_form_items(row, prefix=f"{name} {number}, "))
        return items
    return _form_items(form)
