"""The published-content cache: shared entries, objects built once per process."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content_cms import published
from content_cms.selectors import module_published_source
from tests.lms.learning_helpers import learning_module

pytestmark = pytest.mark.django_db


def test_a_frozen_page_keeps_its_loaded_age_bands():
    module = learning_module(age_band="g6-9")
    source = module_published_source(module_id=module.pk)
    thawed = published.page_thawed(published.page_frozen(source))
    with CaptureQueriesContext(connection) as captured:
        codes = [band.code for band in thawed.age_bands.all()]
    assert codes == ["g6-9"]
    assert len(captured) == 0
    assert thawed.title == source.title and list(thawed.lessons) != []


def test_an_entry_of_another_format_is_never_read(monkeypatch):
    """During a deploy old and new processes share the cache."""
    monkeypatch.setattr(published, "ENTRY_FORMAT", "old")
    assert published.published_cached("shape", (1,), lambda: ("a", "b")) == ("a", "b")
    monkeypatch.setattr(published, "ENTRY_FORMAT", "new")
    assert published.published_cached("shape", (1,), lambda: ("a", "b", "c")) == (
        "a",
        "b",
        "c",
    )


def test_an_object_is_built_once_per_process_until_content_changes():
    builds = []

    def build():
        builds.append(1)
        return object()

    first = published.published_in_process("thing", (7,), build)
    assert published.published_in_process("thing", (7,), build) is first
    assert len(builds) == 1
    published.published_content_changed()  # a page was published
    assert published.published_in_process("thing", (7,), build) is not first
    assert len(builds) == 2


def test_the_process_keeps_a_bounded_number_of_objects():
    published._in_process.resize(3)
    try:
        for number in range(10):
            published.published_in_process("many", (number,), object)
        assert len(published._in_process) == 3
        # The most recently used stay: the last three built.
        kept = published.published_in_process("many", (9,), lambda: None)
        assert kept is not None
    finally:
        published._in_process.resize(published.IN_PROCESS_ENTRIES)
