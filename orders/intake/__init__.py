"""Intake: where orders come from. A channel is a row (`Channel`: the back office, imports,
the API, each web shop and marketplace store); every intake path ends in
`orders.services.order_place` with the channel's code, so a channel's order passes the same
checks as one typed in the back office."""
