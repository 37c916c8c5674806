from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from oms.demo import SeedContext
from oms.registry import seeders_in_order


class Command(BaseCommand):
    help = (
        "Load demo data (idempotent): a user per role, then every app's demo rows "
        "(warehouses, products, stock, customers, orders, ...)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=500)
        parser.add_argument("--orders", type=int, default=2000)
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo data although DEBUG is off (demo users have a published password).",
        )

    def handle(self, *args, customers: int, orders: int, allow_production: bool, **options):
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: the demo users' password is "
                "published. Pass --allow-production to do it anyway."
            )
        context = SeedContext(customers=customers, orders=orders, stdout=self.stdout)
        for seeder in seeders_in_order():
            seeder.run(context)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
