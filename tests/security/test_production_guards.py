"""Production never gets demo users with the published password, nor a password in a log."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings


@pytest.mark.django_db
@override_settings(PRODUCTION=True)
def test_seed_demo_refuses_in_production():
    with pytest.raises(CommandError, match="allow-production"):
        call_command("seed_demo", customers=1, orders=0, stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="sales1").exists()


@pytest.mark.django_db
def test_ensure_admin_in_production_needs_a_password(tmp_path):
    with override_settings(PRODUCTION=True, ADMIN_PASSWORD="", VAR_DIR=tmp_path):
        with pytest.raises(CommandError, match="ADMIN_PASSWORD"):
            call_command("ensure_admin", stdout=io.StringIO())
        with (
            pytest.raises(CommandError, match="too weak"),
            override_settings(ADMIN_PASSWORD="admin"),
        ):
            call_command("ensure_admin", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_ensure_admin_in_production_never_prints_the_password(tmp_path):
    secret = "Corr3ct-Horse-Battery-Staple"
    out = io.StringIO()
    with override_settings(PRODUCTION=True, ADMIN_PASSWORD=secret, VAR_DIR=tmp_path):
        call_command("ensure_admin", stdout=out)
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password(secret)
    assert admin.is_superuser
    assert secret not in out.getvalue()
    assert not (tmp_path / "admin-login.txt").exists()


@pytest.mark.django_db
def test_ensure_admin_in_development_shows_a_generated_password(tmp_path):
    out = io.StringIO()
    with override_settings(PRODUCTION=False, VAR_DIR=tmp_path):
        call_command("ensure_admin", stdout=out)
    saved = (tmp_path / "admin-login.txt").read_text()
    password = saved.split("password: ")[1].strip()
    assert password in out.getvalue()
    assert get_user_model().objects.get(username="admin").check_password(password)
