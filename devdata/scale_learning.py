"""Learning records for ``generate_scale``: assignments, answers, progress, rollups.

Benchmark data only (``devdata.scale.learning_records_generate`` calls this). Every
class of the given schools is given one module (a live pupils' module with a
quiz); each enrolled pupil gets one submitted attempt in that module's context
with ``answers_per_pupil`` answers (the answer volume is what the dashboards must
not depend on), a ``ModuleProgress`` (passed for about 85 % of them) and the
``CountedAttempt`` that folded the attempt into it, as the quiz engine and
``lms.learning.services`` would have written them. The rollups are then rebuilt
from those facts with ``lms.learning.rebuild.rollups_rebuild``, the same rules the live
path uses.

Running it again tops up rather than duplicates: pupils who have their attempt
keep it, and an attempt with fewer answers than asked for gets the missing ones
(numbered after its last), so a benchmark can grow the answers tenfold without
regenerating anything. Answers are never removed.

Each answer is one question's right or wrong reply, scored by the quiz engine
(``quizzes.scoring.score_answer``); questions are answered in turn, and answers
beyond the number of questions change earlier ones, the way a pupil changing
their mind does (the highest ``sequence`` counts). A passing pupil answers
right; a failing one right about 40 % of the time.

On PostgreSQL everything per pupil is written by the database itself in
``INSERT ... SELECT`` statements (about 20 million answers in a few minutes); on
other databases (SQLite in tests) with the ORM, in batches. Memory stays flat.
"""

from __future__ import annotations

import json
import random
import secrets
import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from content_cms.models import Audience, ModulePage
from devdata.bulk import batches
from lms.learning.rebuild import (
    rollups_rebuild,
)
from lms.learning.services import module_context_key
from lms.models import (
    Assignment,
    CountedAttempt,
    Enrolment,
    ModuleProgress,
    ProgressStatus,
    SchoolClass,
)
from quizzes.models import Answer, Attempt, AttemptStatus, QuizVersion
from quizzes.scoring import correct_sequence, score_answer
from quizzes.validation import ORDERING

PASS_SHARE = 0.85
RIGHT_SHARE_WHEN_FAILING = 0.4
PASSED_PERCENT, FAILED_PERCENT = 100, 40
# ORM: answers written per batch, a transaction each (an interrupted run keeps
# what it wrote, and the next run tops it up).
ANSWERS_PER_BATCH = 50_000
# PostgreSQL: attempts (with progress and counted attempts) per statement.
ATTEMPTS_PER_STATEMENT = 20_000


@dataclass(frozen=True)
class Reply:
    """One response to one question, with the score the quiz engine gives it."""

    response: dict
    credit: float
    is_correct: bool


@dataclass(frozen=True)
class Item:
    question_id: str
    right: Reply
    wrong: Reply


def module_and_version() -> tuple[ModulePage, QuizVersion] | tuple[None, None]:
    """Return the module every class is given and its quiz's latest version."""
    module = (
        ModulePage.objects.live()
        .filter(audience=Audience.PUPIL, quiz__isnull=False, locale__language_code="vi")
        .order_by("pk")
        .first()
    )
    if module is None:
        return None, None
    version = QuizVersion.objects.filter(quiz_id=module.quiz_id).order_by("-number")
    return module, version.first()


def _reply(question: dict, response: dict) -> Reply:
    score = score_answer(question=question, response=response)
    return Reply(response=response, credit=score.credit, is_correct=score.is_correct)


def answer_items(questions: list[dict]) -> list[Item]:
    """Return each question's right and wrong reply, scored by the quiz engine."""
    items = []
    for question in questions:
        choices = question["choices"]
        if question["type"] == ORDERING:
            order = [choice["id"] for choice in correct_sequence(choices)]
            right, wrong = {"order": order}, {"order": order[::-1]}
        else:
            right_ids = [choice["id"] for choice in choices if choice["is_correct"]]
            wrong_ids = [choice["id"] for choice in choices if not choice["is_correct"]]
            right = {"choice_ids": right_ids}
            wrong = {"choice_ids": wrong_ids[:1] or right_ids}
        items.append(
            Item(
                question_id=str(question["id"]),
                right=_reply(question, right),
                wrong=_reply(question, wrong),
            )
        )
    return items


