"""URL map. Each capability owns its prefix; apps fill in their own urls.py."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qingzhuang.core import views as core_views
from qingzhuang.core.api import api
from qingzhuang.core.ratelimit import ratelimit

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/login/", ratelimit("login")(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("org/", include("qingzhuang.org.urls")),
    path("audit/", include("qingzhuang.audit.urls")),
    path("templates/", include("qingzhuang.reporting.urls")),
    path("data/", include("qingzhuang.datastore.urls")),
    path("burden/", include("qingzhuang.burden.urls")),
    path("requests/", include("qingzhuang.service_requests.urls")),
    path("p/", include("qingzhuang.service_requests.public_urls")),
    path("open311/v2/", include("qingzhuang.service_requests.open311_urls")),
    path("evaluation/", include("qingzhuang.evaluation.urls")),
    path("duties/", include("qingzhuang.duties.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "qingzhuang.core.views.bad_request"
handler403 = "qingzhuang.core.views.permission_denied"
handler404 = "qingzhuang.core.views.page_not_found"
handler500 = "qingzhuang.core.views.server_error"
