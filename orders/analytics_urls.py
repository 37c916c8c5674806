from django.urls import path

from orders.views import analytics

app_name = "analytics"
urlpatterns = [
    path("sales/", analytics.SalesAnalyticsView.as_view(), name="sales"),
    path("sales/refresh/", analytics.SalesSummaryRefreshView.as_view(), name="refresh"),
]
