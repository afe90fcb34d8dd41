"""
Django values as the parameters of the GOV.UK Frontend macros.

The pages are Jinja2 templates that call the GOV.UK Design System's own macros
(govuk-frontend-jinja): govukTag, govukInput, govukRadios and so on. Each
macro takes a dictionary of parameters; these functions build those
dictionaries from our models' choices and Django's bound form fields, so a
template reads like the Design System's examples:

    {{ govukTag(status_tag(item.status)) }}
    {{ form_field(form.narrative) }}            (tracker/jinja2/includes/forms.html)

Nothing here writes markup: the macros do, and they escape every value.
"""
from functools import lru_cache

from django.forms.widgets import CheckboxInput
from django.urls import get_script_prefix, get_urlconf, reverse

from recommendations import words
from recommendations.models import (
    GRADE_COLOURS, RAG_COLOURS, STATUS_COLOURS, UPDATE_STATE_COLOURS, Item, ProgressUpdate,
)

# --- Tags -----------------------------------------------------------------------------------


def _tag(choices, colours, value, prefix="govuk-tag--"):
    """govukTag parameters for a stored choice: its label in its colour; grey with the stored
    value itself for a value the choices do not know."""
    try:
        choice = choices("" if value is None else value)
    except ValueError:
        return {"text": value, "classes": "govuk-tag--grey"}
    return {"text": choice.label, "classes": f"{prefix}{colours[choice]}"}


def status_tag(value):
    return _tag(Item.Status, STATUS_COLOURS, value)


def grade_tag(value):
    return _tag(Item.Grade, GRADE_COLOURS, value)


def update_state_tag(value):
    return _tag(ProgressUpdate.State, UPDATE_STATE_COLOURS, value)


def rag_tag(value):
    """RAG ratings keep their own classes (tracker-rag--red...) and always show their text, never colour alone."""
    return _tag(Item.Rag, RAG_COLOURS, value, prefix="tracker-rag tracker-rag--")


def term_tag(key):
    """A defined word (words.TERMS) as its own tag: "Past target date" and "Update overdue" never look alike."""
    term = words.TERMS[key]
    return {"text": term.name, "classes": f"govuk-tag--{term.tag_colour}"}


# --- Service navigation ---------------------------------------------------------------------


def address(url_name):
    """The address of a page that takes no arguments, worked out once per process: every
    page's layout links to the same dozen pages, and reverse() for them was a quarter of a
    plain page's time."""
    return _address(url_name, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=None)
def _address(url_name, urlconf, script_prefix):
    return reverse(url_name, urlconf=urlconf)


def nav_item(request, url_name, text, *sections):
    """One item of govukServiceNavigation's `navigation`: marked current on the page itself
    (aria-current="page") and active on any page of its sections (e.g. "public:item-" keeps
    "Recommendations" marked on an item's page)."""
    view_name = getattr(getattr(request, "resolver_match", None), "view_name", "") or ""
    item = {"href": address(url_name), "text": text}
    if view_name == url_name:
        item["current"] = True
    elif view_name and view_name.startswith(sections):
        item["active"] = True
    return item


# --- Form fields ----------------------------------------------------------------------------

_INPUT_TYPES = {"text", "email", "url", "number", "password", "search", "tel"}
# govukInput writes spellcheck="…" only for a boolean; widgets say "false" as HTML does.
_SPELLCHECK = {"true": True, "false": False}
# Attributes the macros write themselves from their own parameters.
_MACRO_ATTRIBUTES = {"id", "name", "type", "value", "class", "required", "aria-describedby", "aria-invalid",
                     "rows", "autocomplete", "inputmode", "spellcheck", "checked", "multiple"}


def _classes(attrs, component_class):
    """The widget's classes, less the component's own (the macro adds that)."""
    return " ".join(name for name in attrs.get("class", "").split() if name != component_class)


def _other_attributes(attrs):
    return {name: value for name, value in attrs.items()
            if name not in _MACRO_ATTRIBUTES and value is not False and value is not None}


def _hint(field):
    # help_text is written by developers, never by users, as in Django's own form rendering.
    return {"text": str(field.help_text)} if field.help_text else None


def _error(field):
    return {"text": " ".join(str(error) for error in field.errors)} if field.errors else None


def _label(field, classes, is_page_heading=False):
    return {"text": str(field.label), "classes": classes, "isPageHeading": is_page_heading}


def _legend(field, classes, is_page_heading=False):
    return {"legend": {"text": str(field.label), "classes": classes, "isPageHeading": is_page_heading}}


def _choice_items(field, checked):
    """Radio or checkbox items with Django's own ids (<auto_id>_0, _1...), so labels, the error
    summary and tests find them where Django puts them."""
    return [
        {"value": str(value), "text": str(label), "id": f"{field.auto_id}_{index}", "checked": checked(str(value))}
        for index, (value, label) in enumerate(field.field.choices)
    ]


