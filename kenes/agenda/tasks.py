"""Background work (django-tasks): recomputing a consultation's analysis off the request path."""

from django_tasks import task

from kenes.agenda import analysis


@task()
def recompute(consultation_id: int) -> None:
    analysis.do_recompute(consultation_id)
