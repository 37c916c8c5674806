"""The URL configuration of requests only machines make (oms.machine.MachineApp resolves
their paths with it): the URL modules the apps registered with register_machine_urls, whose
views are machine views (oms.machine.machine_view), nothing else."""

from django.urls import include, path

from oms.registry import registry

urlpatterns = [
    path(prefix, include(module)) for prefix, module, _path in registry.machine_url_modules
]
