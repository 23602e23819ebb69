from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qingzhuang.core"
    label = "core"
    verbose_name = "轻装"
