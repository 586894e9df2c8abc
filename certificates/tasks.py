"""Background work of the certificates, through django-tasks (settings ``TASKS``)."""

from django_tasks import task

from certificates.bundles import bundle_build


@task()
def bundle_build_task(*, bundle_id: int) -> None:
    """Build a class's certificate bundle (one attempt of its job, ``bundle_build``)."""
    bundle_build(bundle_id=bundle_id)
