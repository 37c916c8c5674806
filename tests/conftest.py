import os
import shutil

import pytest

from tests.factories import ProductFactory, UserFactory, WarehouseFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM then needs this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: rate limits (oms.ratelimit) count per client
    address, and every test client has the same one."""
    from django.core.cache import cache

    from oms.ratelimit import forget_counts

    cache.clear()
    forget_counts()  # the limiter counts in the shared cache: only its own keys go


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language: a request in Chinese (LocaleMiddleware, the
    order page's switch) leaves its language active in the thread, and a later test's
    messages would come out in Chinese."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def run_hooks(django_capture_on_commit_callbacks):
    """Run what commit starts (the tasks hooks and services queue), in this process."""
    from oms.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    try:
        yield lambda: django_capture_on_commit_callbacks(execute=True)
    finally:
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_eager_propagates = False


@pytest.fixture
def user_with_role(db):
    def make(role: str, **kwargs):
        return UserFactory(username=kwargs.pop("username", f"{role}-user"), role=role, **kwargs)

    return make


@pytest.fixture
def client_for(client, user_with_role):
    """A test client signed in as a user of the given role."""

    def make(role: str):
        client.force_login(user_with_role(role))
        return client

    return make


@pytest.fixture
def warehouse_user(user_with_role):
    return user_with_role("warehouse")


@pytest.fixture
def product(db):
    return ProductFactory()


@pytest.fixture
def warehouses(db):
    return WarehouseFactory(code="SH1"), WarehouseFactory(code="GZ1", region="GD", city="广州")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium, with the flags that keep it off the (closed) network."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail(
            "Debian's chromium is not installed: run `make test` as root, or apt-get install chromium"
        )
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }
