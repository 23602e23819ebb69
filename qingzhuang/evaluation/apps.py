from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "qingzhuang.evaluation"
    label = "evaluation"
