"""Operations scripts run beside the product: ``make prod`` and the restore drill.

They drive ``manage.py`` and PostgreSQL's own tools as separate processes and import
nothing of the apps (docs/operations.md).
"""
