"""After-sales pages: each part of the app adds its patterns here."""

from aftersales import case_urls

app_name = "aftersales"
urlpatterns: list = [*case_urls.urlpatterns]
