from django.urls import path

from recommendations.views import feedback, indicators, workflow

app_name = "workflow"

urlpatterns = [
    path("", workflow.work_home, name="my-items"),
    path("review/", workflow.review_queue, name="review-queue"),
    path("items/<str:reference>/", workflow.item_workspace, name="item"),
    path("items/<str:reference>/updates/new/", workflow.update_new, name="update-new"),
    path("items/<str:reference>/assure/", workflow.assure, name="assure"),
    path("items/<str:reference>/reopen/", workflow.reopen, name="reopen"),
    path("items/<str:reference>/close/", workflow.close, name="close"),
    path("items/<str:reference>/correct/", workflow.correct, name="correct"),
    path("updates/<int:pk>/edit/", workflow.update_edit, name="update-edit"),
    path("updates/<int:pk>/submit/", workflow.update_submit, name="update-submit"),
    path("updates/<int:pk>/discard/", workflow.update_discard, name="update-discard"),
    path("updates/<int:pk>/review/", workflow.review, name="review-update"),
    path("meetings/", workflow.meetings, name="meetings"),
    path("meetings/<str:day>/publish-pack/", workflow.publish_meeting_pack, name="publish-meeting-pack"),
    path("feedback/", feedback.queue, name="feedback-queue"),
    path("feedback/safeguarding/", feedback.safeguarding, name="feedback-safeguarding"),
    path("feedback/<int:feedback_id>/", feedback.decide, name="feedback-decide"),
    path("indicators/", indicators.indicator_values, name="indicator-values"),
    path("indicators/<slug:slug>/values/new/", indicators.value_new, name="value-new"),
    path("values/<int:pk>/edit/", indicators.value_edit, name="value-edit"),
    path("values/<int:pk>/submit/", indicators.value_submit, name="value-submit"),
    path("values/<int:pk>/discard/", indicators.value_discard, name="value-discard"),
    path("values/<int:pk>/review/", indicators.value_review, name="review-value"),
]
