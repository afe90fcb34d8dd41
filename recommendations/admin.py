from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from recommendations import roles
from recommendations.rules import is_administrator
from recommendations.services import publication_log, sources

from recommendations.forms import AdminSignInForm, SourceUploadForm
from recommendations.models import (
    Action,
    EscalationStep,
    EvidenceLink,
    Item,
    Organisation,
    ProgressUpdate,
    PublicationLogEntry,
    ReminderLog,
    Source,
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


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["code", "short_title", "kind", "publisher", "published_on", "synthetic"]
    list_filter = ["kind", "synthetic"]
    search_fields = ["code", "title", "short_title", "author", "publisher"]
    date_hierarchy = "published_on"
    change_list_template = "admin/recommendations/source/change_list.html"

    # Uploading a source file: upload -> preview (nothing written) -> apply.
    # The uploaded text waits in the session between preview and apply, and is
    # checked again on apply, because the tracker may have changed meanwhile.
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
            request.session[self.UPLOAD_SESSION_KEY] = {
                "name": upload.name, "text": content.decode("utf-8-sig"), "plan": report.fingerprint(),
            }
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
        pending = request.session.get(self.UPLOAD_SESSION_KEY)
        if not pending:
            messages.error(request, "There is no uploaded file waiting to be applied: upload it again.")
            return redirect("admin:recommendations_source_upload")
        try:
            data = sources.read_upload(pending["name"], pending["text"].encode("utf-8"))
            report = sources.apply_if_planned(data, pending["plan"])
        except sources.SeedError as error:
            del request.session[self.UPLOAD_SESSION_KEY]
            return self._upload_page(
                request, "upload.html",
                {"form": SourceUploadForm(), "problems": error.problems, "stale": True}, 400,
            )
        if report is None:
            # The tracker changed since the preview: show what applying would do now.
            report = sources.preview(data)
            pending["plan"] = report.fingerprint()
            request.session[self.UPLOAD_SESSION_KEY] = pending
            return self._preview_page(request, pending["name"], report, changed_meanwhile=True)
        del request.session[self.UPLOAD_SESSION_KEY]
        messages.success(request, f"{pending['name']} was applied. {sources.summary(report)}")
        return redirect(reverse("admin:recommendations_source_changelist"))


class EvidenceInline(admin.TabularInline):
    model = EvidenceLink
    extra = 0
    fields = ["title", "url", "date", "update", "added_by"]
    raw_id_fields = ["update", "added_by"]


@admin.register(Item)
class ItemAdmin(HistoryAdmin):
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
    # updates and the board's recorded decisions (assurance, reopening,
    # correction), so that every change has a reviewed reason behind it. The
    # formal response and the update cadence are not workflow fields: they are
    # edited here, and saving the item makes the change public at once.
    readonly_fields = [
        "status", "rag", "baseline_target_date", "current_target_date", "verified_by", "verified_at",
        "created_at", "updated_at",
    ]
    inlines = [EvidenceInline]

    def save_model(self, request, obj, form, change):
        verified_at = obj.verified_at
        obj.record_verification(request.user, Item.objects.filter(pk=obj.pk).first() if change else None)
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if obj.verified and obj.verified_at != verified_at:
                publication_log.record_verification(obj)


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


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(HistoryAdmin):
    list_display = ["title", "item", "url", "date", "update", "added_by"]
    list_filter = ["item__source", "date"]
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


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["user", "sent_on"]
    list_filter = ["sent_on"]
    date_hierarchy = "sent_on"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the tracker writes itself: shown in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
