"""
Forms for the signed-in workflow. They check the shape of what was typed;
the rules (who may do what, which status is allowed, when a reason is
needed) are applied by recommendations.services.workflow, whose error
messages the views attach to these forms.
"""
import copy
import datetime

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils import timezone

from recommendations.models import (
    ARCHIVED_IS_THE_LINK, Action, EvidenceLink, Feedback, Item, ProgressUpdate, Subscription, http_url_validator,
)
from recommendations.words import long_date
from recommendations.public import history

# Limits on free text, so a pasted document or a script cannot fill the
# database or the pages; each is far above what a person writes in a form.
NARRATIVE_MAX_LENGTH = 10_000
REASON_MAX_LENGTH = 2_000
COMMENT_MAX_LENGTH = 5_000

# No date the tracker records can be earlier than this: the inquiries it
# tracks date from 2014, and an earlier year is a typing mistake.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_TARGET_DATE = datetime.date(2099, 12, 31)

PAGE_TAMPERED = "The page was incomplete or out of date: reload it and try again."


def _too_long(what, limit):
    return f"{what} must be {limit:,} characters or fewer"


class VersionField(forms.IntegerField):
    """The version of the update the user saw; the service refuses a stale one."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        # The upper bound keeps a forged number inside the database's integer range.
        super().__init__(
            min_value=1, max_value=2**31 - 1,
            error_messages={name: PAGE_TAMPERED for name in ("required", "invalid", "min_value", "max_value")},
            **kwargs,
        )


class WebAddressField(forms.URLField):
    """An http or https address. "example.org/report" gets https:// in front.

    Only the http/https validator runs (not also Django's general one), so a
    bad address gets one message, not two. An address starting with "//" or
    a backslash names no scheme and would be read as a link to another site,
    so it is refused rather than guessed at.
    """

    default_validators = [http_url_validator]

    def to_python(self, value):
        if value and value.strip() and not value.strip()[0].isalnum():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


# --- Dates: the GOV.UK date input ----------------------------------------------
#
# Every date typed into the tracker is three boxes (day, month, year), never the
# browser's date picker, with the design system's error messages. One field
# (DateInputField), one widget (DateInputWidget) and one bound field, which
# knows which of the three boxes an error is about: those boxes are outlined
# in red and the error summary links to the first of them.

DATE_PARTS = ("day", "month", "year")


class DateInputWidget(forms.MultiWidget):
    """Day, month and year boxes. `bare_names`: the boxes are named day, month and year
    rather than <field>_day..., for a short query string (the board's "as at"). Pages draw it
    with govukDateInput (recommendations/govuk.py field_params)."""

    def __init__(self, attrs=None, bare_names=False):
        widgets = {
            part: forms.TextInput(attrs={
                "class": f"govuk-input govuk-date-input__input govuk-input--width-{4 if part == 'year' else 2}",
                "inputmode": "numeric",
            })
            for part in DATE_PARTS
        }
        super().__init__(widgets, attrs)
        self.bare_names = bare_names
        self.parts_in_error = ()

    def _name(self, name, part):
        return part if self.bare_names else f"{name}_{part}"

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for part, subwidget in zip(DATE_PARTS, context["widget"]["subwidgets"]):
            subwidget["name"] = self._name(name, part)
            if attrs and attrs.get("id"):
                subwidget["attrs"]["id"] = f"{attrs['id']}_{part}"
            subwidget["label"] = part.capitalize()
            if part not in self.parts_in_error:
                subwidget["attrs"].pop("aria-invalid", None)
            else:
                subwidget["attrs"]["class"] += " govuk-input--error"
        return context

    def value_from_datadict(self, data, files, name):
        return [data.get(self._name(name, part)) for part in DATE_PARTS]

    def value_omitted_from_data(self, data, files, name):
        return all(self._name(name, part) not in data for part in DATE_PARTS)


class DateInputBoundField(BoundField):
    @property
    def parts_in_error(self):
        """The boxes the errors are about; all three if an error names none."""
        parts = []
        for error in self.errors.as_data():
            named = (error.params or {}).get("parts") or DATE_PARTS
            parts += [part for part in named if part not in parts]
        return tuple(part for part in DATE_PARTS if part in parts)

    @property
    def id_for_label(self):
        # The error summary links here: the first box in error, or the day.
        return f"{self.auto_id}_{(self.parts_in_error or DATE_PARTS)[0]}"

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        widget = copy.copy(widget or self.field.widget)
        widget.parts_in_error = self.parts_in_error
        return super().as_widget(widget, attrs, only_initial)


def date_error(message, *parts):
    """A date error about some of the boxes (none named: the date as a whole)."""
    return ValidationError(message, params={"parts": parts})


class DateInputField(forms.MultiValueField):
    """A date typed as day, month and year, checked as the GOV.UK date input asks.

    `what` names the date at the start of a message ("New target date must be a
    real date"); `required_message` is the message when nothing is entered.
    `latest` (a date, or a function giving one) and `latest_message` bound it
    from above; no date is earlier than EARLIEST_DATE.
    """

    widget = DateInputWidget
    bound_field_class = DateInputBoundField

    def __init__(self, *, what, required_message="", latest=None, latest_message="", bare_names=False,
                 **kwargs):
        self.what, self.latest, self.latest_message = what, latest, latest_message
        parts = [forms.CharField(required=False) for _ in DATE_PARTS]
        kwargs.setdefault("widget", DateInputWidget(bare_names=bare_names))
        super().__init__(parts, require_all_fields=False,
                         error_messages={"required": required_message or f"Enter {what[0].lower()}{what[1:]}"},
                         **kwargs)

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError as error:
            # Nothing entered at all concerns the date as a whole.
            raise date_error(error.messages[0]) if getattr(error, "code", None) == "required" else error

    def compress(self, data_list):
        if not data_list or not any(value.strip() for value in data_list):
            return None
        parts = dict(zip(DATE_PARTS, (value.strip() for value in data_list)))
        what = self.what
        missing = [part for part in DATE_PARTS if not parts[part]]
        if missing:
            raise date_error(f"{what} must include a {' and '.join(missing)}", *missing)
        wrong = [part for part in DATE_PARTS
                 if not (parts[part].isascii() and parts[part].isdigit())
                 or (part != "year" and len(parts[part]) > 2)]
        if wrong:
            raise date_error(f"{what} must be a real date", *wrong)
        if len(parts["year"]) != 4:
            raise date_error("Year must include 4 numbers", "year")
        try:
            day = datetime.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            impossible = [part for part, top in (("day", 31), ("month", 12)) if not 1 <= int(parts[part]) <= top]
            raise date_error(f"{what} must be a real date", *impossible) from None
        if day < EARLIEST_DATE:
            raise date_error(f"{what} must be in {EARLIEST_DATE.year} or later", "year")
        latest = self.latest() if callable(self.latest) else self.latest
        if latest and day > latest:
            raise date_error(self.latest_message)
        return day


def target_date_field(label, help_text, *, what, required_message=""):
    """A target date, optional unless a `required_message` is given. Its limits depend on the
    item and the day it is written, so the service checks them (Item.target_date_error); here,
    only that it is a real date before LATEST_TARGET_DATE."""
    return DateInputField(
        label=label, required=bool(required_message), required_message=required_message, what=what,
        help_text=f"{help_text} For example, 27 3 {timezone.localdate().year + 1}",
        latest=LATEST_TARGET_DATE, latest_message=f"{what} must be before {LATEST_TARGET_DATE.year + 1}",
    )


def narrative_field(label, help_text, *, required_message, what, rows):
    """A published text box, up to NARRATIVE_MAX_LENGTH characters."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": rows}),
        error_messages={"required": required_message, "max_length": _too_long(what, NARRATIVE_MAX_LENGTH)},
    )


