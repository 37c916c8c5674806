"""Run the local carrier simulator (Kuaidi100's API) until Ctrl-C or SIGTERM.

`make run` starts it next to the web server when OMS_CARRIER_SIMULATOR_RUN is on (in
development by default); see shipping/simulator.py for what it answers and pushes.
"""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from oms.localserver import host_and_port, wait_for_stop_signal
from shipping.simulator import CarrierSimulator
from shipping.simulator_protocol import QUERY_PATH, SUBSCRIBE_PATH, SimulatorConfig


def share(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Run the local carrier simulator: answers Kuaidi100-style tracking queries, accepts "
        "subscriptions and pushes signed callbacks as parcels move."
    )

    def add_arguments(self, parser):
        defaults = SimulatorConfig(accounts={})
        parser.add_argument(
            "--bind",
            default="",
            help="host:port to listen on (default: the host and port of OMS_CARRIER_SIMULATOR_URL)",
        )
        parser.add_argument(
            "--minutes-per-step",
            type=float,
            default=settings.OMS_CARRIER_SIMULATOR_MINUTES_PER_STEP,
            help="how long a parcel takes from one scan to the next (0: its whole journey at once)",
        )
        for name, value, what in (
            ("exception-share", defaults.exception_share, "parcels held up, damaged or missed"),
            ("return-share", defaults.return_share, "parcels refused or returned to the sender"),
            ("duplicate-share", defaults.duplicate_share, "pushes sent twice"),
            ("out-of-order-share", defaults.out_of_order_share, "pushes swapped with the next"),
        ):
            parser.add_argument(f"--{name}", type=share, default=value, help=f"share of {what}")
        parser.add_argument(
            "--retry-seconds",
            type=float,
            default=defaults.retry_seconds,
            help="first pause before a refused push is sent again (doubles each time)",
        )
        parser.add_argument("--seed", default="", help="another seed, other journeys")
        parser.add_argument(
            "--state",
            default=str(settings.VAR_DIR / "carrier-simulator.sqlite3"),
            help="SQLite file that keeps parcels and subscriptions across restarts",
        )

    def handle(self, *args, **options):
        host, port = self.address(options["bind"] or settings.OMS_CARRIER_SIMULATOR_URL)
        config = SimulatorConfig(
            accounts=settings.OMS_CARRIER_SIMULATOR_ACCOUNTS,
            step_seconds=max(0.0, options["minutes_per_step"]) * 60,
            exception_share=options["exception_share"],
            return_share=options["return_share"],
            duplicate_share=options["duplicate_share"],
            out_of_order_share=options["out_of_order_share"],
            retry_seconds=options["retry_seconds"],
            seed=options["seed"],
            state_path=options["state"],
        )
        logging.basicConfig(
            level=logging.DEBUG if options["verbosity"] > 1 else logging.INFO,
            format="simulator %(levelname)s %(message)s",
        )
        try:
            simulator = CarrierSimulator(config, host, port)
        except OSError as error:
            raise CommandError(f"cannot listen on {host}:{port}: {error}") from None
        simulator.start()
        self.stdout.write(
            self.style.SUCCESS(
                f"Carrier simulator at {simulator.url}: query POST {QUERY_PATH}, "
                f"subscribe POST {SUBSCRIBE_PATH}; a scan every "
                f"{options['minutes_per_step']:g} min."
            )
        )
        wait_for_stop_signal()
        simulator.stop()
        self.stdout.write("Carrier simulator stopped.")

    @staticmethod
    def address(value: str) -> tuple[str, int]:
        try:
            return host_and_port(value)
        except ValueError as error:
            raise CommandError(str(error)) from None
