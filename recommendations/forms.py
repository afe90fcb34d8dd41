"""
Forms for the signed-in workflow. They check the shape of what was typed;
the rules (who may do what, which status is allowed, when a reason is
needed) are applied by recommendations.services.workflow, whose error
messages the views attach to these forms.
"""
from django import forms

from recommendations.models import EvidenceLink, Item, ProgressUpdate, http_url_validator
from recommendations.services.workflow import OFFICER_STATUSES

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}, format="%Y-%m-%d")


class VersionField(forms.IntegerField):
    """The version of the update the user saw; the service refuses a stale one."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=1, error_messages={"required": "The page was incomplete: reload it and try again."},
                         **kwargs)


class ProgressUpdateForm(forms.Form):
    narrative = forms.CharField(
        label="What progress has been made?",
        help_text="Say what has been done since the last update, and what happens next. This is published once approved.",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 8}),
        error_messages={"required": "Describe the progress made"},
    )
    proposed_status = forms.ChoiceField(
        label="What is the status now?",
        choices=[(value, label) for value, label in Item.Status.choices if value in OFFICER_STATUSES],
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        help_text="Only the improvement board can mark an item as assured and closed. "
                  "“Implemented” needs at least one evidence link.",
        error_messages={"required": "Choose the status"},
    )
    proposed_rag = forms.ChoiceField(
        label="RAG rating",
        choices=[("", "Not rated")] + [(value, label) for value, label in Item.Rag.choices if value],
        required=False,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        help_text="Red: at risk. Amber: some risk. Green: on track.",
    )
    proposed_target_date = forms.DateField(
        label="New target date (optional)",
        required=False,
        widget=DATE_WIDGET,
        help_text="Only if the target date should change. The first agreed date is always kept.",
        error_messages={"invalid": "Enter the new target date as a real date"},
    )
    target_date_reason = forms.CharField(
        label="Why is the target date changing?",
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        help_text="Needed if you give a new target date. Published with the update.",
    )
    remove_evidence = forms.TypedMultipleChoiceField(
        label="Remove evidence links",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"}),
        help_text="Tick a link to remove it when you save.",
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


class EvidenceForm(forms.Form):
    """One new evidence link. A row left completely blank is ignored."""

    title = forms.CharField(
        label="Title", max_length=EvidenceLink._meta.get_field("title").max_length, required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        help_text="For example, “Joint CSE team terms of reference”.",
    )
    url = forms.URLField(
        label="Web address", max_length=500, required=False, assume_scheme="https",
        validators=[http_url_validator],
        widget=forms.URLInput(attrs={"class": "govuk-input", "spellcheck": "false"}),
        help_text="Starting with https:// or http://",
        error_messages={"invalid": "Enter a web address that starts with http:// or https://"},
    )
    date = forms.DateField(
        label="Date of the document", required=False, widget=DATE_WIDGET,
        error_messages={"invalid": "Enter the date of the document as a real date"},
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


EvidenceFormSet = forms.formset_factory(EvidenceForm, extra=1, max_num=20, absolute_max=20)


class ReviewForm(forms.Form):
    APPROVE = "approve"
    RETURN = "return"

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(APPROVE, "Approve and publish"), (RETURN, "Return to the officer")],
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={"required": "Choose whether to approve the update or return it"},
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 5}),
        help_text="Needed if you return the update: say what the officer should change. "
                  "If you approve, a comment is optional; the officer will see it.",
    )
    version = VersionField()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.RETURN and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Say what the officer needs to change before the update can be approved")
        return cleaned


class SubmitForm(forms.Form):
    version = VersionField()


class AssureForm(forms.Form):
    narrative = forms.CharField(
        label="How has the board assured itself that this item is done?",
        help_text="Say what the board looked at. This is published with the item.",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 6}),
        error_messages={"required": "Say how the board assured itself that this item is done"},
    )
