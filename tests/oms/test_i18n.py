import shutil
import subprocess

import pytest
from django.conf import settings
from django.utils import translation

from oms.regions import PROVINCES

PO_FILE = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext is installed by make test")
def test_chinese_translation_is_complete():
    for flag in ("--untranslated", "--only-fuzzy"):
        out = subprocess.run(
            ["msgattrib", flag, "--no-obsolete", str(PO_FILE)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "msgid" not in out.replace('msgid ""\nmsgstr ""', "", 1), f"{flag}:\n{out[:2000]}"


def test_status_words_and_provinces_in_chinese():
    with translation.override("zh-hans"):
        assert translation.gettext("Stock ledger") == "库存流水"
        assert str(PROVINCES[0].name) == "北京"


def test_language_switch_sets_the_interface_language(client_for):
    client = client_for("sales")
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/customers/"})
    assert response.status_code == 302
    html = client.get("/customers/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "客户" in html
    assert "导出 CSV" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Export CSV" in client.get("/customers/").content.decode()


def test_dates_and_numbers_follow_the_locale(client_for, product, warehouses):
    from inventory.services import stock_receive

    stock_receive(actor=None, product=product, warehouse=warehouses[0], quantity=12345)
    client = client_for("warehouse")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get("/stock/").content.decode()
    assert "12,345" in html
    from django.utils import timezone

    today = timezone.localdate()
    ledger = client.get("/stock/ledger/").content.decode()
    assert f"{today.year}年{today.month}月{today.day}日" in ledger
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert today.isoformat() in client.get("/stock/ledger/").content.decode()
