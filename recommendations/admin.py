from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from recommendations import roles
from recommendations.policies import is_administrator
from recommendations.services import publication_log, sources

from recommendations.forms import AdminSignInForm, SourceUploadForm
from recommendations.models import (
    Action,
    BoardMeeting,
    BoardMember,
    EscalationStep,
    EvidenceLink,
    Item,
    Organisation,
    ProgressUpdate,
    PublicationLogEntry,
    ReminderLog,
    Source,
    SourceUpload,
    Subscription,
    Theme,
    User,
)

# The admin's sign-in gets the same guard against over-long usernames as the site's.
admin.site.login_form = AdminSignInForm


class HistoryAdmin(SimpleHistoryAdmin):
    """Change history to read, never to revert: a revert would rewrite the public
    record outside the workflow (and around the fields the workflow owns)."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    list_display = ["username", "email", "organisation", "is_demo", "is_staff", "is_active", "last_login"]
    list_filter = ["groups", "organisation", "is_demo", "is_staff", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Tracker", {"fields": ["organisation", "is_demo"]}),)
    list_select_related = ["organisation"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        names = set(form.instance.groups.values_list("name", flat=True))
        if {roles.OFFICERS, roles.REVIEWERS} <= names:
            messages.warning(
                request,
                f"{form.instance.username} is now both an officer and a board reviewer. The tracker will not let "
                "anyone review or assure their own organisation's updates, but one person in both roles weakens "
                "the separation between reporting and checking: give each role to a different person if you can.",
            )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "kind", "slug", "lead_contact_email"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["short_name"]}

    # An item's public record names its owner by this code (publication_log.item_states).
    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj else []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else self.prepopulated_fields


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]

    # An item's public record names its themes by this code (publication_log.item_states).
    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj else []


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["code", "short_title", "kind", "publisher", "published_on", "synthetic"]
    list_filter = ["kind", "synthetic"]
    search_fields = ["code", "title", "short_title", "author", "publisher"]
    date_hierarchy = "published_on"
    change_list_template = "admin/recommendations/source/change_list.html"
    # Sources are added and changed by uploading a source file, which logs one entry per
    # source and item it creates or changes (publication_log); here they are only read.
    readonly_fields = ["code", "short_title", "title", "kind", "author", "publisher", "published_on", "url",
                       "summary", "synthetic"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # Uploading a source file: upload -> preview (nothing written) -> apply.
    # The uploaded file waits in the database (SourceUpload, its id in the
    # session) between preview and apply, is checked again on apply, because the
    # tracker may have changed meanwhile, and is applied only once.
    UPLOAD_SESSION_KEY = "source_upload"
    UPLOAD_PERMISSIONS = [
        "recommendations.add_source", "recommendations.change_source",
        "recommendations.add_item", "recommendations.change_item",
    ]

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="recommendations_source_upload"),
            path(
                "upload/apply/", self.admin_site.admin_view(self.upload_apply_view),
                name="recommendations_source_upload_apply",
            ),
        ] + super().get_urls()

    def has_upload_permission(self, request):
        return request.user.has_perms(self.UPLOAD_PERMISSIONS)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_upload": self.has_upload_permission(request)}
        return super().changelist_view(request, extra_context)

    def _upload_page(self, request, template, context, status=200):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Upload a source file",
            "columns": sources.csv_columns(),
            "max_kb": sources.UPLOAD_MAX_BYTES // 1024,
            **context,
        }
        return TemplateResponse(request, f"admin/recommendations/source/{template}", context, status=status)

    def upload_view(self, request):
        if not self.has_upload_permission(request):
            raise PermissionDenied
        form = SourceUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                data = sources.read_upload(upload.name, content)
            except sources.SeedError as error:
                return self._upload_page(request, "upload.html", {"form": form, "problems": error.problems}, 400)
            report = sources.preview(data)
            kept = sources.keep_for_apply(request.user, upload.name, content, report)
            request.session[self.UPLOAD_SESSION_KEY] = kept.pk
            return self._preview_page(request, upload.name, report)
        status = 400 if form.errors else 200
        return self._upload_page(request, "upload.html", {"form": form}, status)

    def _preview_page(self, request, name, report, changed_meanwhile=False):
        return self._upload_page(request, "upload_preview.html", {
            "title": "Check the changes before you apply them",
            "file_name": name, "report": report, "plan_summary": sources.summary(report),
            "changed_meanwhile": changed_meanwhile,
            "source_rows": report.of("sources"), "item_rows": report.of("items"),
            "other_rows": [o for o in report.outcomes if o.label not in ("sources", "items")],
        })

    def upload_apply_view(self, request):
        if not self.has_upload_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return redirect("admin:recommendations_source_upload")
        key = request.session.get(self.UPLOAD_SESSION_KEY)
        # (A session from before uploads were kept in the database holds the file itself: upload it again.)
        pending = None
        if isinstance(key, int):
            pending = SourceUpload.objects.filter(pk=key, uploaded_by=request.user).first()
        if pending is None:
            messages.error(request, "There is no uploaded file waiting to be applied: upload it again.")
            return redirect("admin:recommendations_source_upload")
        try:
            report = sources.apply_upload(pending)
            if report is None:
                # The tracker changed since the preview: show what applying would do now.
                report = sources.preview_again(pending)
                return self._preview_page(request, pending.name, report, changed_meanwhile=True)
        except sources.AlreadyApplied:
            # A second click, or a second tab: the upload stays in the session so it can say so.
            messages.warning(request, f"The file {pending.name} was already applied; nothing was written again.")
            return redirect(reverse("admin:recommendations_source_changelist"))
        except sources.SeedError as error:
            del request.session[self.UPLOAD_SESSION_KEY]
            return self._upload_page(
                request, "upload.html",
                {"form": SourceUploadForm(), "problems": error.problems, "no_longer_passes": True}, 400,
            )
        messages.success(request, f"{pending.name} was applied. {sources.summary(report)}")
        return redirect(reverse("admin:recommendations_source_changelist"))


# Every change an administrator makes to what the public sees of an item is a
# recorded decision: it needs a reason, and saving appends an entry to the
# publication log (who by role, when, why, the item's whole public record after
# it), listed on /changes/. Status, RAG rating, target dates and the evidence of
# updates belong to the workflow and are read-only here.
REASON_NEEDED = "Say why this change is made: it is published with the change, on the changes page."


class ItemAdminForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="Why this change is made", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Public: shown with the change on the changes page and in the publication log. Needed for "
                  "any change the public sees (title, summary, wording, formal response, cadence, themes, "
                  "owner, evidence...).",
    )

    class Meta:
        model = Item
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        public = set(self.changed_data) - {"change_reason"}
        if cleaned.get("kind") != Item.Kind.JUDGEMENT:
            public.discard("grade")  # only a judgement's grade is public
        if (public or not self.instance.pk) and not cleaned.get("change_reason", "").strip():
            self.add_error("change_reason", REASON_NEEDED)
        return cleaned


class DirectEvidenceFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.has_changed() and not self.data.get("change_reason", "").strip():
            raise forms.ValidationError(REASON_NEEDED)


class EvidenceInline(admin.TabularInline):
    """Evidence added to the item itself. The evidence of updates is shown read-only on
    the item (published_evidence): a wrong link there is fixed by a published correction."""

    model = EvidenceLink
    formset = DirectEvidenceFormSet
    extra = 0
    fields = ["title", "url", "date", "archived_url"]
    verbose_name = "evidence link added to the item itself"
    verbose_name_plural = "evidence links added to the item itself"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(update__isnull=True)


class UpdateEvidenceArchiveInline(admin.TabularInline):
    """The evidence of published updates: only an archived copy's address can be given here, for a
    link that has moved or gone (a wrong link is fixed by a published correction). Like any change
    on the item's page, it needs a reason and is logged with the item's public record."""

    model = EvidenceLink
    formset = DirectEvidenceFormSet
    extra = 0
    fields = ["title", "url", "update", "check_answer", "checked_at", "archived_url"]
    readonly_fields = ["title", "url", "update", "check_answer", "checked_at"]
    can_delete = False
    verbose_name = "archived copy of a published update's evidence link"
    verbose_name_plural = "archived copies of published updates' evidence links"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(update__state=ProgressUpdate.State.APPROVED)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Item)
class ItemAdmin(HistoryAdmin):
    form = ItemAdminForm
    list_display = [
        "reference", "title", "source", "kind", "owner", "status", "rag",
        "current_target_date", "formal_response", "update_cadence_months", "provenance", "verified",
    ]
    list_filter = [
        "source", "kind", "status", "rag", "formal_response", "update_cadence_months", "owner", "provenance",
        "verified", "themes",
    ]
    search_fields = ["reference", "title", "summary", "official_wording", "lead_role"]
    list_select_related = ["source", "owner"]
    filter_horizontal = ["themes"]
    # Status, RAG and target dates change only through approved progress
    # updates and the board's recorded decisions (assurance, closure, reopening,
    # correction), so that every change has a reviewed reason behind it; so does
    # what replaced a superseded item. The other public fields are edited here
    # with a reason, logged on save.
    readonly_fields = [
        "status", "rag", "baseline_target_date", "current_target_date", "superseded_by", "superseded_by_action",
        "verified_by", "verified_at",
        "created_at", "updated_at", "evidence_of_updates",
        # A judgement's later grades come from its source file, whose check gives each a known
        # grade and a date after the source (sources.LATER_GRADE).
        "later_grades",
    ]
    # The second inline's fields are posted as "evidence-2-...", after the first's "evidence-...".
    inlines = [EvidenceInline, UpdateEvidenceArchiveInline]

    @admin.display(description="Evidence of progress updates (changed only by a published correction)")
    def evidence_of_updates(self, obj):
        links = obj.evidence.filter(update__isnull=False).order_by("-date", "title") if obj.pk else []
        # Plain text, a link a line: the admin escapes it and breaks the lines.
        lines = [f"{link.title} <{link.url}> ({link.date}), update {link.update_id}" for link in links]
        return "\n".join(lines) or "None"

    def get_readonly_fields(self, request, obj=None):
        # The log knows an item by its reference, in its source, for good.
        return [*self.readonly_fields, "reference", "source"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Leaving the public record is not an admin edit: the log would no longer match.
        return False

    def save_model(self, request, obj, form, change):
        obj._verified_before = obj.verified_at
        obj.record_verification(request.user, Item.objects.filter(pk=obj.pk).first() if change else None)
        obj._change_reason = form.cleaned_data.get("change_reason", "")
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # Themes and evidence are saved here, so the item's public record is complete only now.
        super().save_related(request, form, formsets, change)
        item = form.instance
        verified = item.verified and item.verified_at != getattr(item, "_verified_before", None)
        publication_log.record_item_changes(
            Item.objects.filter(pk=item.pk), publication_log.ADMINISTRATOR,
            form.cleaned_data.get("change_reason", "").strip(),
            kind=PublicationLogEntry.Kind.VERIFICATION if verified else PublicationLogEntry.Kind.CHANGE,
        )


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(HistoryAdmin):
    list_display = ["item", "author", "state", "proposed_status", "proposed_rag", "created_at", "reviewer", "published_at"]
    list_filter = ["state", "proposed_status", "proposed_rag", "item__source"]
    search_fields = ["item__reference", "item__title", "narrative", "review_comment", "author__username"]
    list_select_related = ["item", "author", "reviewer"]
    raw_id_fields = ["item", "author", "reviewer"]
    date_hierarchy = "created_at"
    # The workflow screens apply the rules; administrators only read here.
    readonly_fields = [field.name for field in ProgressUpdate._meta.fields]

    def has_add_permission(self, request):
        return False


class ReadOnlyMixin:
    """Shown in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(ReadOnlyMixin, HistoryAdmin):
    """Read only: links of updates come with their update (fixed by a published correction), links
    added to an item itself are changed on the item's admin page, where the change is logged."""

    list_display = ["title", "item", "url", "date", "update", "added_by", "checked_at", "check_answer", "broken"]
    list_filter = ["broken", "item__source", "date"]
    search_fields = ["title", "url", "item__reference"]
    list_select_related = ["item", "update", "added_by"]
    raw_id_fields = ["item", "update", "added_by"]


