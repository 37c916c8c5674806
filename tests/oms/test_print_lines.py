"""Printed cells broken into lines by the template (oms.documents.wrap_for_print), so that
WeasyPrint lays each line out once: no line longer than asked, nothing lost or reordered,
HTML entities never cut, and a cell's text in a real PDF stays inside its column."""

import re
import subprocess
import unicodedata

from django.template import Context, Template

from oms.documents import html_to_pdf, wrap_for_print


def ems(line: str) -> float:
    pieces = re.findall(r"&#?\w+;|.", line)
    return sum(1.0 if unicodedata.east_asian_width(p[0]) in "WF" else 0.6 for p in pieces)


def test_lines_fit_and_keep_every_word_in_order():
    text = "CL-0001  超长的商品名称：星空系列可调光LED吸顶灯 客厅卧室通用 金色款 Extra long name"
    wrapped = wrap_for_print(text, 20)
    lines = wrapped.split("\n")
    assert len(lines) > 1
    assert all(ems(line) <= 20 for line in lines)
    # Joined again, only the breaks differ: no character lost, none moved.
    assert "".join(wrapped.split()) == "".join(text.split())
    assert lines[0].startswith("CL-0001  超")  # the spaces a line keeps stay as typed


def test_a_short_text_is_left_alone():
    assert wrap_for_print("CL-0000  星空吸顶灯 24W 金色", 40) == "CL-0000  星空吸顶灯 24W 金色"


def test_entities_are_never_cut_and_count_as_one_character():
    text = "SO-2026-000001&nbsp;×&nbsp;3; SO-2026-000002&nbsp;×&nbsp;11; AT&amp;T &lt;b&gt;"
    lines = wrap_for_print(text, 12).split("\n")
    assert lines == [
        "SO-2026-000001&nbsp;×&nbsp;3;",
        "SO-2026-000002&nbsp;×&nbsp;11;",
        "AT&amp;T &lt;b&gt;",
    ]


def test_a_word_longer_than_a_line_is_cut():
    lines = wrap_for_print("X" * 50, 6).split("\n")
    assert lines == ["X" * 10] * 5


def test_the_filter_in_a_template_keeps_escaping():
    template = Template("{% load oms %}{% filter print_lines:5 %}{{ name }}{% endfilter %}")
    out = template.render(Context({"name": "<b>灯具 & 配件</b>"}))
    assert "<b>" not in out
    assert "&lt;b&gt;" in out
    assert "\n" in out


def test_a_long_name_stays_in_its_column_of_a_pdf(tmp_path):
    name = "星空系列可调光LED吸顶灯 客厅卧室通用 金色款 Extra long English name " * 2
    html = (
        "<html><body style='font-family: \"Noto Sans CJK SC\"; font-size: 9.5pt; margin: 0'>"
        "<table style='table-layout: fixed; width: 110mm; border-collapse: separate'>"
        "<col style='width: 100mm'><col style='width: 10mm'>"
        f"<tr><td style='white-space: pre; padding: 0'>{wrap_for_print(name, 30)}</td>"
        "<td>END</td></tr></table></body></html>"
    )
    pdf = tmp_path / "cell.pdf"
    pdf.write_bytes(html_to_pdf(html))
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', boxes)
    name_words = [(float(x0), float(x1)) for x0, x1, word in words if word != "END"]
    assert len(name_words) > 5
    # The first column (100 mm, in points) starts where the page's margin ends.
    right_edge = min(x0 for x0, _ in name_words) + 100 / 25.4 * 72
    assert max(x1 for _, x1 in name_words) < right_edge
    assert any(word == "END" for *_, word in words)
