import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from oms.demo import SeedContext, history_being_written
from oms.messaging import messages_suppressed
from oms.registry import seeders_in_order

DEFAULT_ORDERS = 2000


def demo_orders_default() -> int:
    """DEMO_ORDERS from the environment (or .env), so a slow machine can start with fewer."""
    value = os.environ.get("DEMO_ORDERS", "").strip()
    if not value:
        return DEFAULT_ORDERS
    try:
        orders = int(value)
    except ValueError:
        raise CommandError(f"DEMO_ORDERS must be a whole number, not {value!r}.") from None
    if orders < 0:
        raise CommandError("DEMO_ORDERS must not be negative.")
    return orders


class Command(BaseCommand):
    help = (
        "Load demo data (idempotent): a user per role, then every app's demo rows "
        "(warehouses, products, stock, customers, 18 months of orders, ...)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=500)
        parser.add_argument(
            "--orders",
            type=int,
            default=None,
            help=f"Demo orders to have (default: DEMO_ORDERS, else {DEFAULT_ORDERS}).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo data although DEBUG is off (demo users have a published password).",
        )

    def handle(self, *args, customers: int, orders: int | None, allow_production: bool, **options):
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: the demo users' password is "
                "published. Pass --allow-production to do it anyway."
            )
        if orders is None:
            orders = demo_orders_default()
        context = SeedContext(customers=customers, orders=orders, stdout=self.stdout)
        with messages_suppressed(), history_being_written():
            for seeder in seeders_in_order():
                seeder.run(context)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
