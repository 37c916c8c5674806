"""Tracking: what carriers report about parcels, stored once per event and turned into
shipment progress.

- `statuses`: the normalised tracking statuses and what each means for a shipment.
- `adapters`: one adapter per carrier integration (`Carrier.tracking_kind`): query, subscribe,
  verify and parse a push, normalise a carrier's status code. `kuaidi100`, `webhook` and
  `manual` are the three shipped.
- `services`: storing events (each once) and applying them to the shipment under its lock,
  receiving pushes, polling and subscribing.
- `tasks`: the Celery side (queue "tracking").
"""
