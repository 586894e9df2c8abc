"""The SQL statements of the topic coverage (``lms.reports.coverage.totals``), as text.

Each is formatted by ``coverage`` with the rule lists and the scope of one
request; kept apart so the module that plans and runs them reads as Python.
"""

# The rules of the periods asked for, as small VALUES lists: which rule a school
# type follows in a period (``applies``), the topics each rule requires
# (``requirement``) and how many that makes for a class of each grade (``need``).
RULES = """
WITH applies (period_id, school_type, target_id, grade_from, grade_to,
              school_year_id, starts_on, ends_on) AS (
    VALUES {applies}
),
requirement (target_id, band_id, topic_id, first_grade, last_grade, share) AS (
    VALUES {requirements}
),
need (target_id, grade, required) AS (
    VALUES {need}
)"""


# The classes a rule covers, and the (class, topic) pairs they covered: a rollup
# row of a required topic of the class's band with a session, or with enough
# pupils. Both start from real tables (so the planner knows their sizes) and
# join the small lists above.
CLASSES = """
    SELECT c.id AS class_id, c.school_id, s.school_type, c.name, c.grade,
        a.period_id, a.target_id, COALESCE(n.required, 0) AS required
    FROM lms_schoolclass c
    JOIN lms_school s ON s.id = c.school_id
    JOIN applies a ON a.school_type = s.school_type
        AND a.school_year_id = c.school_year_id
        AND c.grade BETWEEN a.grade_from AND a.grade_to
    LEFT JOIN need n ON n.target_id = a.target_id AND n.grade = c.grade
    WHERE c.school_id {in_scope} {only_period}
"""


COVERED = """
    SELECT c.school_id, r.school_class_id AS class_id, r.period_id,
        r.age_band_id AS band_id, r.topic_id, n.required
    FROM lms_classtopicrollup r
    JOIN lms_schoolclass c ON c.id = r.school_class_id
    JOIN lms_school s ON s.id = c.school_id
    JOIN applies a ON a.period_id = r.period_id AND a.school_type = s.school_type
        AND a.school_year_id = c.school_year_id
        AND c.grade BETWEEN a.grade_from AND a.grade_to
    JOIN requirement q ON q.target_id = a.target_id AND q.band_id = r.age_band_id
        AND q.topic_id = r.topic_id AND c.grade BETWEEN q.first_grade AND q.last_grade
    JOIN need n ON n.target_id = a.target_id AND n.grade = c.grade
    LEFT JOIN {class_pupils} p
        ON p.class_id = r.school_class_id AND p.period_id = r.period_id
    WHERE r.period_id IN ({period_ids}) AND c.school_id {in_scope}
        AND (r.sessions > 0 OR (COALESCE(p.pupils, 0) > 0
            AND r.pupils_completed * 10000 >= q.share * p.pupils))
"""


# Rows: 0 per school and period (classes, classes with nothing to cover, topics
# required); 1 per school and period (classes that covered all their topics,
# topics covered); 2 and 3 per school and required topic in one period (classes
# that must cover it, classes that did).
TOTALS = """{rules},
classes AS ({classes}),
covered AS ({covered})
SELECT 0, school_id, period_id, 0, 0, count(*),
    sum(CASE WHEN required = 0 THEN 1 ELSE 0 END), sum(required), 0
FROM classes GROUP BY school_id, period_id
UNION ALL
SELECT 1, school_id, period_id, 0, 0, 0,
    sum(CASE WHEN covered >= required THEN 1 ELSE 0 END), 0, sum(covered)
FROM (
    SELECT school_id, period_id, class_id, max(required) AS required,
        count(*) AS covered
    FROM covered GROUP BY school_id, period_id, class_id
) AS per_class
GROUP BY school_id, period_id
UNION ALL
SELECT 2, classes.school_id, classes.period_id, q.band_id, q.topic_id, count(*),
    0, 0, 0
FROM classes JOIN requirement q ON q.target_id = classes.target_id
    AND classes.grade BETWEEN q.first_grade AND q.last_grade
WHERE classes.period_id IN ({tally_periods})
GROUP BY classes.school_id, classes.period_id, q.band_id, q.topic_id
UNION ALL
SELECT 3, school_id, period_id, band_id, topic_id, count(*), 0, 0, 0
FROM covered WHERE period_id IN ({tally_periods})
GROUP BY school_id, period_id, band_id, topic_id
"""


# Every class of a few schools with each required topic (NULL when none) and
# what it did toward it.
DETAIL = """{rules},
classes AS ({classes})
SELECT classes.school_id, classes.class_id, classes.name, classes.grade,
    classes.target_id, q.band_id, q.topic_id, classes.school_type,
    COALESCE(p.pupils, 0), COALESCE(r.pupils_completed, 0),
    COALESCE(r.sessions, 0)
FROM classes
LEFT JOIN requirement q ON q.target_id = classes.target_id
    AND classes.grade BETWEEN q.first_grade AND q.last_grade
LEFT JOIN {class_pupils} p
    ON p.class_id = classes.class_id AND p.period_id = classes.period_id
LEFT JOIN lms_classtopicrollup r ON r.school_class_id = classes.class_id
    AND r.period_id = classes.period_id AND r.topic_id = q.topic_id
    AND r.age_band_id = q.band_id
ORDER BY classes.school_id, classes.grade, classes.name, classes.class_id
"""


# The pupils of each class in each period: kept on PostgreSQL (refreshed first),
# counted from the enrolments elsewhere.
CLASS_PUPILS_KEPT = "lms_class_period_pupils"


