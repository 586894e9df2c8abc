"""Keep the dashboards' enrolled-pupil counts per school and period (PostgreSQL).

Counting a province's enrolled pupils per school for six periods reads every
enrolment (600,000 a school year) on each view of the province dashboard. This
stores the counts in ``lms_school_period_pupils`` and tells when a school's
count may have changed: triggers on ``lms_enrolment`` and ``lms_schoolclass``
give the school a new ``lms_school_roster_version`` (from a sequence, never
reused) in the transaction that changes its enrolments, so a stored count is
used only while the school's version and the period's dates are those it was
counted with. ``lms.reports.figures`` reads and refills the counts in one
statement. The tables have no foreign keys on purpose: deleting a school must
never trip over a count or a version left behind (they are never used again).

SQLite (the embedded mode and tests) counts on every view instead: no tables.
"""

from django.db import migrations

CREATE = [
    "CREATE SEQUENCE lms_roster_version_seq",
    """
    CREATE TABLE lms_school_roster_version (
        school_id bigint PRIMARY KEY,
        version bigint NOT NULL
    )
    """,
    """
    CREATE TABLE lms_school_period_pupils (
        school_id bigint NOT NULL,
        period_id bigint NOT NULL,
        school_year_id bigint NOT NULL,
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        roster_version bigint NOT NULL,
        pupils integer NOT NULL,
        PRIMARY KEY (school_id, period_id)
    )
    """,
    # The schools whose enrolments a statement changed get a new version.
    """
    CREATE FUNCTION lms_roster_versions_bump(school_ids bigint[]) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO lms_school_roster_version (school_id, version)
        SELECT school_id, nextval('lms_roster_version_seq')
        FROM (SELECT DISTINCT unnest(school_ids) AS school_id) AS changed
        WHERE school_id IS NOT NULL
        ORDER BY school_id
        ON CONFLICT (school_id) DO UPDATE SET version = EXCLUDED.version
    $$
    """,
    """
    CREATE FUNCTION lms_enrolment_roster_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            DELETE FROM lms_school_period_pupils;
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
                ON c.id = old_rows.school_class_id));
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION lms_schoolclass_roster_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            DELETE FROM lms_school_period_pupils;
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM lms_roster_versions_bump(ARRAY(
                SELECT school_id FROM old_rows UNION SELECT school_id FROM new_rows));
        ELSE
            PERFORM lms_roster_versions_bump(ARRAY(SELECT school_id FROM old_rows));
        END IF;
        RETURN NULL;
    END
    $$
    """,
    # A trigger with transition tables serves one event: one trigger per event.
    """
    CREATE TRIGGER lms_enrolment_roster_insert AFTER INSERT ON lms_enrolment
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lms_enrolment_roster_changed()
    """,
    """
    CREATE TRIGGER lms_enrolment_roster_update AFTER UPDATE ON lms_enrolment
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lms_enrolment_roster_changed()
    """,
    """
    CREATE TRIGGER lms_enrolment_roster_delete AFTER DELETE ON lms_enrolment
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lms_enrolment_roster_changed()
    """,
    """
    CREATE TRIGGER lms_enrolment_roster_truncate AFTER TRUNCATE ON lms_enrolment
    FOR EACH STATEMENT EXECUTE FUNCTION lms_enrolment_roster_changed()
    """,
    # A class that changes school or school year takes its pupils along.
    """
    CREATE TRIGGER lms_schoolclass_roster_update AFTER UPDATE ON lms_schoolclass
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lms_schoolclass_roster_changed()
    """,
    """
    CREATE TRIGGER lms_schoolclass_roster_delete AFTER DELETE ON lms_schoolclass
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lms_schoolclass_roster_changed()
    """,
    """
    CREATE TRIGGER lms_schoolclass_roster_truncate AFTER TRUNCATE ON lms_schoolclass
    FOR EACH STATEMENT EXECUTE FUNCTION lms_schoolclass_roster_changed()
    """,
]

DROP = [
    "DROP TRIGGER IF EXISTS lms_schoolclass_roster_truncate ON lms_schoolclass",
    "DROP TRIGGER IF EXISTS lms_schoolclass_roster_delete ON lms_schoolclass",
    "DROP TRIGGER IF EXISTS lms_schoolclass_roster_update ON lms_schoolclass",
    "DROP TRIGGER IF EXISTS lms_enrolment_roster_truncate ON lms_enrolment",
    "DROP TRIGGER IF EXISTS lms_enrolment_roster_delete ON lms_enrolment",
    "DROP TRIGGER IF EXISTS lms_enrolment_roster_update ON lms_enrolment",
    "DROP TRIGGER IF EXISTS lms_enrolment_roster_insert ON lms_enrolment",
    "DROP FUNCTION IF EXISTS lms_schoolclass_roster_changed()",
    "DROP FUNCTION IF EXISTS lms_enrolment_roster_changed()",
    "DROP FUNCTION IF EXISTS lms_roster_versions_bump(bigint[])",
    "DROP TABLE IF EXISTS lms_school_period_pupils",
    "DROP TABLE IF EXISTS lms_school_roster_version",
    "DROP SEQUENCE IF EXISTS lms_roster_version_seq",
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
        ("lms", "0004_reports"),
    ]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
