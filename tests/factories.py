from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from customers.models import Address, Customer
from inventory.models import Category, Product, Warehouse
from oms.roles import sync_role_groups


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            if not Group.objects.filter(name=extracted).exists():
                # Transactional tests empty every table, the migration's role groups included.
                sync_role_groups(Group, Permission)
            self.groups.add(Group.objects.get(name=extracted))
        self.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"测试客户 {n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    region = "ZJ"
    credit_limit = Decimal("10000.00")
    # On account, not the model's default (prepaid): a prepaid order is dispatched only once
    # its invoice is paid (billing's dispatch guard). Tests of prepaid flows ask for it.
    payment_terms = "net_30"


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    customer = factory.SubFactory(CustomerFactory)
    recipient = "张三"
    phone = "13812345678"
    region = "ZJ"
    city = "杭州"
    street = "文三路 100 号"
    is_default_shipping = True
    is_default_billing = True


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = "吸顶灯"
    name_en = "Ceiling lights"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"TS-{n:05d}")
    name = factory.Sequence(lambda n: f"LED吸顶灯 {n}")
    name_en = factory.Sequence(lambda n: f"LED ceiling light {n}")
    category = factory.SubFactory(CategoryFactory)
    weight_kg = Decimal("1.500")
    standard_cost = Decimal("50.00")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"W{n:02d}")
    name = factory.Sequence(lambda n: f"测试仓 {n}")
    region = "SH"
    city = "上海"
    address = "嘉定区 1 号"
    latitude = Decimal("31.230000")
    longitude = Decimal("121.470000")
