from django.apps import AppConfig


class BurdenConfig(AppConfig):
    name = "qingzhuang.burden"
    label = "burden"
