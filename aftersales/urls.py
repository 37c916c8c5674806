"""After-sales pages: each part of the app adds its patterns here."""

app_name = "aftersales"
urlpatterns: list = []
