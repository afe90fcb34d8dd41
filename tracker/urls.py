from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from recommendations.forms import SignInForm
from recommendations.views.accounts import PasswordChangeView, signed_in_home, two_factor_setup, two_factor_verify
from tracker.health import healthz

urlpatterns = [
    path("", include("recommendations.urls.public")),
    path("work/", include("recommendations.urls.workflow")),
    path("board/", include("recommendations.urls.board")),
    path("alerts/", include("recommendations.urls.alerts")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/home/", signed_in_home, name="signed-in-home"),
    path("accounts/password_change/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/two-factor/setup/", two_factor_setup, name="two-factor-setup"),
    path("accounts/two-factor/", two_factor_verify, name="two-factor-verify"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

if settings.TRACKER_BENCH_VIEW:
    from tracker.bench import bare_view

    urlpatterns.append(path("bench/bare/", bare_view, name="bench-bare"))