def radio_field(label, choices, *, message, **kwargs):
    """A question answered by choosing one of `choices`; `message` when none, or one not offered, is chosen."""
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


class ProgressUpdateForm(forms.Form):
    narrative = narrative_field(
        "What progress has been made?",
        "Say what has been done since the last update, and what happens next. This is published once approved.",
        required_message="Describe the progress made",
        what="The progress description",
        rows=8,
    )
    proposed_status = forms.ChoiceField(
        label="What is the status now?",
        choices=[(value, label) for value, label in Item.Status.choices if value in Item.OFFICER_STATUSES],
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        help_text="Only the improvement board can mark an item as assured and closed. "
                  "“Implemented” needs at least one evidence link.",
        error_messages={"required": "Choose the status",
                        "invalid_choice": "Choose a status from the list. Only the improvement board can mark an "
                                          "item as assured and closed."},
    )
    proposed_rag = forms.ChoiceField(
        label="RAG rating",
        choices=Item.Rag.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        help_text="Red: at risk. Amber: some risk. Green: on track.",
        error_messages={"invalid_choice": "Choose a RAG rating from the list"},
    )
    proposed_target_date = target_date_field(
        "New target date (optional)",
        "Only if the target date should change. The first agreed date is always kept.",
        what="New target date",
    )
    target_date_reason = forms.CharField(
        label="Why is the target date changing?",
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        help_text="Needed if you give a new target date. Published with the update.",
        max_length=REASON_MAX_LENGTH,
        error_messages={"max_length": _too_long("The reason", REASON_MAX_LENGTH)},
    )
    remove_evidence = forms.TypedMultipleChoiceField(
        label="Remove evidence links",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"}),
        help_text="Tick a link to remove it when you save.",
        error_messages={"invalid_choice": "Only evidence links on this update can be removed. " + PAGE_TAMPERED},
    )
    version = VersionField(required=False)

    def __init__(self, *args, evidence=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove_evidence"].choices = [(link.pk, f"{link.title} ({link.url})") for link in evidence]

    @classmethod
    def initial_for(cls, update):
        return {
            "narrative": update.narrative,
            "proposed_status": update.proposed_status,
            "proposed_rag": update.proposed_rag,
            "proposed_target_date": update.proposed_target_date,
            "target_date_reason": update.target_date_reason,
            "version": update.version,
        }


class IndicatorValueForm(forms.Form):
    """An outcome indicator's value for one period (services/indicators.py checks the rest)."""

    period_start = DateInputField(label="First day of the period", what="The first day of the period",
                                  help_text="For example, 1 4 2025", latest=timezone.localdate,
                                  latest_message="The first day of the period must be today or earlier")
    period_end = DateInputField(label="Last day of the period", what="The last day of the period",
                                help_text="For example, 30 4 2025. Report a value once its period has ended.",
                                latest=timezone.localdate,
                                latest_message="The last day of the period must be today or earlier")
    value = forms.CharField(label="Value", max_length=30, help_text="A number, such as 87 or 12.5.",
                            widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10",
                                                          "inputmode": "decimal", "spellcheck": "false"}),
                            error_messages={"required": "Enter the value", "max_length": "Enter a shorter number"})
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=REASON_MAX_LENGTH,
        help_text="Anything a reader needs to understand the number. Published with it.",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        error_messages={"max_length": _too_long("The note", REASON_MAX_LENGTH)},
    )
    evidence_url = WebAddressField(
        label="Evidence link (optional)", max_length=500, required=False,
        help_text="The web address of the report the number comes from.",
        widget=forms.URLInput(attrs={"class": "govuk-input", "spellcheck": "false"}),
        error_messages={"invalid": "Enter a web address that starts with http:// or https://",
                        "max_length": _too_long("The web address", 500)},
    )
    version = VersionField(required=False)

    @classmethod
    def initial_for(cls, value):
        return {"period_start": value.period_start, "period_end": value.period_end, "value": value.value,
                "note": value.note, "evidence_url": value.evidence_url, "version": value.version}


