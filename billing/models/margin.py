"""The margin's right: no table, only the permission (billing.view_margin) that shows the
order page's margin panel and the margin report to managers and finance."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MarginReport(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("margin report")
        permissions = [("view_margin", _("Can see costs and margins"))]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
