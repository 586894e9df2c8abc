"""Background tasks (django-tasks), imported only when the project configures it."""

from django_tasks import task

from certificates.bundles import bundle_build


@task()
def bundle_build_task(*, bundle_id: int) -> None:
    """Build a class's certificate bundle in a worker."""
    bundle_build(bundle_id=bundle_id)
