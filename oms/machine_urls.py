"""The URL configuration of requests only machines make (oms.machine): the URL modules the
apps registered with register_machine_urls, nothing else."""

from django.urls import include, path

from oms.registry import registry

urlpatterns = [
    path(prefix, include(module)) for prefix, module, _path in registry.machine_url_modules
]

handler404 = "oms.machine.not_found"
handler500 = "oms.machine.server_error"