def learning_records_bulk_create(
    *, school_ids: list[int], answers_per_pupil: int, batch_size: int
) -> int:
    """Give the schools' classes a module and their pupils answers and progress.

    Returns the number of rows written (assignments, attempts, answers, progress
    and counted attempts).
    """
    module, version = module_and_version()
    if module is None or version is None or answers_per_pupil <= 0:
        return 0
    today = timezone.localdate()
    class_ids = list(
        SchoolClass.objects.filter(school_id__in=school_ids).values_list(
            "pk", flat=True
        )
    )
    assigned = set(
        Assignment.objects.filter(
            school_class_id__in=class_ids, module=module
        ).values_list("school_class_id", flat=True)
    )
    new_assignments = [
        Assignment(
            school_class_id=class_id, module=module, opens_on=today.replace(day=1)
        )
        for class_id in class_ids
        if class_id not in assigned
    ]
    with transaction.atomic():
        Assignment.objects.bulk_create(new_assignments, batch_size=batch_size)
    pupil_ids = list(
        Enrolment.objects.filter(school_class_id__in=class_ids, left_on__isnull=True)
        .order_by("pupil_id")
        .values_list("pupil_id", flat=True)
        .distinct()
    )
    plan = _Plan(
        module=module,
        version=version,
        items=answer_items(version.snapshot["questions"]),
        answers_per_pupil=answers_per_pupil,
        now=timezone.now(),
    )
    if connection.vendor == "postgresql":
        attempts, answers = _write_postgresql(plan, pupil_ids)
    else:
        attempts = answers = 0
        per_batch = max(1, min(batch_size, ANSWERS_PER_BATCH // answers_per_pupil))
        for chunk in batches(pupil_ids, per_batch):
            with transaction.atomic():
                new_attempts, new_answers = _write_orm(plan, chunk)
            attempts += new_attempts
            answers += new_answers
    if attempts:
        rollups_rebuild(fix=True)
    # An attempt comes with its progress and its counted-attempt row.
    return len(new_assignments) + 3 * attempts + answers


@dataclass(frozen=True)
class _Plan:
    module: ModulePage
    version: QuizVersion
    items: list[Item]
    answers_per_pupil: int
    now: object

    @property
    def context_key(self) -> str:
        return module_context_key(self.module)

    @property
    def question_ids(self) -> list[str]:
        return [item.question_id for item in self.items]

    def percent(self, passed: bool) -> int:
        return PASSED_PERCENT if passed else FAILED_PERCENT

    def progress_status(self, passed: bool) -> str:
        return ProgressStatus.PASSED if passed else ProgressStatus.IN_PROGRESS


# --- Any database: the ORM, in batches ----------


def _write_orm(plan: _Plan, pupil_ids: list[int]) -> tuple[int, int]:
    """Write one batch of pupils' records with the ORM; return (attempts, answers)."""
    rng = random.Random(f"{plan.context_key}:{pupil_ids[0]}")
    now = plan.now
    mine = Attempt.objects.filter(
        user_id__in=pupil_ids,
        quiz_id=plan.version.quiz_id,
        context_key=plan.context_key,
        status=AttemptStatus.SUBMITTED,
    )
    have = {
        user_id: (pk, passed)
        for pk, user_id, passed in mine.values_list("pk", "user_id", "passed")
    }
    attempts, progress = [], []
    for pupil_id in pupil_ids:
        if pupil_id in have:
            continue
        passed = rng.random() < PASS_SHARE
        attempt = Attempt(
            id=uuid.uuid4(),
            user_id=pupil_id,
            quiz_id=plan.version.quiz_id,
            version=plan.version,
            context_key=plan.context_key,
            status=AttemptStatus.SUBMITTED,
            seed=secrets.token_hex(8),
            question_ids=plan.question_ids,
            started_at=now,
            submitted_at=now,
            points=len(plan.items) * plan.percent(passed) / 100,
            max_points=len(plan.items),
            percent=plan.percent(passed),
            passed=passed,
        )
        attempts.append(attempt)
        have[pupil_id] = (attempt.pk, passed)
        progress.append(
            ModuleProgress(
                user_id=pupil_id,
                module=plan.module,
                status=plan.progress_status(passed),
                best_percent=plan.percent(passed),
                attempts_count=1,
                started_at=now,
                completed_at=now if passed else None,
                passed_at=now if passed else None,
                last_activity_at=now,
            )
        )
    Attempt.objects.bulk_create(attempts)
    ModuleProgress.objects.bulk_create(progress, ignore_conflicts=True)
    progress_ids = dict(
        ModuleProgress.objects.filter(
            user_id__in=[attempt.user_id for attempt in attempts], module=plan.module
        ).values_list("user_id", "pk")
    )
    CountedAttempt.objects.bulk_create(
        [
            CountedAttempt(
                attempt_id=attempt.pk, progress_id=progress_ids[attempt.user_id]
            )
            for attempt in attempts
        ]
    )
    answered = dict(
        Answer.objects.filter(attempt_id__in=[pk for pk, _passed in have.values()])
        .values_list("attempt_id")
        .annotate(last=Max("sequence"))
    )
    answers = []
    for attempt_id, passed in have.values():
        for sequence in range(
            answered.get(attempt_id, 0) + 1, plan.answers_per_pupil + 1
        ):
            item = plan.items[(sequence - 1) % len(plan.items)]
            right = passed or rng.random() < RIGHT_SHARE_WHEN_FAILING
            reply = item.right if right else item.wrong
            answers.append(
                Answer(
                    attempt_id=attempt_id,
                    question_id=item.question_id,
                    client_id=uuid.uuid4(),
                    response=reply.response,
                    credit=reply.credit,
                    is_correct=reply.is_correct,
                    sequence=sequence,
                    answered_at=now,
                )
            )
    Answer.objects.bulk_create(answers, batch_size=5000)
    return len(attempts), len(answers)


# --- PostgreSQL: the database writes the rows itself ----------


def _write_postgresql(plan: _Plan, pupil_ids: list[int]) -> tuple[int, int]:
    """Write every pupil's records in SQL; return (attempts, answers) written."""
    attempts = 0
    for chunk in batches(pupil_ids, ATTEMPTS_PER_STATEMENT):
        with transaction.atomic(), connection.cursor() as cursor:
            attempts += _attempts_postgresql(cursor, plan, chunk)
    with transaction.atomic(), connection.cursor() as cursor:
        missing, stored = _answers_plan(cursor, plan, pupil_ids)
        if not missing:
            return attempts, 0
        # Keeping five indexes up to date row by row (three of them on random
        # UUIDs) and checking the attempt of each row costs more than building
        # them once afterwards, when the table more than doubles.
        bulk = missing > stored
        with _indexes_set_aside(cursor, "quizzes_answer") if bulk else nullcontext():
            answers = _answers_insert(cursor, plan)
    return attempts, answers


def _attempts_postgresql(cursor, plan: _Plan, pupil_ids: list[int]) -> int:
    """Insert the missing attempts, their progress and counted-attempt rows."""
    cursor.execute(
        """
        WITH pupil AS MATERIALIZED (
            SELECT p.user_id, random() < %(pass_share)s AS passed
            FROM unnest(%(pupils)s::bigint[]) AS p(user_id)
            WHERE NOT EXISTS (
                SELECT 1 FROM quizzes_attempt a
                WHERE a.user_id = p.user_id AND a.quiz_id = %(quiz)s
                  AND a.context_key = %(context)s
            )
        ),
        attempt AS (
            INSERT INTO quizzes_attempt (
                id, user_id, quiz_id, version_id, context_key, return_url, status,
                seed, question_ids, choice_orders, started_at, submitted_at,
                points, max_points, percent, passed, time_spent_seconds
            )
            SELECT gen_random_uuid(), user_id, %(quiz)s, %(version)s, %(context)s,
                '', %(submitted)s, substr(md5(random()::text), 1, 16),
                %(question_ids)s::jsonb, '{}'::jsonb, %(now)s, %(now)s,
                %(max_points)s * (CASE WHEN passed THEN %(passed_percent)s
                    ELSE %(failed_percent)s END) / 100.0,
                %(max_points)s,
                CASE WHEN passed THEN %(passed_percent)s ELSE %(failed_percent)s END,
                passed, NULL
            FROM pupil
            RETURNING id, user_id, passed
        ),
        progress AS (
            INSERT INTO lms_moduleprogress (
                user_id, module_id, status, current_section, sections_completed,
                time_spent_seconds, best_percent, attempts_count, started_at,
                completed_at, passed_at, last_activity_at
            )
            SELECT user_id, %(module)s,
                CASE WHEN passed THEN %(status_passed)s ELSE %(status_trying)s END,
                0, '[]'::jsonb, 0,
                CASE WHEN passed THEN %(passed_percent)s ELSE %(failed_percent)s END,
                1, %(now)s,
                CASE WHEN passed THEN %(now)s END, CASE WHEN passed THEN %(now)s END,
                %(now)s
            FROM attempt
            ON CONFLICT (user_id, module_id) DO NOTHING
            RETURNING id, user_id
        )
        INSERT INTO lms_countedattempt (attempt_id, progress_id, counted_at)
        SELECT attempt.id, progress.id, %(now)s
        FROM attempt JOIN progress USING (user_id)
        """,
        {
            "pupils": pupil_ids,
            "pass_share": PASS_SHARE,
            "quiz": plan.version.quiz_id,
            "version": plan.version.pk,
            "module": plan.module.pk,
            "context": plan.context_key,
            "submitted": AttemptStatus.SUBMITTED.value,
            "question_ids": json.dumps(plan.question_ids),
            "now": plan.now,
            "max_points": len(plan.items),
            "passed_percent": PASSED_PERCENT,
            "failed_percent": FAILED_PERCENT,
            "status_passed": ProgressStatus.PASSED.value,
            "status_trying": ProgressStatus.IN_PROGRESS.value,
        },
    )
    return cursor.rowcount


def _answers_plan(cursor, plan: _Plan, pupil_ids: list[int]) -> tuple[int, int]:
    """Note each attempt short of answers in a temporary table ``scale_answer_plan``.

    Its rows are (attempt, passed, answers it has); returns the number of answers
    missing and (an estimate of) the number stored in the table.
    """
    # Dropped at commit; dropped here too when an outer transaction (a test)
    # calls this twice.
    cursor.execute("DROP TABLE IF EXISTS pg_temp.scale_answer_plan")
    cursor.execute(
        """
        CREATE TEMPORARY TABLE scale_answer_plan ON COMMIT DROP AS
        SELECT attempt.id AS attempt_id, attempt.passed,
            COALESCE(max(answer.sequence), 0) AS done
        FROM unnest(%(pupils)s::bigint[]) AS pupil(user_id)
        JOIN quizzes_attempt attempt ON attempt.user_id = pupil.user_id
        LEFT JOIN quizzes_answer answer ON answer.attempt_id = attempt.id
        WHERE attempt.quiz_id = %(quiz)s AND attempt.context_key = %(context)s
          AND attempt.status = %(submitted)s
        GROUP BY attempt.id, attempt.passed
        HAVING COALESCE(max(answer.sequence), 0) < %(answers)s
        """,
        {
            "pupils": pupil_ids,
            "quiz": plan.version.quiz_id,
            "context": plan.context_key,
            "submitted": AttemptStatus.SUBMITTED.value,
            "answers": plan.answers_per_pupil,
        },
    )
    cursor.execute(
        "SELECT COALESCE(sum(%s - done), 0) FROM scale_answer_plan",
        [plan.answers_per_pupil],
    )
    missing = cursor.fetchone()[0]
    cursor.execute(
        "SELECT greatest(reltuples, 0)::bigint FROM pg_class"
        " WHERE oid = 'quizzes_answer'::regclass"
    )
    return missing, cursor.fetchone()[0]


@contextmanager
def _indexes_set_aside(cursor, table: str):
    """Drop the table's indexes (not its primary key), foreign and unique keys for
    the block, then build them again exactly as they were (checking every row).

    Inside the caller's transaction: if anything fails, nothing was dropped. The
    table stays locked until the transaction ends (no answer can be saved
    meanwhile): right for generating benchmark data, not for a live database.
    """
    cursor.execute(
        """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('f', 'u')
        ORDER BY contype DESC, conname
        """,
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT index.relname, pg_get_indexdef(index.oid)
        FROM pg_index JOIN pg_class index ON index.oid = pg_index.indexrelid
        WHERE pg_index.indrelid = %s::regclass AND NOT pg_index.indisprimary
          AND NOT EXISTS (
              SELECT 1 FROM pg_constraint WHERE conindid = index.oid
              AND conrelid = pg_index.indrelid
          )
        ORDER BY index.relname
        """,
        [table],
    )
    indexes = cursor.fetchall()
    quoted = connection.ops.quote_name
    # Dropping a foreign key alters the table it references too, which
    # PostgreSQL refuses while deferred checks are pending there (rows written
    # earlier in an outer transaction): run those checks now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name, _definition in constraints:
        cursor.execute(f"ALTER TABLE {quoted(table)} DROP CONSTRAINT {quoted(name)}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {quoted(name)}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    # Unique keys first: the foreign key's check then reads a built index.
    for name, definition in constraints:
        cursor.execute(
            f"ALTER TABLE {quoted(table)} ADD CONSTRAINT {quoted(name)} {definition}"
        )
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's default again


def _answers_insert(cursor, plan: _Plan) -> int:
    """Write the answers ``scale_answer_plan`` lacks in one ``INSERT ... SELECT``.

    Generated by the database rather than sent with ``COPY``: measured with 2
    million answers (2 cores, both idle enough), this statement wrote 300,000
    rows/s in one backend, while ``COPY`` from Python reached 170,000 rows/s and
    needed a second core for Python to format the rows (2.8 µs each); the
    indexes are then built the same way either way.
    """
    items = plan.items
    cursor.execute(
        """
        INSERT INTO quizzes_answer (
            attempt_id, question_id, client_id, response, credit, is_correct,
            sequence, answered_at
        )
        SELECT answer.attempt_id, item.question_id, gen_random_uuid(),
            CASE WHEN answer.right THEN item.right_response
                ELSE item.wrong_response END,
            CASE WHEN answer.right THEN item.right_credit
                ELSE item.wrong_credit END,
            CASE WHEN answer.right THEN item.right_correct
                ELSE item.wrong_correct END,
            answer.sequence, %(now)s
        FROM (
            SELECT attempt_id, sequence, passed OR random() < %(right_share)s AS right
            FROM scale_answer_plan
            CROSS JOIN LATERAL generate_series(done + 1, %(answers)s) AS s(sequence)
        ) answer
        JOIN unnest(
            %(question_ids)s::varchar[], %(right_responses)s::jsonb[],
            %(right_credits)s::float8[], %(right_correct)s::boolean[],
            %(wrong_responses)s::jsonb[], %(wrong_credits)s::float8[],
            %(wrong_correct)s::boolean[]
        ) WITH ORDINALITY AS item(
            question_id, right_response, right_credit, right_correct,
            wrong_response, wrong_credit, wrong_correct, position
        ) ON item.position = (answer.sequence - 1) %% %(questions)s + 1
        """,
        {
            "now": plan.now,
            "right_share": RIGHT_SHARE_WHEN_FAILING,
            "answers": plan.answers_per_pupil,
            "questions": len(items),
            "question_ids": [item.question_id for item in items],
            "right_responses": [json.dumps(item.right.response) for item in items],
            "right_credits": [item.right.credit for item in items],
            "right_correct": [item.right.is_correct for item in items],
            "wrong_responses": [json.dumps(item.wrong.response) for item in items],
            "wrong_credits": [item.wrong.credit for item in items],
            "wrong_correct": [item.wrong.is_correct for item in items],
        },
    )
    return cursor.rowcount
