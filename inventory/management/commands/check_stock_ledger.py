from django.core.management.base import BaseCommand, CommandError

from inventory.services import stock_ledger_check


class Command(BaseCommand):
    help = "Check that every stock level's on_hand equals the sum of its ledger rows."

    def handle(self, *args, **options):
        drift = stock_ledger_check()
        for level in drift:
            self.stdout.write(
                f"{level.product.sku} @ {level.warehouse.code}: on_hand={level.on_hand} "
                f"ledger={level.ledger_total} (off by {level.on_hand - level.ledger_total:+d})"
            )
        if drift:
            raise CommandError(f"{len(drift)} stock levels differ from their ledger")
        self.stdout.write(self.style.SUCCESS("Every on_hand equals the sum of its ledger."))