class EvidenceForm(forms.Form):
    """One new evidence link. A row left completely blank is ignored."""

    title = forms.CharField(
        label="Title", max_length=EvidenceLink._meta.get_field("title").max_length, required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        help_text="For example, “Joint CSE team terms of reference”.",
        error_messages={"max_length": _too_long("The title", EvidenceLink._meta.get_field("title").max_length)},
    )
    url = WebAddressField(
        label="Web address", max_length=EvidenceLink._meta.get_field("url").max_length, required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "govuk-input", "spellcheck": "false"}),
        help_text="Starting with https:// or http://",
        error_messages={"invalid": "Enter a web address that starts with http:// or https://",
                        "max_length": _too_long("The web address", EvidenceLink._meta.get_field("url").max_length)},
    )
    date = DateInputField(
        label="Date of the document", required=False, what="Date of the document",
        help_text="For example, 27 3 2015", latest=timezone.localdate,
        latest_message="Date of the document must be today or in the past",
    )
    archived_url = WebAddressField(
        label="Web address of an archived copy (optional)",
        max_length=EvidenceLink._meta.get_field("archived_url").max_length, required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "govuk-input", "spellcheck": "false"}),
        help_text="A copy kept by a web archive, such as the UK Web Archive or the Internet Archive. It is shown "
                  "beside the link, in case the page moves or goes.",
        error_messages={"invalid": "Enter an archived copy's web address that starts with http:// or https://",
                        "max_length": _too_long("The archived copy's web address",
                                                EvidenceLink._meta.get_field("archived_url").max_length)},
    )

    def clean(self):
        cleaned = super().clean()
        filled = [name for name in ("title", "url", "date", "archived_url")
                  if cleaned.get(name) or self.errors.get(name)]
        if filled:
            messages = {"title": "Enter a title for the link", "url": "Enter the web address of the evidence",
                        "date": "Enter the date of the document"}
            for name in ("title", "url", "date"):
                if name not in filled:
                    self.add_error(name, messages[name])
        if cleaned.get("archived_url") and cleaned.get("archived_url") == cleaned.get("url"):
            self.add_error("archived_url", ARCHIVED_IS_THE_LINK)
        return cleaned

    @property
    def is_blank(self):
        return not any(self.cleaned_data.get(name) for name in ("title", "url", "date", "archived_url"))


