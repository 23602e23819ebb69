from django.urls import path

from qingzhuang.org import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="units"),
    path("people/", views.people_list, name="people"),
    path("people/<int:pk>/", views.person_edit, name="person"),
    path("people/<int:pk>/active/", views.person_active, name="person_active"),
    path("people/<int:pk>/password/", views.person_password, name="person_password"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
