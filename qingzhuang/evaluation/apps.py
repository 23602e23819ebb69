from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "qingzhuang.evaluation"
    label = "evaluation"
    verbose_name = "评价"

    def ready(self) -> None:
        # Keep the pre-aggregated request metrics equal to the raw data after every save.
        from qingzhuang.evaluation.aggregates import connect_signals

        connect_signals()
