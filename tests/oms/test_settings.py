import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-key-3f9c1d7e8b2a4c6d0e5f7a9b1c3d5e7f9a0b2c4d",
    "ALLOWED_HOSTS": "oms.example.com",
}


def clean_environment() -> dict[str, str]:
    """The test process's environment minus what only tests set (browser tests need this one)."""
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_passes_the_deployment_checklist():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**clean_environment(), **PRODUCTION_ENV},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_requires_a_secret_key():
    child_env = {
        k: v for k, v in {**clean_environment(), **PRODUCTION_ENV}.items() if k != "SECRET_KEY"
    }
    result = manage("check", env=child_env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_every_task_has_consistent_time_limits():
    """A soft limit above the hard one makes beat refuse to send the task at all."""
    from oms import celery_app

    celery_app.loader.import_default_modules()
    ours = [
        t
        for name, t in celery_app.tasks.items()
        if name.split(".")[0] in {"oms", "inventory", "orders"}
    ]
    assert len(ours) >= 7
    for task in ours:
        hard = task.time_limit or celery_app.conf.task_time_limit
        soft = task.soft_time_limit or celery_app.conf.task_soft_time_limit
        assert soft <= hard, task.name
