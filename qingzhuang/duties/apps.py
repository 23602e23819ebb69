from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "qingzhuang.duties"
    label = "duties"
