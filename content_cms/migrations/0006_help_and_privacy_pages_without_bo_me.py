"""The "Cần giúp đỡ" and privacy pages name the adult who looks after the child.

``cms_setup`` writes the fixed pages once (``content_cms/site_content.py``) and
editors own them afterwards, so a site set up earlier still says "bố mẹ" to
children. This replaces the starting sentences, in Vietnamese and English, in the
live pages and in their latest revision (what the editor opens), only where the
page still has the starting sentence word for word: a sentence an editor has
rewritten is left as it is. Running it again changes nothing.
"""

import json

from django.db import migrations

# (the starting text, the text that replaces it), from site_content.PAGES.
HELP_TELL = [
    (
        "<p>Ở nhà, hãy nói với bố mẹ hoặc người chăm sóc em.</p>",
        "<p>Ở nhà, hãy nói với người lớn chăm sóc em.</p>",
    ),
    (
        "<p>At home, tell your parents or the adult who looks after you.</p>",
        "<p>At home, tell the adult who looks after you.</p>",
    ),
]
PRIVACY_RIGHTS = [
    (
        "<p>Bố mẹ em và em có quyền hỏi xem chúng tôi giữ những gì, và "
        "có quyền yêu cầu xóa. Hãy nhờ thầy cô hoặc bố mẹ giúp em.</p>",
        "<p>Em và ba mẹ hoặc người chăm sóc em có quyền hỏi xem chúng tôi "
        "giữ những gì, và có quyền yêu cầu xóa. Hãy nhờ thầy cô hoặc người "
        "lớn chăm sóc em giúp em.</p>",
    ),
    (
        "<p>You and your parents can ask what we keep, and ask us to delete "
        "it. A teacher or your parents can help you.</p>",
        "<p>You and your parents or the person who looks after you can ask "
        "what we keep, and ask us to delete it. A teacher or the adult who "
        "looks after you can help you.</p>",
    ),
]


def _replaced(value, pairs):
    """Return ``value`` with the pairs replaced in every string inside it."""
    if isinstance(value, str):
        stripped = value.lstrip()
        if stripped[:1] in ("[", "{"):
            try:
                decoded = json.loads(value)
            except ValueError:
                decoded = None
            if isinstance(decoded, (list, dict)):
                changed = _replaced(decoded, pairs)
                if changed != decoded:
                    return json.dumps(changed, ensure_ascii=False)
                return value
        for old, new in pairs:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replaced(item, pairs) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, pairs) for key, item in value.items()}
    return value


def _latest_revision_update(apps, page, pairs):
    revision_model = apps.get_model("wagtailcore", "Revision")
    if not page.latest_revision_id:
        return
    revision = revision_model.objects.filter(pk=page.latest_revision_id).first()
    if revision is None:
        return
    content = _replaced(revision.content, pairs)
    if content != revision.content:
        revision.content = content
        revision.save(update_fields=["content"])


def pages_reword(apps, schema_editor):
    help_model = apps.get_model("content_cms", "GetHelpPage")
    for page in help_model.objects.all():
        raw = [dict(block) for block in page.body.raw_data]
        body = _replaced(raw, HELP_TELL)
        if body != raw:
            page.body = body
            page.save(update_fields=["body"])
        _latest_revision_update(apps, page, HELP_TELL)

    privacy_model = apps.get_model("content_cms", "PrivacyPage")
    for page in privacy_model.objects.all():
        body = _replaced(page.body, PRIVACY_RIGHTS)
        if body != page.body:
            page.body = body
            page.save(update_fields=["body"])
        _latest_revision_update(apps, page, PRIVACY_RIGHTS)


class Migration(migrations.Migration):
    dependencies = [
        ("content_cms", "0005_trusted_adult_default_wording"),
    ]

    operations = [migrations.RunPython(pages_reword, migrations.RunPython.noop)]
