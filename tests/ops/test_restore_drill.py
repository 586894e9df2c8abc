"""The restore drill restores a dump into a fresh database and checks its rollups.

Runs on PostgreSQL only (DATABASE_URL); the drill's databases are named from
RESTORE_DRILL_PREFIX (``restore_drill_`` by default) and dropped afterwards.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from lms.models import ClassModuleRollup
from ops import postgres
from tests.lms.learning_helpers import (
    allow_learning_records,
    learning_module,
    take_quiz,
)
from tests.lms.report_helpers import build_province, give, school_with_classes

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def _this_database_url() -> str:
    params = connection.settings_dict
    credentials = quote(params["USER"] or "")
    if params["PASSWORD"]:
        credentials += ":" + quote(params["PASSWORD"])
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{params['NAME']}"


def _drill(source: str, name: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ops.restore_drill", "--source", source, "--name", name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_restored_backup_agrees_and_drift_is_found():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    allow_learning_records()
    org = build_province()
    module = learning_module()
    _school, [(school_class, teacher, [pupil, _other])] = school_with_classes(
        org.commune_a, org.year, pupils=2
    )
    give(module, school_class, teacher)
    take_quiz(pupil, module, correct=True)
    assert ClassModuleRollup.objects.get(module=module).pupils_passed == 1

    source = _this_database_url()
    prefix = os.environ.get("RESTORE_DRILL_PREFIX", "restore_drill_")
    name = f"{prefix}{uuid.uuid4().hex[:8]}"

    result = _drill(source, name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Rollups match the raw facts." in result.stdout
    assert "PASSED" in result.stdout
    assert not postgres.database_exists(postgres.with_database(source, name))

    # A report table that no longer agrees with the facts fails the drill.
    ClassModuleRollup.objects.filter(module=module).update(pupils_passed=7)
    result = _drill(source, name)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pupils_passed stored 7, expected 1" in result.stdout
    assert "FAILED: the restored rollups differ" in result.stdout
    assert not postgres.database_exists(postgres.with_database(source, name))