class BaseEvidenceFormSet(forms.BaseFormSet):
    """The new evidence rows. A forged row count is refused, not guessed at."""

    default_error_messages = {
        "missing_management_form": PAGE_TAMPERED,
        "too_many_forms": "You can add up to %(num)d evidence links at a time",
    }

    def clean(self):
        if self.management_form.cleaned_data["TOTAL_FORMS"] < 0:
            raise ValidationError(PAGE_TAMPERED)


EvidenceFormSet = forms.formset_factory(
    EvidenceForm, formset=BaseEvidenceFormSet, extra=1, max_num=20, absolute_max=20
)


class ReviewForm(forms.Form):
    APPROVE = "approve"
    RETURN = "return"

    decision = radio_field(
        "Your decision",
        [(APPROVE, "Approve and publish"), (RETURN, "Return to the officer")],
        message="Choose whether to approve the update or return it",
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 5}),
        help_text="Needed if you return the update: say what the officer should change. "
                  "If you approve, a comment is optional; the officer will see it.",
        max_length=COMMENT_MAX_LENGTH,
        error_messages={"max_length": _too_long("The comment", COMMENT_MAX_LENGTH)},
    )
    version = VersionField()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.RETURN and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Say what the officer needs to change before the update can be approved")
        return cleaned


class SubmitForm(forms.Form):
    """One button that acts on an update (submit, discard), with the version the user saw."""

    version = VersionField()


class AssureForm(forms.Form):
    """`evidence`: the item's published evidence links, to tick those checked. An item
    with none asks instead for the explicit confirmation the service needs."""

    narrative = narrative_field(
        "How has the board assured itself that this item is done?",
        "Say what the board looked at. This is published with the item.",
        required_message="Say how the board assured itself that this item is done",
        what="The description",
        rows=6,
    )
    evidence_strength = radio_field(
        "How strong is the evidence the board saw?",
        ProgressUpdate.EvidenceStrength.choices,
        message="Choose how strong the evidence the board saw is",
        help_text="Choose the strongest that applies. This is published with the item.",
    )
    evidence_checked = forms.TypedMultipleChoiceField(
        label="Which evidence links did you check?",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"}),
        help_text="Tick every published link you opened and checked.",
        error_messages={"invalid_choice": "Only this item's published evidence links can be ticked. "
                                          + PAGE_TAMPERED},
    )
    no_links_confirmed = forms.BooleanField(
        label="The item has no published evidence links: the board assured it from other evidence, "
              "described above",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )

    def __init__(self, *args, evidence=(), **kwargs):
        super().__init__(*args, **kwargs)
        if evidence:
            self.fields["evidence_checked"].choices = [
                (link.pk, f"{link.title} ({link.host}, {long_date(link.date)})") for link in evidence
            ]
            del self.fields["no_links_confirmed"]
        else:
            del self.fields["evidence_checked"]


