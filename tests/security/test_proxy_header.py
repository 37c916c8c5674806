"""X-Forwarded-Proto is believed only when a proxy that overwrites it is in front."""

from tests.oms.test_settings import PRODUCTION_ENV, clean_environment, manage

PROBE = (
    "from django.conf import settings; "
    "print('trusted' if getattr(settings, 'SECURE_PROXY_SSL_HEADER', None) else 'ignored')"
)


def test_forwarded_proto_is_ignored_unless_the_proxy_is_trusted():
    env = {**clean_environment(), **PRODUCTION_ENV}
    env.pop("TRUST_PROXY_HEADERS", None)
    assert manage("shell", "-c", PROBE, env=env).stdout.split()[-1] == "ignored"
    trusted = {**env, "TRUST_PROXY_HEADERS": "1"}
    assert manage("shell", "-c", PROBE, env=trusted).stdout.split()[-1] == "trusted"
