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
# Web workers keep their database connection between requests (CONN_MAX_AGE seconds, checked
# before reuse): opening one costs more than most requests, carriers' pushes come hundreds a
# second. Each thread of each worker holds one: PostgreSQL's max_connections must cover
# workers x threads, plus the Celery workers. CONN_MAX_AGE=0 closes them after each request.
os.environ.setdefault("CONN_MAX_AGE", "60")
accesslog = "-"
# The access log never carries a secret link (/track/<token>/): oms.logredact.
logger_class = "oms.logredact.RedactingGunicornLogger"
