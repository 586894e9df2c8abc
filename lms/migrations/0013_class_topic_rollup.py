"""Coverage of required topics per class and period, kept counts for the dashboards.

``ClassTopicRollup`` is written with every completion and teaching session
(``lms.learning.rollups``); ``SchoolPeriodRollup.sessions`` counts sessions.

On PostgreSQL (SQLite computes on every view instead: no tables):

- the enrolled pupils of each class and period are kept beside the schools'
  (migration 0005) in ``lms_class_period_pupils``, valid while the school's
  roster version and the period's dates are those recorded in
  ``lms_class_pupils_counted``;
- each school's coverage per period (``lms.reports.coverage``) is kept in
  ``lms_school_coverage``, valid while the rule, the school's roster version,
  its coverage version and the period's dates are those recorded with it.
  Statement-level triggers on ``lms_classtopicrollup`` (any change) and on
  ``lms_schoolclass`` (a new class) give the schools concerned a new coverage
  version, in the same transaction.

Emptying ``lms_enrolment`` or ``lms_schoolclass`` empties the kept tables too.
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
    """
    CREATE TABLE lms_school_coverage_version (
        school_id bigint PRIMARY KEY,
        version bigint NOT NULL
    )
    """,
    """
    CREATE TABLE lms_school_coverage (
        school_id bigint NOT NULL,
        period_id bigint NOT NULL,
        rule_key text NOT NULL,
        roster_version bigint NOT NULL,
        coverage_version bigint NOT NULL,
        school_year_id bigint NOT NULL,
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        classes integer NOT NULL,
        classes_covered integer NOT NULL,
        topics_required integer NOT NULL,
        topics_covered integer NOT NULL,
        tallies jsonb NOT NULL,
        PRIMARY KEY (school_id, period_id)
    )
    """,
    """
    CREATE FUNCTION lms_coverage_versions_bump(school_ids bigint[]) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO lms_school_coverage_version (school_id, version)
        SELECT school_id, nextval('lms_roster_version_seq')
        FROM (SELECT DISTINCT unnest(school_ids) AS school_id) AS changed
        WHERE school_id IS NOT NULL
        ORDER BY school_id
        ON CONFLICT (school_id) DO UPDATE SET version = EXCLUDED.version
    $$
    """,
    """
    CREATE FUNCTION lms_topic_rollup_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            DELETE FROM lms_school_coverage;
        ELSIF TG_OP = 'INSERT' THEN
            PERFORM lms_coverage_versions_bump(ARRAY(
                SELECT DISTINCT c.school_id FROM new_rows JOIN lms_schoolclass c
                ON c.id = new_rows.school_class_id));
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM lms_coverage_versions_bump(ARRAY(
                SELECT DISTINCT c.school_id FROM (
                    SELECT school_class_id FROM old_rows
                    UNION SELECT school_class_id FROM new_rows
                ) AS rows JOIN lms_schoolclass c ON c.id = rows.school_class_id));
        ELSE
            PERFORM lms_coverage_versions_bump(ARRAY(
                SELECT DISTINCT c.school_id FROM old_rows JOIN lms_schoolclass c
                ON c.id = old_rows.school_class_id));
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION lms_schoolclass_added() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM lms_coverage_versions_bump(ARRAY(SELECT school_id FROM new_rows));
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER lms_topic_rollup_insert AFTER INSERT ON lms_classtopicrollup
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lms_topic_rollup_changed()
    """,
    """
    CREATE TRIGGER lms_topic_rollup_update AFTER UPDATE ON lms_classtopicrollup
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lms_topic_rollup_changed()
    """,
    """
    CREATE TRIGGER lms_topic_rollup_delete AFTER DELETE ON lms_classtopicrollup
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lms_topic_rollup_changed()
    """,
    """
    CREATE TRIGGER lms_topic_rollup_truncate AFTER TRUNCATE ON lms_classtopicrollup
    FOR EACH STATEMENT EXECUTE FUNCTION lms_topic_rollup_changed()
    """,
    # A new class has topics to cover (its roster version moves with its pupils).
    """
    CREATE TRIGGER lms_schoolclass_coverage_insert AFTER INSERT ON lms_schoolclass
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lms_schoolclass_added()
    """,
    # Emptying a table empties the kept counts (a version bump needs rows).
    TRUNCATE_CLEARS.format(
        name="lms_enrolment_roster_changed",
        also="DELETE FROM lms_class_pupils_counted; DELETE FROM lms_school_coverage;",
        body=ENROLMENT_BODY,
    ),
    TRUNCATE_CLEARS.format(
        name="lms_schoolclass_roster_changed",
        also="DELETE FROM lms_class_pupils_counted; DELETE FROM lms_school_coverage;",
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
    "DROP TRIGGER IF EXISTS lms_schoolclass_coverage_insert ON lms_schoolclass",
    "DROP TRIGGER IF EXISTS lms_topic_rollup_truncate ON lms_classtopicrollup",
    "DROP TRIGGER IF EXISTS lms_topic_rollup_delete ON lms_classtopicrollup",
    "DROP TRIGGER IF EXISTS lms_topic_rollup_update ON lms_classtopicrollup",
    "DROP TRIGGER IF EXISTS lms_topic_rollup_insert ON lms_classtopicrollup",
    "DROP FUNCTION IF EXISTS lms_schoolclass_added()",
    "DROP FUNCTION IF EXISTS lms_topic_rollup_changed()",
    "DROP FUNCTION IF EXISTS lms_coverage_versions_bump(bigint[])",
    "DROP TABLE IF EXISTS lms_school_coverage",
    "DROP TABLE IF EXISTS lms_school_coverage_version",
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
        ('lms', '0012_roles_parent_and_commune_protection'),
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
