"""Seed the starting lists (a compilation of published provincial lists; see catalogue.py).

Existing rows are left alone, so an admin's edits survive re-running migrations.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from qingzhuang.duties import catalogue

    WorkItem = apps.get_model("duties", "WorkItem")
    Certificate = apps.get_model("duties", "Certificate")
    for kind, rows in (
        ("duty", catalogue.DUTY_ITEMS),
        ("assist", catalogue.ASSIST_ITEMS),
        ("negative", catalogue.NEGATIVE_ITEMS),
    ):
        for name, keywords, basis in rows:
            WorkItem.objects.get_or_create(
                list_kind=kind,
                name=name,
                defaults={"keywords": keywords, "legal_basis": basis, "source": catalogue.SOURCE},
            )
    for name, keywords, may, basis, where, conditions in catalogue.CERTIFICATES:
        Certificate.objects.get_or_create(
            name=name,
            defaults={
                "keywords": keywords,
                "village_may_issue": may,
                "legal_basis": basis,
                "where_instead": where,
                "conditions": conditions,
                "source": catalogue.CERT_SOURCE,
            },
        )


def unseed(apps, schema_editor):
    from qingzhuang.duties import catalogue

    WorkItem = apps.get_model("duties", "WorkItem")
    Certificate = apps.get_model("duties", "Certificate")
    WorkItem.objects.filter(source=catalogue.SOURCE).delete()
    Certificate.objects.filter(source=catalogue.CERT_SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("duties", "0001_village_lists_tasks_feedback")]

    operations = [migrations.RunPython(seed, unseed)]