class ReopenForm(forms.Form):
    reason = narrative_field(
        "Why does this item need to be reopened?",
        "This is published with the item, as the board's decision.",
        required_message="Say why the item is being reopened",
        what="The reason",
        rows=5,
    )
    status = radio_field(
        "What is the status now?",
        [(status.value, status.label) for status in (Item.Status.IN_PROGRESS, Item.Status.IMPLEMENTED)],
        message="Choose the status the item goes back to",
        initial=Item.Status.IN_PROGRESS,
    )
    # Work starts again: the item's rating and target date as they stand now, not as they were when assured.
    rag = radio_field(
        "What is the RAG rating now?",
        [(rag.value, rag.label) for rag in Item.Rag if rag],
        message="Choose the item's new RAG rating",
        help_text="Red: at risk. Amber: some risk. Green: on track.",
    )
    target_date = target_date_field(
        "New target date",
        "When the work should now be done: today or later. The first agreed date is kept.",
        what="New target date", required_message="Enter the item's new target date",
    )


class ItemReferenceField(forms.ModelChoiceField):
    """An item typed by its reference (JAY-04), whatever its case and spaces around it."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Item.objects.all(), to_field_name="reference", widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "spellcheck": "false"}), **kwargs)

    def to_python(self, value):
        return super().to_python((value or "").strip().upper())


class CloseForm(forms.Form):
    """The board closes an item without it being implemented. What replaced a superseded
    item, and that it is not the item itself, is the service's rule (workflow.close)."""

    status = radio_field(
        "How is the item being closed?",
        [(status.value, status.label) for status in Item.UNDELIVERED_CLOSURES],
        message="Choose how the item is being closed",
    )
    reasons = narrative_field(
        "Why is the item being closed?",
        "This is published with the item, as the board's decision. It is never counted as implemented.",
        required_message="Give the reasons the item is being closed",
        what="The reasons",
        rows=6,
    )
    superseded_by = ItemReferenceField(
        label="Superseded by which item? (if superseded)",
        help_text="The reference of the item that replaced it, such as JAY-04. Leave empty if a joint action "
                  "replaced it.",
        required=False,
        error_messages={"invalid_choice": "There is no item with that reference: check it on the item list"},
    )
    superseded_by_action = forms.ModelChoiceField(
        label="Or superseded by which joint action? (if superseded)",
        queryset=Action.objects.all(),
        to_field_name="reference",
        required=False,
        empty_label="No joint action",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": "Choose a joint action from the list. " + PAGE_TAMPERED},
    )


class CorrectionForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=Item.Status.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={"required": "Choose the status", "invalid_choice": "Choose a status from the list"},
    )
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=[("", "Leave as it is")] + [(rag.value, rag.label) for rag in Item.Rag if rag],
        required=False,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={"invalid_choice": "Choose a RAG rating from the list"},
    )
    target_date = target_date_field(
        "Corrected target date (optional)",
        "Only if the current target date is wrong. The first agreed date is kept.",
        what="Corrected target date",
    )
    reason = narrative_field(
        "What was wrong, and why is it being corrected?",
        "This is published with the item as the board's correction.",
        required_message="Say what was wrong and why it is being corrected",
        what="The reason",
        rows=5,
    )


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """A wrong current password counts as a failed sign-in (django-axes), so the form
    cannot be used to guess it: after AXES_FAILURE_LIMIT tries the user and address
    are locked out, as on the sign-in page."""

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        credentials = {"username": self.user.get_username()}
        if AxesProxyHandler.is_locked(self.request, credentials):
            raise ValidationError(
                "Too many wrong passwords: try again in 15 minutes.", code="locked"
            )
        try:
            return super().clean_old_password()
        except ValidationError:
            user_login_failed.send(sender=__name__, credentials=credentials, request=self.request)
            raise


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10", "autocomplete": "one-time-code",
                                      "spellcheck": "false"}),
        error_messages={"required": "Enter the code from your authenticator app",
                        "max_length": "Enter the 6-digit code from your authenticator app"},
    )


