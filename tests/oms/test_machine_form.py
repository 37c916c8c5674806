"""oms.machine.parse_form reads a form body exactly as Django's QueryDict(body).dict() does
(the push endpoint's fields, from gunicorn or from Django's request)."""

from urllib.parse import quote_plus, urlencode

from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from oms.machine import parse_form

SAMPLES = [
    b"",
    b"a=1&b=2",
    b"a=1&a=2",  # the last of a repeated key
    b"flag&x=",  # a field without "=" is empty
    b"&&a=1&&",
    b"a=%E4%B8%AD%E6%96%87+text",
    b"a=%zz%4&b=%",  # broken escapes stay as they are
    b"a=%5C%5Cx41\\x41",  # backslashes, escaped or not
    b"a=%E4%B8",  # a cut UTF-8 sequence becomes U+FFFD
    "a=中%E4%B8%AD".encode(),  # raw non-ASCII beside escapes
    b"a=\xe4%B8%AD",  # not UTF-8: read as Latin-1, as Django does
    b"k%3D=v%26w=x",
]


def test_samples_read_as_django_reads_them():
    for body in SAMPLES:
        assert parse_form(body) == QueryDict(body).dict(), body


def test_a_push_body_reads_as_django_reads_it():
    param = '{"lastResult":{"nu":"ZT1","data":[{"context":"【上海】已揽收 \\\\ 100%"}]}}'
    body = urlencode({"param": param, "sign": "ABC"}).encode()
    assert parse_form(body) == {"param": param, "sign": "ABC"}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=30)), max_size=5))
def test_any_encoded_form_reads_as_django_reads_it(fields):
    body = "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key, value in fields).encode()
    assert parse_form(body) == QueryDict(body).dict()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60))
def test_any_bytes_read_as_django_reads_them(body):
    assert parse_form(body) == QueryDict(body).dict()
