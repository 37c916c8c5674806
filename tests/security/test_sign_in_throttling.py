"""Guessing passwords: five failures for one username from one address lock that pair."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_fifth_wrong_password_locks_the_pair_with_a_clear_message(client):
    UserFactory(username="li")
    for _ in range(4):
        assert sign_in(client, "li", "wrong").status_code == 200  # the form again
    locked = sign_in(client, "li", "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    # Even the right password is refused while the lock lasts ...
    assert sign_in(client, "li", "pw-for-tests").status_code == 429
    # ... but not from another address, nor for another user.
    assert sign_in(client, "li", "pw-for-tests", address="198.51.100.2").status_code == 302


def test_lock_message_in_chinese(client):
    UserFactory(username="wang")
    client.cookies["django_language"] = "zh-hans"
    for _ in range(5):
        response = sign_in(client, "wang", "wrong")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_administrator_unlocks(client):
    UserFactory(username="zhao")
    for _ in range(5):
        sign_in(client, "zhao", "wrong")
    assert AccessAttempt.objects.filter(username="zhao").exists()
    call_command("axes_reset_username", "zhao")
    assert sign_in(client, "zhao", "pw-for-tests").status_code == 302


def test_a_good_sign_in_resets_the_count(client):
    UserFactory(username="sun")
    for _ in range(4):
        sign_in(client, "sun", "wrong")
    assert sign_in(client, "sun", "pw-for-tests").status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "sun", "wrong").status_code == 200