class UsernameLengthMixin:
    """Refuse an over-long username before it is looked up.

    Django's sign-in form puts the username's length limit only on the input,
    so without this a forged post would reach authenticate() and django-axes,
    whose log of failed attempts holds 255 characters: PostgreSQL then
    refuses the write and the page fails. The message is the usual one, so
    the form says nothing about which usernames exist.
    """

    def clean_username(self):
        username = self.cleaned_data["username"]
        if len(username) > self.username_field.max_length:
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                  params={"username": self.username_field.verbose_name})
        return username


class SignInForm(UsernameLengthMixin, AuthenticationForm):
    pass


class AdminSignInForm(UsernameLengthMixin, AdminAuthenticationForm):
    pass


class StrengthFilterForm(forms.Form):
    """The board's assurance dashboard, narrowed to one evidence strength (?strength=)."""

    strength = forms.ChoiceField(
        label="Evidence strength",
        choices=[("", "Any strength")] + ProgressUpdate.EvidenceStrength.choices,
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": "Choose an evidence strength from the list"},
    )


class AsAtForm(forms.Form):
    """The board's "as at" date, as ?day=&month=&year= in the address."""

    date = DateInputField(
        label="Show the overview as it stood at the end of", what="The date", bare_names=True,
        required_message="Enter the date you want to see the dashboard for", help_text="For example, 31 3 2015",
        latest=timezone.localdate, latest_message="The date must be today or in the past",
    )

    # What an empty date is for (the board's dashboard, or the public record).
    for_what = "the dashboard"

    def __init__(self, *args, legend=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].error_messages["required"] = f"Enter the date you want to see {self.for_what} for"
        if legend:
            self.fields["date"].label = legend


class SubscribeForm(forms.Form):
    """A public form: e-mail alerts about an item, source or theme (services/alerts.py checks it again)."""

    email = forms.EmailField(
        label="Your e-mail address",
        help_text="We send a link to this address: alerts start only when you open it and confirm.",
        max_length=254,
        widget=forms.EmailInput(attrs={"class": "govuk-input govuk-!-width-two-thirds", "autocomplete": "email",
                                       "spellcheck": "false"}),
        error_messages={"required": "Enter your e-mail address",
                        "invalid": "Enter an e-mail address in the correct format, like name@example.com",
                        "max_length": "Enter an e-mail address of 254 characters or fewer"},
    )
    frequency = radio_field(
        "How often do you want e-mails?",
        Subscription.Frequency.choices,
        message="Choose how often you want e-mails",
        initial=Subscription.Frequency.IMMEDIATE,
    )


class FeedbackForm(forms.Form):
    """A public form: "Is this right? Tell the board" about an item (services/feedback.py checks it again).

    `website` is the honeypot: hidden from people (and from screen readers and the keyboard), so only
    a program fills it in."""

    text = forms.CharField(
        label="What is wrong or missing?",
        help_text="Do not include names or anything else that could identify you or anyone else.",
        max_length=Feedback.TEXT_LENGTH,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 6}),
        error_messages={"required": "Say what is wrong or missing",
                        "max_length": f"Write {Feedback.TEXT_LENGTH:,} characters or fewer"},
    )
    email = forms.EmailField(
        label="Your e-mail address (optional)",
        help_text="Only if you would like a reply. Only the board's reviewers see it.",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"class": "govuk-input govuk-!-width-two-thirds", "autocomplete": "email",
                                       "spellcheck": "false"}),
        error_messages={"invalid": "Enter an e-mail address in the correct format, like name@example.com, or "
                                   "leave it empty",
                        "max_length": "Enter an e-mail address of 254 characters or fewer"},
    )
    website = forms.CharField(required=False, max_length=200)


