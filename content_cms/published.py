"""Published content every pupil reads, kept in the shared cache.

A class opens the same module sections and the same suggestions within minutes,
so what a published module shows (its Vietnamese source page, its translation,
its sections, whether a view restriction hides it) is read from the database
once and kept in the Django cache (Redis in production, shared by every
process), per module and language. Only published, shared content goes here;
nobody's progress, attempts, certificates or enrolment ever does.

Every entry's key carries a *generation*: publishing, unpublishing, saving,
deleting or moving a page, changing a view restriction, an age band or a locale
starts a new generation, so the next request reads the database again (old
entries expire on their own). The change is announced at once and again when
its transaction commits, so a request that read the old content meanwhile
cannot keep it.
Without the cache (Redis lost) every request reads the database, as before.

What a request builds from an entry (pages with their lessons parsed, their
pictures read) can also be kept in the process (``published_in_process``), under
the same generation: built once per process, not once per request. Such objects
are shared by the process's threads and read only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

from common.process_cache import ProcessCache

GENERATION_KEY = "published-content:generation"
# The shape of what an entry holds (``page_frozen``'s tuple). Part of every key:
# during a deploy, old and new processes share the cache, and neither may read
# the other's entries. Raise it whenever that shape changes.
ENTRY_FORMAT = "2"
# A safety net: an entry is read again at least this often, whatever happens.
TIMEOUT_SECONDS = 60 * 60


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY) or uuid.uuid4().hex
    return generation


# Objects built in this process (``published_in_process``): the most recently used.
IN_PROCESS_ENTRIES = 256
_in_process = ProcessCache(IN_PROCESS_ENTRIES)


def _key(name: str, parts: tuple) -> str:
    return ":".join(
        ["published-content", ENTRY_FORMAT, _generation(), name, *map(str, parts)]
    )


def published_cached(name: str, parts: tuple, build: Callable[[], Any]) -> Any:
    """Return ``build()``'s published content, from the cache when it holds it.

    None (no such published content) is not kept: a page that does not exist
    fills no cache entry, whatever address is asked for.
    """
    key = _key(name, parts)
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, timeout=TIMEOUT_SECONDS)
    return value


def published_in_process(name: str, parts: tuple, build: Callable[[], Any]) -> Any:
    """Return ``build()``'s object, kept in this process for the current generation.

    For objects that are costly to build from the shared cache's entries and do
    not pickle (pages whose lessons were parsed and pictures read). Callers
    only read them: the process's threads share them. None is not kept.
    """
    return _in_process.get_or_build(_key(name, parts), build)


def page_frozen(page) -> tuple:
    """Return what ``page_thawed`` needs to build ``page`` again, ready to pickle.

    A page's StreamField values hold their blocks, which do not pickle: they
    are kept as their raw data and built again from it, as a database read does.
    Fields deferred when the page was read stay deferred; relations loaded with
    ``prefetch_related`` (a module's age bands) stay loaded.
    """
    from wagtail.fields import StreamField

    deferred = page.get_deferred_fields()
    names, values = [], []
    for field in type(page)._meta.concrete_fields:
        if field.attname in deferred:
            continue
        value = getattr(page, field.attname)
        if isinstance(field, StreamField):
            value = field.get_prep_value(value)
        names.append(field.attname)
        values.append(value)
    prefetched = {
        name: list(rows)
        for name, rows in getattr(page, "_prefetched_objects_cache", {}).items()
    }
    return (type(page), page._state.db, names, values, prefetched)


def page_thawed(frozen: tuple):
    """Return the page ``page_frozen`` kept, as a database read returns it."""
    model, db, names, values, prefetched = frozen
    page = model.from_db(db, names, values)
    for name, rows in prefetched.items():
        # As ``prefetch_related`` leaves a relation: a queryset already filled.
        rows_queryset = getattr(page, name).all()
        rows_queryset._result_cache = rows
        rows_queryset._prefetch_done = True
        page.__dict__.setdefault("_prefetched_objects_cache", {})[name] = rows_queryset
    return page


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def published_content_changed(**kwargs) -> None:
    """Forget the cached published content (a signal receiver)."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _page_saved_or_deleted(sender, instance, **kwargs) -> None:
    from wagtail.models import Page

    if isinstance(instance, Page):
        published_content_changed()


def connect_signals() -> None:
    """Empty the cache when what it holds may have changed."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Locale, PageViewRestriction
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from content_cms.models import AgeBand

    uid = "content_cms.published_content_changed"
    page_published.connect(published_content_changed, dispatch_uid=f"{uid}.published")
    page_unpublished.connect(
        published_content_changed, dispatch_uid=f"{uid}.unpublished"
    )
    post_page_move.connect(published_content_changed, dispatch_uid=f"{uid}.moved")
    # Any page saved or deleted (a page's ``live`` set without publishing, a
    # module deleted): pages of every type, so no sender.
    post_save.connect(_page_saved_or_deleted, dispatch_uid=f"{uid}.page_saved")
    post_delete.connect(_page_saved_or_deleted, dispatch_uid=f"{uid}.page_deleted")
    for model in (PageViewRestriction, AgeBand, Locale):
        for signal, action in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(
                published_content_changed,
                sender=model,
                dispatch_uid=f"{uid}.{action}.{model.__name__}",
            )