@admin.register(Action)
class ActionAdmin(HistoryAdmin):
    list_display = ["reference", "title", "owner", "start_date", "due_date"]
    list_filter = ["owner", "items__source"]
    search_fields = ["reference", "title", "description", "items__reference"]
    list_select_related = ["owner"]
    filter_horizontal = ["items", "partners"]


# The improvement board's members and meetings are public (the /improvement-board/ pages): every
# change needs a reason, kept with the change in the record's history (readable, never reverted).
BOARD_REASON_NEEDED = "Say why this change is made: it is kept with the change in this record's history."


class ReasonedForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="Why this change is made", required=True, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the change in the history. What you enter above is public on the improvement "
                  "board's pages.", error_messages={"required": BOARD_REASON_NEEDED},
    )


class ReasonedHistoryAdmin(HistoryAdmin):
    form = ReasonedForm

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data["change_reason"].strip()
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # A member who leaves gets a last day of service; a meeting held stays in the record.
        return False


@admin.register(BoardMember)
class BoardMemberAdmin(ReasonedHistoryAdmin):
    list_display = ["name", "role", "organisation", "order", "serving_from", "serving_until"]
    search_fields = ["name", "role", "organisation"]
    fields = ["name", "role", "organisation", "order", "serving_from", "serving_until", "change_reason"]