class FeedbackDecisionForm(forms.Form):
    """A reviewer's decision on a piece of feedback, with the version they saw."""

    REPLY, PUBLISH, NOT_RELEVANT, SAFEGUARDING = "reply", "publish", "not_relevant", "safeguarding"

    decision = radio_field(
        "Your decision",
        [(REPLY, "Reply privately by e-mail"),
         (PUBLISH, "Publish a summary and the board’s response on the item"),
         (NOT_RELEVANT, "Mark as not relevant"),
         (SAFEGUARDING, "Mark as a safeguarding concern: pass it to the council’s safeguarding contact now")],
        message="Choose what to do with this feedback",
    )
    reply = forms.CharField(
        label="Reply (if replying by e-mail)", required=False, max_length=COMMENT_MAX_LENGTH,
        help_text="Sent to the address they gave. It is not published.",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 5}),
        error_messages={"max_length": _too_long("The reply", COMMENT_MAX_LENGTH)},
    )
    summary = forms.CharField(
        label="You said (if publishing)", required=False, max_length=Feedback.SUMMARY_LENGTH,
        help_text="A short summary in your own words, with nothing that could identify anyone. It is published.",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        error_messages={"max_length": _too_long("The summary", Feedback.SUMMARY_LENGTH)},
    )
    response = forms.CharField(
        label="We did (if publishing)", required=False, max_length=Feedback.SUMMARY_LENGTH,
        help_text="What the board did, or will do, about it. It is published.",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        error_messages={"max_length": _too_long("The response", Feedback.SUMMARY_LENGTH)},
    )
    version = VersionField()


class RecordAsAtForm(AsAtForm):
    """The public "record as at a date" picker: the board's date input, in the public's words."""

    for_what = "the record"


class ChangesForm(forms.Form):
    """The two dates of the public "changes" page, each a GOV.UK date input (from_day, from_month,
    from_year; to_...) like every other date. The page's own address writes them year-month-day
    (?from=2015-06-30&to=...), so it reads plainly and can be shared: those are read into the same
    boxes. Empty dates mean the last 30 days. `first` is the day the first source was published
    (history.first_day()): no date may be before it."""

    DEFAULT_DAYS = 30
    WHAT = {"from": "The start date", "to": "The end date"}

    def __init__(self, data, first):
        # A date written year-month-day in the address, when its boxes were not sent, goes into
        # the boxes; one that is not a real date is kept to be refused with the reason (_day).
        self.written = {}
        if data is not None:
            data = data.copy()
            for name in self.WHAT:
                text = data.pop(name, [""])[-1].strip()
                if not text or any(data.get(f"{name}_{part}") for part in DATE_PARTS):
                    continue
                try:
                    day = history.parse_day(text)
                except history.BadDate:
                    self.written[name] = text
                else:
                    data.update({f"{name}_day": str(day.day), f"{name}_month": str(day.month),
                                 f"{name}_year": str(day.year)})
        super().__init__(data)
        self.first = first
        for name, label in (("from", "From"), ("to", "To")):
            self.fields[name] = DateInputField(label=label, what=self.WHAT[name], required=False,
                                               help_text="For example, 30 6 2015")

    # The query parameters of the boxes, which the page reads beside its own `from` and `to`.
    BOXES = tuple(f"{name}_{part}" for name in WHAT for part in DATE_PARTS)

    def _day(self, name, default):
        what = self.WHAT[name]
        try:
            day = (history.parse_day(self.written[name], what) if name in self.written
                   else self.cleaned_data.get(name))  # a day from the boxes (or from the address)
            if day is None:
                return default
            history.check_day(day, self.first, what)
        except history.BadDate as error:
            raise ValidationError(str(error)) from None
        return day

    def clean_from(self):
        default = timezone.localdate() - datetime.timedelta(days=self.DEFAULT_DAYS)
        return self._day("from", max(default, self.first) if self.first else default)

    def clean_to(self):
        return self._day("to", timezone.localdate())

    def clean(self):
        start, end = self.cleaned_data.get("from"), self.cleaned_data.get("to")
        if start and end and start > end:
            self.add_error("to", "The end date must be the same as or after the start date")
        return self.cleaned_data

    def showing(self):
        """The form for the page once the dates are good: its boxes filled with the range shown."""
        shown = ChangesForm(None, self.first)
        shown.initial = {"from": self.cleaned_data["from"], "to": self.cleaned_data["to"]}
        return shown


class SourceUploadForm(forms.Form):
    """An administrator's source file: checked by services.sources.read_upload."""

    file = forms.FileField(
        label="Source file",
        help_text="A .yaml file in the format of the seed files, or a .csv file with the columns of the items download.",
        error_messages={"required": "Choose a .yaml or .csv file to upload"},
    )

    def clean_file(self):
        from recommendations.services.sources import UPLOAD_MAX_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise ValidationError(f"The file must be {UPLOAD_MAX_BYTES // 1024} KB or smaller")
        return upload
