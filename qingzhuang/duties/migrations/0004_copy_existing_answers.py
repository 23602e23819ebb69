"""Data: every report answered before answers were kept as a history gets its answer as the
first entry of that history (the schema change is the previous migration)."""

from typing import Any

from django.db import migrations


def copy_answers(apps: Any, schema_editor: Any) -> None:
    report_model = apps.get_model("duties", "FeedbackReport")
    answer_model = apps.get_model("duties", "FeedbackAnswer")
    answers = [
        answer_model(
            report_id=r.pk,
            text=r.answer,
            answered_on=r.answered_on or r.submitted_on,
            answered_by_id=r.answered_by_id,
        )
        for r in report_model.objects.exclude(answer="").order_by("pk")
        if not answer_model.objects.filter(report_id=r.pk).exists()
    ]
    answer_model.objects.bulk_create(answers)


class Migration(migrations.Migration):
    dependencies = [("duties", "0003_feedback_answer_history")]

    operations = [migrations.RunPython(copy_answers, migrations.RunPython.noop)]
