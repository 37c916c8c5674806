"""The management commands that import a file without the pages (`import_customers FILE`,
`import_products FILE`, `import_orders FILE`, `import_stock FILE`): the same importers, run in
the command's process, with `--dry-run` to check only."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from oms import imports
from oms.choices import ImportAction


class ImportCommand(BaseCommand):
    kind = ""  # the importer's code

    @property
    def help(self) -> str:  # type: ignore[override]
        return f"Import a CSV or XLSX file of {self.kind} (--dry-run: check only, write nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a CSV (UTF-8 or GBK) or XLSX file")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen, write nothing"
        )
        parser.add_argument(
            "--user", help="the username recorded as the actor (default: the system)"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']}")
        importer = imports.importer_for(self.kind)
        errors: list[imports.RowResult] = []

        def on_batch(report, results, values):
            errors.extend(r for r in results if r.action == ImportAction.ERROR)
            self.stderr.write(f"{report.rows} rows", ending="\r")

        try:
            report = imports.run_import(
                importer=importer,
                path=path,
                file_name=path.name,
                actor=actor,
                dry_run=options["dry_run"],
                on_batch=on_batch,
            )
        except imports.ImportFileError as exc:
            raise CommandError(str(exc)) from None
        for error in errors:
            column = f" [{error.column}]" if error.column else ""
            self.stdout.write(f"row {error.row}{column}: {error.message}")
        counts = ", ".join(f"{action}: {count}" for action, count in report.counts.items())
        mode = "checked (nothing written)" if options["dry_run"] else "imported"
        self.stdout.write(f"{report.rows} rows {mode}; {counts}")