def field_params(field, label_classes="", legend_classes="", is_page_heading=False):
    """(macro name, parameters) for a bound form field, the macro being one of GOV.UK
    Frontend's form components; ("hidden", {...}) for a hidden input."""
    widget = field.field.widget
    widget_type = field.widget_type
    attrs = field.build_widget_attrs(dict(widget.attrs))
    common = {"id": field.auto_id, "name": field.html_name, "hint": _hint(field),
              "errorMessage": _error(field)}
    value = field.value()

    if field.is_hidden:
        return "hidden", {"name": field.html_name, "value": widget.format_value(value) or ""}
    if widget_type == "dateinput":  # recommendations.forms.DateInputWidget: day, month and year boxes
        parts_in_error = getattr(field, "parts_in_error", ())
        context = widget.get_context(field.html_name, value, {"id": field.auto_id})
        items = []
        for sub in context["widget"]["subwidgets"]:
            part = sub["name"].rsplit("_", 1)[-1]
            width = 4 if part == "year" else 2
            error_class = " govuk-input--error" if part in parts_in_error else ""
            # Only the boxes in error are marked invalid, as they alone are outlined.
            items.append({"id": sub["attrs"]["id"], "name": sub["name"], "label": sub["label"],
                          "value": sub["value"] or "", "classes": f"govuk-input--width-{width}{error_class}",
                          "attributes": {"aria-invalid": "true"} if error_class else {}})
        return "date", {**common, "fieldset": _legend(field, legend_classes, is_page_heading), "items": items}
    if widget_type == "radioselect":
        current = "" if value is None else str(value)
        return "radios", {**common, "idPrefix": field.auto_id, "fieldset": _legend(field, legend_classes, is_page_heading),
                          "items": _choice_items(field, lambda choice: choice == current),
                          "classes": _classes(attrs, "govuk-radios__input")}
    if widget_type == "checkboxselectmultiple":
        chosen = {str(choice) for choice in (value or [])}
        return "checkboxes", {**common, "idPrefix": field.auto_id,
                              "fieldset": _legend(field, legend_classes, is_page_heading),
                              "items": _choice_items(field, lambda choice: choice in chosen)}
    if widget_type == "checkbox":
        checked = CheckboxInput(check_test=widget.check_test).check_test(value)
        item = {"value": "on", "text": str(field.label), "id": field.auto_id, "checked": checked,
                "hint": _hint(field)}
        return "checkboxes", {**common, "hint": None, "idPrefix": field.auto_id, "items": [item]}
    if widget_type == "select":
        current = "" if value is None else str(value)
        # The widget's choices, not the field's: a filter form gives its widgets lists read once
        # per public version (filters.ItemFilter.form), where the field's would query again.
        items = [{"value": str(choice), "text": str(label), "selected": str(choice) == current}
                 for choice, label in widget.choices]
        return "select", {**common, "label": _label(field, label_classes, is_page_heading), "items": items,
                          "classes": _classes(attrs, "govuk-select"), "attributes": _other_attributes(attrs)}
    if widget_type == "textarea":
        return "textarea", {**common, "label": _label(field, label_classes, is_page_heading),
                            "value": widget.format_value(value) or "", "rows": attrs.get("rows", 5),
                            "classes": _classes(attrs, "govuk-textarea"), "attributes": _other_attributes(attrs)}
    if widget_type in ("file", "clearablefile"):
        return "file", {**common, "label": _label(field, label_classes, is_page_heading),
                        "attributes": _other_attributes(attrs)}
    input_type = widget.input_type if widget.input_type in _INPUT_TYPES else "text"
    if getattr(widget, "render_value", True) is False:  # a password is never sent back to the browser
        value = None
    return "input", {**common, "label": _label(field, label_classes, is_page_heading), "type": input_type,
                     "value": widget.format_value(value) or "", "classes": _classes(attrs, "govuk-input"),
                     "autocomplete": attrs.get("autocomplete"), "inputmode": attrs.get("inputmode"),
                     "spellcheck": _SPELLCHECK.get(str(attrs.get("spellcheck")).lower()),
                     "attributes": _other_attributes(attrs)}


def error_summary_items(form):
    """govukErrorSummary's errorList for a bound form: each field error links to its field (the
    first box or option in error), form-wide errors to the first visible field."""
    first = next(iter(form.visible_fields()), None)
    items = [{"text": str(error), "href": f"#{first.id_for_label or first.auto_id}" if first else None}
             for error in form.non_field_errors()]
    for field in form.hidden_fields():
        items += [{"text": f"{field.label}: {error}"} for error in field.errors]
    for field in form.visible_fields():
        target = field.id_for_label or f"{field.auto_id}_0"
        items += [{"text": str(error), "href": f"#{target}"} for error in field.errors]
    return items


# --- Pagination -----------------------------------------------------------------------------


def pagination(page_obj, query_string="", on_each_side=1, on_ends=1):
    """govukPagination parameters for a Django page_obj, keeping the other query parameters;
    None when there is only one page."""
    if not page_obj or not page_obj.has_other_pages():
        return None

    def href(number):
        return f"?{query_string}&page={number}" if query_string else f"?page={number}"

    items = []
    for number in page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side,
                                                           on_ends=on_ends):
        if isinstance(number, int):
            items.append({"number": number, "href": href(number), "current": number == page_obj.number})
        else:
            items.append({"ellipsis": True})
    return {
        "items": items,
        "previous": {"href": href(page_obj.previous_page_number())} if page_obj.has_previous() else None,
        "next": {"href": href(page_obj.next_page_number())} if page_obj.has_next() else None,
    }
