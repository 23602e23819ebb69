from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "qingzhuang.evaluation"
    label = "evaluation"
    verbose_name = "评价"

    def ready(self) -> None:
        # Keep the pre-aggregated request metrics and gaming-signal candidates equal to the raw
        # data after every save.
        from qingzhuang.evaluation import aggregates, signal_store

        aggregates.connect_signals()
        signal_store.connect_signals()
