"""Demo invoices and credit notes: the demo orders billed by their terms (filled in below)."""


def seed_billing_demo(context) -> None:
    pass
