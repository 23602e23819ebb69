from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "qingzhuang.org"
    label = "org"
