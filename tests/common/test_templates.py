"""Every template of the product: a comment never reaches a reader.

Django's ``{# ... #}`` comment ends on its own line: one that runs over two lines
is printed as text (a lesson's every picture once showed a note for developers
to the pupils). Longer notes use ``{% comment %}``.
"""

from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted(
    path
    for folder in ("certificates", "common", "content_cms", "lms", "quizzes", "config")
    for path in (ROOT / folder).rglob("templates/**/*.html")
)


def test_the_templates_are_found():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize(
    "path", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT))
)
def test_no_one_line_comment_runs_over_a_line(path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        opened = line.count("{#")
        assert opened == line.count("#}"), (
            f"{path.relative_to(ROOT)}:{number}: a {{# comment #}} must end on its line"
        )