CLASS_PUPILS_COUNTED = """(
    SELECT e.school_class_id AS class_id, a.period_id,
        count(DISTINCT e.pupil_id) AS pupils
    FROM lms_enrolment e
    JOIN lms_schoolclass c ON c.id = e.school_class_id
    JOIN applies a ON a.school_year_id = c.school_year_id
    WHERE c.school_id {in_scope} AND e.enrolled_on <= a.ends_on
        AND (e.left_on IS NULL OR e.left_on > a.starts_on)
    GROUP BY e.school_class_id, a.period_id
)"""


VERSIONS = """
SELECT school.id, COALESCE(roster.version, 0), COALESCE(coverage.version, 0)
FROM unnest(%s::bigint[]) AS school (id)
LEFT JOIN lms_school_roster_version roster ON roster.school_id = school.id
LEFT JOIN lms_school_coverage_version coverage ON coverage.school_id = school.id
"""


KEPT = """
SELECT school_id, period_id, rule_key, roster_version, coverage_version,
    school_year_id, starts_on, ends_on, classes, classes_covered,
    topics_required, topics_covered,
    CASE WHEN period_id = %s THEN tallies END
FROM lms_school_coverage
WHERE school_id = ANY(%s::bigint[]) AND period_id = ANY(%s::bigint[])
"""


KEEP = """
INSERT INTO lms_school_coverage (
    school_id, period_id, rule_key, roster_version, coverage_version,
    school_year_id, starts_on, ends_on, classes, classes_covered,
    topics_required, topics_covered, tallies
)
SELECT * FROM unnest(
    %s::bigint[], %s::bigint[], %s::text[], %s::bigint[], %s::bigint[],
    %s::bigint[], %s::date[], %s::date[], %s::integer[], %s::integer[],
    %s::integer[], %s::integer[], %s::jsonb[]
)
ORDER BY 1, 2
ON CONFLICT (school_id, period_id) DO UPDATE SET
    rule_key = EXCLUDED.rule_key,
    roster_version = EXCLUDED.roster_version,
    coverage_version = EXCLUDED.coverage_version,
    school_year_id = EXCLUDED.school_year_id,
    starts_on = EXCLUDED.starts_on,
    ends_on = EXCLUDED.ends_on,
    classes = EXCLUDED.classes,
    classes_covered = EXCLUDED.classes_covered,
    topics_required = EXCLUDED.topics_required,
    topics_covered = EXCLUDED.topics_covered,
    tallies = EXCLUDED.tallies
"""


CLASS_PUPILS_REFRESH = """
WITH period (period_id, school_year_id, starts_on, ends_on) AS (
    VALUES {periods}
),
school AS (
    SELECT scope.id AS school_id, COALESCE(v.version, 0) AS roster_version
    FROM (SELECT DISTINCT id FROM ({scope}) AS scope_rows (id)) AS scope
    LEFT JOIN lms_school_roster_version v ON v.school_id = scope.id
),
stale AS (
    SELECT school.school_id, school.roster_version, period.period_id,
        period.school_year_id, period.starts_on, period.ends_on
    FROM school CROSS JOIN period
    WHERE NOT EXISTS (
        SELECT 1 FROM lms_class_pupils_counted kept
        WHERE kept.school_id = school.school_id
            AND kept.period_id = period.period_id
            AND kept.roster_version = school.roster_version
            AND kept.school_year_id = period.school_year_id
            AND kept.starts_on = period.starts_on
            AND kept.ends_on = period.ends_on
    )
),
counted AS (
    SELECT stale.school_id, stale.period_id, c.id AS class_id,
        count(DISTINCT e.pupil_id) FILTER (WHERE e.enrolled_on <= stale.ends_on
            AND (e.left_on IS NULL OR e.left_on > stale.starts_on)) AS pupils
    FROM stale
    JOIN lms_schoolclass c
        ON c.school_id = stale.school_id AND c.school_year_id = stale.school_year_id
    LEFT JOIN lms_enrolment e ON e.school_class_id = c.id
    GROUP BY stale.school_id, stale.period_id, c.id
),
removed AS (
    DELETE FROM lms_class_period_pupils kept USING stale
    WHERE kept.school_id = stale.school_id AND kept.period_id = stale.period_id
        AND NOT EXISTS (
            SELECT 1 FROM counted
            WHERE counted.class_id = kept.class_id
                AND counted.period_id = kept.period_id
        )
),
saved AS (
    INSERT INTO lms_class_period_pupils (class_id, period_id, school_id, pupils)
    SELECT class_id, period_id, school_id, pupils FROM counted
    ORDER BY class_id, period_id
    ON CONFLICT (class_id, period_id) DO UPDATE SET
        school_id = EXCLUDED.school_id, pupils = EXCLUDED.pupils
),
marked AS (
    INSERT INTO lms_class_pupils_counted (
        school_id, period_id, school_year_id, starts_on, ends_on, roster_version
    )
    SELECT school_id, period_id, school_year_id, starts_on, ends_on, roster_version
    FROM stale ORDER BY school_id, period_id
    ON CONFLICT (school_id, period_id) DO UPDATE SET
        school_year_id = EXCLUDED.school_year_id,
        starts_on = EXCLUDED.starts_on,
        ends_on = EXCLUDED.ends_on,
        roster_version = EXCLUDED.roster_version
)
SELECT count(*) FROM stale
"""
