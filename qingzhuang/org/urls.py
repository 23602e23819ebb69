from django.urls import path

from qingzhuang.org import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="units"),
    path("tokens/", views.tokens, name="tokens"),
]
