"""Making the dashboard and the detail pages' panels out of what apps registered: the KPI
tiles and panels a user may see, and the figures several tiles of one page share."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oms.registry import KpiValue, Panel, registry

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest

    from oms.types import AnyUser

# The figures of the dashboard page being made (dashboard_figures): several tiles show parts
# of one statement's answer (orders today and revenue this week, four receivables tiles).
_page_figures: ContextVar[dict[Hashable, Any] | None] = ContextVar("page_figures", default=None)


@contextmanager
def dashboard_figures() -> Iterator[None]:
    """While one dashboard page is made, `shared_figure` computes each figure once."""
    token = _page_figures.set({})
    try:
        yield
    finally:
        _page_figures.reset(token)


def shared_figure(key: Hashable, compute: Callable[[], Any]) -> Any:
    """`compute()`, once per key and dashboard page (the key names the user and whatever else
    the figure depends on); outside a page (a test, another view) every call computes, so
    nothing is ever older than the page showing it."""
    figures = _page_figures.get()
    if figures is None:
        return compute()
    if key not in figures:
        figures[key] = compute()
    return figures[key]


def kpis_for(user: AnyUser) -> list[KpiValue]:
    tiles = []
    for kpi in sorted(registry.kpis, key=lambda k: k.order):
        if user.has_perm(kpi.permission) and (value := kpi.compute(user)) is not None:
            tiles.append(value)
    return tiles


@dataclass(frozen=True)
class RenderedPanel:
    name: str
    template: str
    width: str
    context: dict


def _render(panels: Iterable[Panel], request: HttpRequest, obj: Any) -> list[RenderedPanel]:
    shown = []
    for panel in sorted(panels, key=lambda p: p.order):
        if not request.user.has_perm(panel.permission):
            continue
        context = panel.context(request, obj)
        if context is not None:
            shown.append(RenderedPanel(panel.name, panel.template, panel.width, context))
    return shown


def dashboard_panels_for(request: HttpRequest) -> list[RenderedPanel]:
    return _render(registry.dashboard_panels, request, None)


def detail_panels_for(request: HttpRequest, obj: Model) -> list[RenderedPanel]:
    return _render(registry.detail_panels.get(obj._meta.label_lower, ()), request, obj)
