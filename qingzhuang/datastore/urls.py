from django.urls import URLPattern, URLResolver, path

from qingzhuang.datastore import views

app_name = "datastore"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.element_list, name="elements"),
    path("entry/", views.entry, name="entry"),
    path("entry/check/", views.entry_check, name="entry_check"),
    path("harvest/", views.harvest, name="harvest"),
    path("fill/", views.fill, name="fill"),
    path("fill/<int:pk>/download/", views.fill_download, name="fill_download"),
    path("fill/due.zip", views.export_due, name="export_due"),
]
