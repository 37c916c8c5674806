import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def import_dir(tmp_path, monkeypatch):
    folder = tmp_path / "imports"
    monkeypatch.setattr(settings, "OMS_IMPORT_DIR", folder)
    return folder
