import os

from celery import Celery
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")

app = Celery("oms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class RegistryScheduler(PersistentScheduler):
    """Beat's scheduler, with the periodic jobs the apps registered (oms.registry).

    The apps register while Django starts, after Celery read its settings; a job named in
    CELERY_BEAT_SCHEDULE overrides a registered one of the same name.
    """

    def setup_schedule(self):
        from oms.registry import beat_schedule

        self.app.conf.beat_schedule = {**beat_schedule(), **self.app.conf.beat_schedule}
        super().setup_schedule()
