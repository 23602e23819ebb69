from django.urls import URLPattern, URLResolver, path

from qingzhuang.reporting import views

app_name = "reporting"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.template_list, name="list"),
    path("<int:pk>/", views.template_detail, name="detail"),
    path("redundancy/", views.redundancy, name="redundancy"),
    path("redundancy/decide/", views.redundancy_decide, name="decide"),
]
