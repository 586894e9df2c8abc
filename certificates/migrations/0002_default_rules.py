"""Start with the three rules the province asked for; administrators edit them.

Runs only on an empty table, so it never brings back a rule someone removed.
"""

from django.db import migrations

DEFAULT_RULES = [
    ("Hoàn thành một bài học", "Passing a module", "module_passed"),
    ("Hoàn thành lộ trình học của lứa tuổi", "Completing a learning path", "learning_path"),
    (
        "Bồi dưỡng giáo viên và cán bộ về an toàn trên mạng",
        "Online-safety training for teachers and staff",
        "staff_training",
    ),
]


def create_default_rules(apps, schema_editor):
    IssuingRule = apps.get_model("certificates", "IssuingRule")
    if IssuingRule.objects.exists():
        return
    for name, name_en, kind in DEFAULT_RULES:
        IssuingRule.objects.create(name=name, name_en=name_en, kind=kind)


class Migration(migrations.Migration):
    dependencies = [("certificates", "0001_initial")]

    operations = [migrations.RunPython(create_default_rules, migrations.RunPython.noop)]
