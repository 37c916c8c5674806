"""gunicorn's settings for `make run`, the Docker image and compose (read from the working
directory). Workers and threads follow the machine's cores unless WEB_CONCURRENCY and
WEB_THREADS say otherwise."""

import multiprocessing
import os

bind = os.environ.get("OMS_BIND", "127.0.0.1:8000")
# Pages spend most of their time rendering in Python: one process per core, plus one for the
# moments a worker waits on the database; a few threads each cover slow clients and I/O.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("WEB_THREADS", 4))
timeout = 120
accesslog = "-"
# The access log never carries a secret link (/track/<token>/): oms.logredact.
logger_class = "oms.logredact.RedactingGunicornLogger"
