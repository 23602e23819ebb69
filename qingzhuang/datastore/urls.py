from django.urls import URLPattern, URLResolver, path

from qingzhuang.datastore import catalogue_views, views

app_name = "datastore"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.element_list, name="elements"),
    path("elements/new/", catalogue_views.element_new, name="element_new"),
    path("elements/<int:pk>/", catalogue_views.element_edit, name="element_edit"),
    path("elements/<int:pk>/options/", catalogue_views.element_options, name="element_options"),
    path("elements/<int:pk>/delete/", catalogue_views.element_delete, name="element_delete"),
    path("elements/<int:pk>/merge/", catalogue_views.element_merge, name="element_merge"),
    path("elements/<int:pk>/rules/new/", catalogue_views.rule_new, name="rule_new"),
    path(
        "elements/<int:pk>/rules/preview/",
        catalogue_views.rule_preview,
        name="rule_preview",
    ),
    path("rules/<int:pk>/", catalogue_views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/active/", catalogue_views.rule_active, name="rule_active"),
    path("options/", catalogue_views.options, name="options"),
    path("options/<int:pk>/", catalogue_views.option_edit, name="option_edit"),
    path("options/<int:pk>/delete/", catalogue_views.option_delete, name="option_delete"),
    path("entry/", views.entry, name="entry"),
    path("entry/check/", views.entry_check, name="entry_check"),
    path("harvest/", views.harvest, name="harvest"),
    path("fill/", views.fill, name="fill"),
    path("fill/<int:pk>/download/", views.fill_download, name="fill_download"),
    path("fill/due.zip", views.export_due, name="export_due"),
]
