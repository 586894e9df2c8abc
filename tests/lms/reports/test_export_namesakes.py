"""(Goes with the lms/reports/exports.py patch.) The class results download tells
two pupils with one name apart as the grid does: the roster number (STT) in the
"No." column and beside each namesake."""

import io

import pytest
from openpyxl import load_workbook

from lms.models import Enrolment
from tests.lms.learning_helpers import allow_learning_records, learning_module
from tests.lms.report_helpers import build_province, give, school_with_classes

pytestmark = pytest.mark.django_db


def test_namesakes_in_the_class_results_carry_their_roster_numbers(client):
    allow_learning_records()
    org = build_province()
    _school, [(school_class, teacher, pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=3, name="Trường Tiểu học Kim Đồng"
    )
    for number, pupil in zip((7, 21), pupils[:2], strict=True):
        pupil.display_name = "Nguyễn Minh An"
        pupil.save()
        Enrolment.objects.filter(pupil=pupil).update(roster_number=number)
    give(learning_module(title="Bí mật của em"), school_class, teacher)
    client.force_login(teacher)
    response = client.get(f"/lop/{school_class.pk}/tien-do/tai-ve.xlsx")
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.values)[1:]
    namesakes = {row[0]: row[1] for row in rows if "Nguyễn Minh An" in row[1]}
    assert namesakes == {7: "Nguyễn Minh An (STT 7)", 21: "Nguyễn Minh An (STT 21)"}
