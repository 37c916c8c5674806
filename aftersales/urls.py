"""After-sales pages: each part of the app adds its patterns here."""

from aftersales.return_urls import urlpatterns as return_patterns

app_name = "aftersales"
urlpatterns: list = [*return_patterns]
