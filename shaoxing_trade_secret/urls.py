from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bases import views as base_views
from reviews import views as review_views

admin.site.site_header = "绍兴市商业秘密保护基地管理平台"
admin.site.site_title = "商业秘密保护基地管理"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("", review_views.home, name="home"),
    path("conditions/", base_views.conditions, name="conditions"),
    path("healthz", base_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/two-factor/", base_views.two_factor, name="two_factor"),
    path("accounts/my-data/", base_views.my_data, name="my_data"),
    path("accounts/register/", base_views.register, name="register"),
    path("accounts/password/reset/", base_views.password_reset, name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("admin/", admin.site.urls),
    path("", include("bases.urls")),
    path("", include("reviews.urls")),
    path("", include("targets.urls")),
    path("", include("portal.urls")),
]

if settings.BENCH:  # `make bench`'s floor: Django and its middleware, nothing of the application
    urlpatterns.append(path("bench/trivial", base_views.bench_trivial, name="bench-trivial"))

handler400 = "bases.views.bad_request"
handler403 = "bases.views.permission_denied"
handler404 = "bases.views.page_not_found"
