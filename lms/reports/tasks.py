"""Background work of the reports, through django-tasks (settings ``TASKS``)."""

from django_tasks import task

from lms.reports.services import report_export_run


@task()
def report_export_task(*, export_id: int) -> str:
    """Make the file of one ``ReportExport`` (see ``report_export_run``)."""
    export = report_export_run(export_id=export_id)
    return export.content_hash if export is not None else ""
