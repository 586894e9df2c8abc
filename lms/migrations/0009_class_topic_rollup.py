"""Coverage of required topics per class and period, and each class's pupils kept.

``ClassTopicRollup`` is written with every completion (``lms.learning.rollups``).
On PostgreSQL the enrolled pupils of each class and period are kept beside the
schools' (migration 0005) in ``lms_class_period_pupils``, valid while the
school's roster version and the period's dates are those recorded in
``lms_class_pupils_counted``; ``lms.reports.figures`` reads and refills them in
one statement. Emptying ``lms_enrolment`` or ``lms_schoolclass`` now empties
both tables too. SQLite counts on every view instead: no tables.
"""

import django.db.models.deletion
from django.db import migrations, models

# The trigger functions of migration 0005, as they were, with one more statement
# on TRUNCATE.
TRUNCATE_CLEARS = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM lms_school_period_pupils;
        {also}
{body}
    END IF;
    RETURN NULL;
END
$$
"""
ENROLMENT_BODY = """
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM lms_roster_versions_bump(ARRAY(
            SELECT c.school_id FROM new_rows JOIN lms_schoolclass c
            ON c.id = new_rows.school_class_id));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM lms_roster_versions_bump(ARRAY(
            SELECT c.school_id FROM (
                SELECT school_class_id FROM old_rows
                UNION SELECT school_class_id FROM new_rows
            ) AS rows JOIN lms_schoolclass c ON c.id = rows.school_class_id));
    ELSE
        PERFORM lms_roster_versions_bump(ARRAY(
            SELECT c.school_id FROM old_rows JOIN lms_schoolclass c
            ON c.id = old_rows.school_class_id));"""
SCHOOLCLASS_BODY = """
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM lms_roster_versions_bump(ARRAY(
            SELECT school_id FROM old_rows UNION SELECT school_id FROM new_rows));
    ELSE
        PERFORM lms_roster_versions_bump(ARRAY(SELECT school_id FROM old_rows));"""


CREATE = [
    """
    CREATE TABLE lms_class_pupils_counted (
        school_id bigint NOT NULL,
        period_id bigint NOT NULL,
        school_year_id bigint NOT NULL,
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        roster_version bigint NOT NULL,
        PRIMARY KEY (school_id, period_id)
    )
    """,
    """
    CREATE TABLE lms_class_period_pupils (
        class_id bigint NOT NULL,
        period_id bigint NOT NULL,
        school_id bigint NOT NULL,
        pupils integer NOT NULL,
        PRIMARY KEY (class_id, period_id)
    )
    """,
    "CREATE INDEX lms_class_period_pupils_school ON lms_class_period_pupils"
    " (school_id, period_id)",
    # Emptying a table empties the kept counts (a version bump needs rows).
    TRUNCATE_CLEARS.format(
        name="lms_enrolment_roster_changed",
        also="DELETE FROM lms_class_pupils_counted;",
        body=ENROLMENT_BODY,
    ),
    TRUNCATE_CLEARS.format(
        name="lms_schoolclass_roster_changed",
        also="DELETE FROM lms_class_pupils_counted;",
        body=SCHOOLCLASS_BODY,
    ),
]

DROP = [
    TRUNCATE_CLEARS.format(
        name="lms_enrolment_roster_changed", also="", body=ENROLMENT_BODY
    ),
    TRUNCATE_CLEARS.format(
        name="lms_schoolclass_roster_changed", also="", body=SCHOOLCLASS_BODY
    ),
    "DROP TABLE IF EXISTS lms_class_period_pupils",
    "DROP TABLE IF EXISTS lms_class_pupils_counted",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('content_cms', '0002_seed_taxonomy'),
        ('lms', '0008_teaching_and_topics'),
    ]

    operations = [
        migrations.CreateModel(
            name='ClassTopicRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('pupils_completed', models.PositiveIntegerField(default=0, verbose_name='pupils completed')),
                ('sessions', models.PositiveIntegerField(default=0, verbose_name='teaching sessions')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('age_band', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='content_cms.ageband', verbose_name='age band')),
                ('period', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='lms.reportingperiod', verbose_name='reporting period')),
                ('school_class', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='topic_rollups', to='lms.schoolclass', verbose_name='class')),
                ('topic', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='content_cms.topic', verbose_name='topic')),
            ],
            options={
                'verbose_name': 'class topic rollup',
                'verbose_name_plural': 'class topic rollups',
                'indexes': [models.Index(fields=['period', 'school_class'], name='class_topic_period_idx')],
                'constraints': [models.UniqueConstraint(fields=('school_class', 'period', 'topic', 'age_band'), name='class_topic_rollup_unique')],
            },
        ),
        migrations.AddField(
            model_name='schoolperiodrollup',
            name='sessions',
            field=models.PositiveIntegerField(default=0, verbose_name='teaching sessions'),
        ),
        migrations.RunPython(_run(CREATE), _run(DROP)),
    ]
