from decimal import Decimal

import pytest
from django.utils import timezone

from customers.choices import CustomerGroup
from inventory.services import stock_receive
from orders.models import PriceList, PriceListItem
from orders.services import LineRequest, order_create
from tests.factories import AddressFactory, CustomerFactory, ProductFactory, WarehouseFactory


class Catalog:
    """Two warehouses (Shanghai, Guangzhou), products priced for every customer group."""

    def __init__(self):
        self.shanghai = WarehouseFactory(
            code="SH1", region="SH", latitude=Decimal("31.23"), longitude=Decimal("121.47")
        )
        self.guangzhou = WarehouseFactory(
            code="GZ1",
            region="GD",
            city="广州",
            latitude=Decimal("23.13"),
            longitude=Decimal("113.26"),
        )
        self.price_lists = {
            group: PriceList.objects.create(
                name=f"{group} prices", customer_group=group, prices_include_tax=True
            )
            for group in CustomerGroup.values
        }

    def product(self, price="100.00", *, made_to_order=False, breaks=(), **kwargs):
        product = ProductFactory(made_to_order=made_to_order, **kwargs)
        for price_list in self.price_lists.values():
            PriceListItem.objects.create(
                price_list=price_list, product=product, unit_price=Decimal(price)
            )
            for min_quantity, break_price in breaks:
                PriceListItem.objects.create(
                    price_list=price_list,
                    product=product,
                    min_quantity=min_quantity,
                    unit_price=Decimal(break_price),
                )
        return product

    def stock(self, product, warehouse, quantity):
        stock_receive(actor=None, product=product, warehouse=warehouse, quantity=quantity)

    def customer(self, *, region="ZJ", lat=None, lon=None, **kwargs):
        customer = CustomerFactory(region=region, **kwargs)
        AddressFactory(customer=customer, region=region, latitude=lat, longitude=lon)
        return customer

    def order(self, customer, *lines, actor=None, **kwargs):
        return order_create(
            actor=actor,
            customer=customer,
            lines=[LineRequest(product, quantity) for product, quantity in lines],
            **kwargs,
        )


@pytest.fixture
def catalog(db):
    return Catalog()


@pytest.fixture
def today():
    return timezone.localdate()