@admin.register(BoardMeeting)
class BoardMeetingAdmin(ReasonedHistoryAdmin):
    list_display = ["date", "title", "location", "pack_published_at"]
    date_hierarchy = "date"
    fields = ["date", "title", "location", "notes", "pack_published_at", "pack_published_by", "pack_entry",
              "change_reason"]
    # The pack is published by a board reviewer (/work/meetings/), and logged: never set here.
    readonly_fields = ["pack_published_at", "pack_published_by", "pack_entry"]

    def get_readonly_fields(self, request, obj=None):
        # A meeting whose pack is published keeps its day: the public record is filed under it.
        if obj is not None and obj.pack_published:
            return [*self.readonly_fields, "date"]
        return self.readonly_fields


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["user", "sent_on"]
    list_filter = ["sent_on"]
    date_hierarchy = "sent_on"


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Records the tracker writes itself: shown in the admin, never added, changed or deleted there."""


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    """E-mail alerts (services/alerts.py): administrators only, since addresses are personal data.

    Nothing can be added or changed here (only the reader's own confirmation
    link does that); a subscription can be deleted, to honour a request.
    """

    list_display = ["email", "item", "source", "theme", "frequency", "created_at", "confirmed_at", "sent_until"]
    list_filter = ["frequency", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    list_select_related = ["item", "source", "theme"]
    readonly_fields = list_display

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user)


@admin.register(EscalationStep)
class EscalationStepAdmin(ReadOnlyAdmin):
    """Read only: steps are recorded by `manage.py escalate` (services/escalation.py)."""

    list_display = ["item", "step", "reason", "recorded_at", "sent_to", "resolved_at"]
    list_filter = ["step", "reason"]
    search_fields = ["item__reference"]
    list_select_related = ["item"]


@admin.register(PublicationLogEntry)
class PublicationLogEntryAdmin(ReadOnlyAdmin):
    """Read only: the log is appended by the workflow and checked by verify_publication_log."""

    list_display = ["id", "recorded_at", "kind", "item_reference", "by", "entry_hash"]
    list_filter = ["kind"]
    search_fields = ["item_reference", "entry_hash"]


# Two-factor devices: administrators see who has set up an authenticator app or
# recovery codes, and delete a lost one so its owner can set up again. Keys are
# never shown (django-otp's own admin would show them as QR codes).
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice, StaticDevice)
class TwoFactorDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
