import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
_site = get_wsgi_application()  # sets Django up: the apps have registered their URLs

from oms.machine import machine_aware  # noqa: E402

# Machine paths (a carrier's pushes) skip the browser's middleware: oms/machine.py.
application = machine_aware(_site)
