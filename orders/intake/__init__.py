"""Order intake from outside the order form: imports (products with their prices, orders),
and later the channels' API and adapters. Every order ends in orders.services.order_place."""
