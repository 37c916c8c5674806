"""Printing lays out with Python's cycle collector paused (oms.documents.gc_paused), and the
collector is back afterwards, also when threads of one worker print at once."""

import gc
import io
import threading

import pytest
from pypdf import PdfReader

from oms.documents import gc_paused, html_to_pdf


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_paused_while_printing_and_back_after():
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_after_an_error():
    with pytest.raises(ValueError, match="layout failed"), gc_paused():
        raise ValueError("layout failed")
    assert gc.isenabled()


def test_stays_off_when_it_was_off():
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_overlapping_prints_in_threads():
    """The first thread done does not turn the collector back on under the second."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with gc_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with gc_paused():
            second_in.set()
            first_out.wait(5)
            seen["after first left"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"after first left": False}
    assert gc.isenabled()


def test_html_to_pdf_leaves_the_collector_on():
    pdf = html_to_pdf("<p>拣货单</p>")
    assert PdfReader(io.BytesIO(pdf)).pages
    assert gc.isenabled()
