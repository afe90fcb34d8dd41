from django.urls import path

from recommendations.views import workflow

app_name = "workflow"

urlpatterns = [
    path("", workflow.my_items, name="my-items"),
    path("review/", workflow.review_queue, name="review-queue"),
]
