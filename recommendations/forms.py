"""
Forms for the signed-in workflow. They check the shape of what was typed;
the rules (who may do what, which status is allowed, when a reason is
needed) are applied by recommendations.services.workflow, whose error
messages the views attach to these forms.
"""
import datetime

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.utils import timezone

from recommendations.models import EvidenceLink, Item, http_url_validator

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}, format="%Y-%m-%d")

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


def _check_date_range(value, what, latest=None, latest_message=""):
    if value is None:
        return value
    if value < EARLIEST_DATE:
        raise ValidationError(f"{what} must be in {EARLIEST_DATE.year} or later")
    if latest and value > latest:
        raise ValidationError(latest_message)
    return value


def target_date_field(label, help_text, *, what):
    """An optional target date; `what` names it in messages ("The new target date")."""
    return forms.DateField(
        label=label,
        required=False,
        widget=DATE_WIDGET,
        help_text=help_text,
        error_messages={"invalid": f"Enter {what[0].lower()}{what[1:]} as a real date"},
    )


def _check_target_date(value, what):
    return _check_date_range(
        value, what, latest=LATEST_TARGET_DATE, latest_message=f"{what} must be before {LATEST_TARGET_DATE.year + 1}"
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
        what="The new target date",
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

    def clean_proposed_target_date(self):
        return _check_target_date(self.cleaned_data["proposed_target_date"], "The new target date")

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
    date = forms.DateField(
        label="Date of the document", required=False, widget=DATE_WIDGET,
        error_messages={"invalid": "Enter the date of the document as a real date"},
    )

    def clean_date(self):
        return _check_date_range(
            self.cleaned_data["date"], "The date of the document",
            latest=timezone.localdate(), latest_message="The date of the document must be today or in the past",
        )

    def clean(self):
        cleaned = super().clean()
        filled = [name for name in ("title", "url", "date") if cleaned.get(name) or self.errors.get(name)]
        if filled:
            messages = {"title": "Enter a title for the link", "url": "Enter the web address of the evidence",
                        "date": "Enter the date of the document"}
            for name in ("title", "url", "date"):
                if name not in filled:
                    self.add_error(name, messages[name])
        return cleaned

    @property
    def is_blank(self):
        return not any(self.cleaned_data.get(name) for name in ("title", "url", "date"))


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

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(APPROVE, "Approve and publish"), (RETURN, "Return to the officer")],
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={"required": "Choose whether to approve the update or return it",
                        "invalid_choice": "Choose whether to approve the update or return it"},
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
    narrative = narrative_field(
        "How has the board assured itself that this item is done?",
        "Say what the board looked at. This is published with the item.",
        required_message="Say how the board assured itself that this item is done",
        what="The description",
        rows=6,
    )


class ReopenForm(forms.Form):
    reason = narrative_field(
        "Why does this item need to be reopened?",
        "This is published with the item, as the board's decision.",
        required_message="Say why the item is being reopened",
        what="The reason",
        rows=5,
    )
    status = forms.ChoiceField(
        label="What is the status now?",
        choices=[(status.value, status.label) for status in (Item.Status.IN_PROGRESS, Item.Status.IMPLEMENTED)],
        initial=Item.Status.IN_PROGRESS,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={"required": "Choose the status the item goes back to",
                        "invalid_choice": "Choose the status the item goes back to"},
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
        what="The target date",
    )
    reason = narrative_field(
        "What was wrong, and why is it being corrected?",
        "This is published with the item as the board's correction.",
        required_message="Say what was wrong and why it is being corrected",
        what="The reason",
        rows=5,
    )

    def clean_target_date(self):
        return _check_target_date(self.cleaned_data["target_date"], "The target date")


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


class AsAtForm(forms.Form):
    """A GOV.UK date input. Errors name the part of the date that is wrong."""

    # Lengths are checked in clean(), so an over-long part gets the same
    # plain message as any other wrong date rather than a generic one.
    day = forms.CharField(required=False)
    month = forms.CharField(required=False)
    year = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields_in_error = set()
        for name in ("day", "month", "year"):
            width = 4 if name == "year" else 2
            self.fields[name].widget.attrs.update(
                {"class": f"govuk-input govuk-date-input__input govuk-input--width-{width}", "inputmode": "numeric"}
            )

    def _fail(self, message, *names):
        self.fields_in_error = set(names)
        raise ValidationError(message)

    def clean(self):
        if self.errors:
            # A part was refused outright (such as a null character); its own message says why.
            return self.cleaned_data
        parts = {name: (self.cleaned_data.get(name) or "").strip() for name in ("day", "month", "year")}
        missing = [name for name, value in parts.items() if not value]
        if len(missing) == 3:
            self._fail("Enter the date you want to see the dashboard for", "day", "month", "year")
        if missing:
            self._fail(f"The date must include a {' and a '.join(missing)}", *missing)
        not_numbers = [name for name, value in parts.items() if not (value.isascii() and value.isdigit())]
        if not_numbers:
            self._fail("Enter the date as numbers, for example 31 3 2015", *not_numbers)
        if len(parts["year"]) != 4:
            self._fail("Year must include 4 numbers", "year")
        too_long = [name for name in ("day", "month") if len(parts[name]) > 2]
        if too_long:
            self._fail("Enter a real date, for example 31 3 2015", *too_long)
        try:
            day = datetime.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            self._fail("Enter a real date, for example 31 3 2015", "day", "month", "year")
        if day > timezone.localdate():
            self._fail("The date must be today or in the past", "day", "month", "year")
        if day < EARLIEST_DATE:
            self._fail(f"The date must be in {EARLIEST_DATE.year} or later", "year")
        self.cleaned_data["date"] = day
        return self.cleaned_data


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
