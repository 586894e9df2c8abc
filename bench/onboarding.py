"""Benchmark: onboarding a province from its spreadsheets stays within a minute.

Run: ``.venv/bin/python bench/onboarding.py``. SQLite by default, in a fresh file
``/tmp/bench_onboarding.sqlite3`` (deleted and migrated each run); with
``DATABASE_URL`` set, that database is used instead (migrated, and the generated
codes ``BO…`` / usernames ``*.bo`` are deleted first, nothing else).

Options (environment): ``BENCH_ONB_SCHOOLS`` (default 1100), ``BENCH_ONB_STAFF``
staff lines (default 20000).

1. generates, as XLSX with title rows like the national school database's: the
   province and 96 communes, the school list and the staff list (every tenth line
   without a username, so it is matched or generated; one in twenty people with a
   second role);
2. for each list, as a province officer: parse + preview (the dry run the page
   shows), then apply (which recomputes the plan inside the transaction), then
   the preview of a re-import (everything unchanged);
3. the floor: reading the staff workbook's rows with openpyxl alone, in the same
   run; prints each time and its ratio to that floor. Target: each step < 60 s.

Figures go to docs/performance.md by hand; this script only prints them.
"""

import io
import os
import random
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

SCHOOLS = int(os.environ.get("BENCH_ONB_SCHOOLS", "1100"))
STAFF = int(os.environ.get("BENCH_ONB_STAFF", "20000"))
COMMUNES = 96
SQLITE_FILE = Path("/tmp/bench_onboarding.sqlite3")
CODE_PREFIX = "BO"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Thị", "Văn", "Minh", "Thu", "Hoàng", "Ngọc", "Quốc", "Thanh", "Kim", "Hữu"]
GIVEN = ["Lan", "Hùng", "Tâm", "Hà", "Bình", "An", "Mai", "Dũng", "Hương", "Khoa"]
ROLES = ["Giáo viên"] * 8 + ["Giáo viên tư vấn", "Phó hiệu trưởng"]
TYPES = ["Tiểu học", "THCS", "THPT", "Liên cấp", "Cơ sở bảo vệ trẻ em"]


def django_setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        SQLITE_FILE.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DEBUG", "False")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def clean_previous_run() -> None:
    from lms.models import AdministrativeUnit, School, User

    User.objects.filter(username__endswith=".bo").delete()
    User.objects.filter(username="bench.officer").delete()
    School.objects.filter(code__startswith=CODE_PREFIX).delete()
    for unit in AdministrativeUnit.objects.filter(code=f"{CODE_PREFIX}P"):
        unit.delete()


def xlsx(title: str, heading: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(["SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH TÂY NINH"])
    sheet.append([title])
    sheet.append([])
    sheet.append(heading)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def files() -> dict[str, bytes]:
    rng = random.Random(16)
    communes = [f"{CODE_PREFIX}C{n:03d}" for n in range(COMMUNES)]
    units = [[f"{CODE_PREFIX}P", "Tỉnh Tây Ninh (thử)", "Tỉnh", ""]] + [
        [code, f"Xã Thử {n}", rng.choice(["Xã", "Phường"]), f"{CODE_PREFIX}P"]
        for n, code in enumerate(communes)
    ]
    schools = [f"{CODE_PREFIX}{n:05d}" for n in range(SCHOOLS)]
    school_rows = [
        [
            n + 1,
            code,
            f"Trường {rng.choice(TYPES)} số {n}",
            rng.choice(TYPES),
            communes[n % COMMUNES],
            f"Ấp {n % 9 + 1}",
        ]
        for n, code in enumerate(schools)
    ]
    staff_rows = []
    person = 0
    while len(staff_rows) < STAFF:
        person += 1
        name = " ".join(
            [rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN), f"P{person}"]
        )
        school = schools[person % SCHOOLS]
        username = "" if person % 10 == 0 else f"gv{person}.bo"
        staff_rows.append(
            [len(staff_rows) + 1, name, school, rng.choice(ROLES), username]
        )
        if person % 20 == 5:
            other = schools[(person * 7) % SCHOOLS]
            staff_rows.append([len(staff_rows) + 1, name, other, "Giáo viên", username])
    return {
        "units": xlsx(
            "DANH SÁCH ĐƠN VỊ HÀNH CHÍNH", ["Mã", "Tên", "Cấp", "Mã cấp trên"], units
        ),
        "schools": xlsx(
            "DANH SÁCH TRƯỜNG HỌC",
            ["STT", "Mã trường", "Tên trường", "Loại hình", "Mã xã", "Địa chỉ"],
            school_rows,
        ),
        "staff": xlsx(
            "DANH SÁCH CÁN BỘ, GIÁO VIÊN",
            ["STT", "Họ và tên", "Mã trường", "Chức vụ", "Tên đăng nhập"],
            staff_rows[:STAFF],
        ),
    }


def floor_seconds(content: bytes) -> float:
    """Reading every row of the workbook with openpyxl, nothing else."""
    from openpyxl import load_workbook

    start = time.perf_counter()
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    for sheet in workbook.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            pass
    workbook.close()
    return time.perf_counter() - start


def main() -> None:
    django_setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from lms.models import Role, User
    from lms.people.onboarding.parsing import onboarding_parse
    from lms.people.onboarding.services import onboarding_apply, onboarding_preview
    from lms.people.services import role_assign

    settings.ONBOARDING_USERNAME_SUFFIX = "bo"
    clean_previous_run()
    print(f"database: {connection.vendor}; {SCHOOLS} schools, {STAFF} staff lines")
    generated = files()
    admin = User.objects.create(username="bench.officer", display_name="Bench")
    role_assign(user=admin, role=Role.PLATFORM_ADMIN)
    floor_seconds(generated["staff"])  # warm-up: imports, caches
    floor = floor_seconds(generated["staff"])
    print(f"floor: openpyxl reads the staff workbook in {floor:.2f} s")
    officer = None
    for kind in ("units", "schools", "staff"):
        content = generated[kind]
        actor = admin if kind == "units" else officer
        start = time.perf_counter()
        parsed = onboarding_parse(
            kind=kind, file=SimpleUploadedFile(f"{kind}.xlsx", content)
        )
        plan = onboarding_preview(actor=actor, parsed=parsed)
        preview = time.perf_counter() - start
        assert not plan.has_errors, [(e.line, e.problems) for e in plan.errors[:5]]
        start = time.perf_counter()
        result = onboarding_apply(actor=actor, parsed=parsed)
        apply = time.perf_counter() - start
        start = time.perf_counter()
        again = onboarding_preview(actor=actor, parsed=parsed)
        reimport = time.perf_counter() - start
        assert again.counts["create"] == 0 and again.counts["update"] == 0
        print(
            f"{kind:8} {len(parsed.rows):6d} lines ({len(content) // 1024} KB): "
            f"preview {preview:6.2f} s ({preview / floor:5.1f}x floor), "
            f"apply {apply:6.2f} s ({apply / floor:5.1f}x floor), "
            f"re-import preview {reimport:6.2f} s; {result.counts}"
        )
        if kind == "units":
            from lms.models import AdministrativeUnit

            officer = User.objects.create(username="bench.po.bo", display_name="PO")
            role_assign(
                user=officer,
                role=Role.PROVINCE_OFFICER,
                unit=AdministrativeUnit.objects.get(code=f"{CODE_PREFIX}P"),
            )
            officer = User.objects.get(pk=officer.pk)


if __name__ == "__main__":
    main()
