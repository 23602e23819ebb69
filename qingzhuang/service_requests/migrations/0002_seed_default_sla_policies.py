"""Default SLA table (working days). Townships change it on the duty-list page or in the admin."""

from django.db import migrations

DEFAULTS = {
    # request_type: (response_days, resolution_days)
    "consult": (1, 3),
    "help": (1, 5),
    "complaint": (1, 10),
    "report": (1, 10),
    "suggestion": (2, 15),
    "praise": (2, 5),
}


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("service_requests", "SlaPolicy")
    for request_type, (response_days, resolution_days) in DEFAULTS.items():
        SlaPolicy.objects.get_or_create(
            request_type=request_type,
            defaults={"response_days": response_days, "resolution_days": resolution_days},
        )


def unseed(apps, schema_editor):
    apps.get_model("service_requests", "SlaPolicy").objects.filter(
        request_type__in=list(DEFAULTS)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("service_requests", "0001_requests_work_orders_callbacks_duty_list")]
    operations = [migrations.RunPython(seed, unseed)]
