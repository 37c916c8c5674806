from oms.import_command import ImportCommand


class Command(ImportCommand):
    kind = "products"
