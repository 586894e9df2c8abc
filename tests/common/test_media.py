"""Lesson pictures are served without a proxy in front; nothing else under media/."""

from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def _write(relative: str, content: bytes) -> Path:
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_a_lesson_picture_is_served_but_not_an_export(client):
    picture = _write("original_images/test-media-cat.svg", b"<svg></svg>")
    export = _write("exports/test-media-report.xlsx", b"secret")
    try:
        served = client.get("/media/original_images/test-media-cat.svg")
        assert served.status_code == 200 and served.getvalue() == b"<svg></svg>"
        assert client.get("/media/exports/test-media-report.xlsx").status_code == 404
        sneaky = "/media/original_images/..%2Fexports%2Ftest-media-report.xlsx"
        assert client.get(sneaky).status_code == 404
    finally:
        picture.unlink()
        export.unlink()
