"""The bench database of orders, shared by bench/order_list.py and bench/export.py.

1,000,000 orders by default, each with what a real order carries: 2.6 lines, 3.4 timeline
events and 1.8 allocations on average, over 50,000 customers, 2,000 products and 6
warehouses. Everything is loaded with INSERT ... SELECT generate_series (seconds to a few
minutes, not hours); each table is filled once and reused by later runs.
"""

import time

DB = "oms_bench_orders"
CITIES = [
    "上海",
    "北京",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "重庆",
    "宁波",
]
STATUSES = [
    "draft",
    "pending_review",
    "confirmed",
    "backordered",
    "in_production",
    "allocated",
    "picking",
    "shipped",
    "delivered",
    "completed",
    "completed",
    "completed",
    "cancelled",
]
WAREHOUSES = 6
PRODUCTS = 2000
# Per order, picked by order id: ten values whose mean is the figure wanted.
LINES_PER_ORDER = [1, 2, 2, 3, 3, 4, 2, 3, 3, 3]  # 2.6
EVENTS_PER_ORDER = [2, 3, 3, 4, 4, 3, 4, 3, 4, 4]  # 3.4
# A line is allocated when line id % 13 < 9: 9/13 of 2.6 lines = 1.8 allocations per order.
ALLOCATED_OF_13 = 9


def build(orders: int = 1_000_000, customers: int = 50_000) -> None:
    """Migrate the bench database and fill whatever is missing."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        _step(
            cursor,
            "customers",
            "customers_customer WHERE code LIKE 'B%'",
            customers,
            _customers,
            customers=customers,
        )
        _step(cursor, "orders", "orders_order", orders, _orders, orders=orders, customers=customers)
        _step(cursor, "catalogue", "inventory_stocklevel", WAREHOUSES * PRODUCTS, _catalogue)
        expected_lines = orders * sum(LINES_PER_ORDER) // len(LINES_PER_ORDER)
        _step(cursor, "order_lines", "orders_orderline", expected_lines, _lines)
        expected_events = orders * sum(EVENTS_PER_ORDER) // len(EVENTS_PER_ORDER)
        _step(cursor, "order_events", "orders_orderevent", expected_events, _events)
        _step(cursor, "allocations", "orders_allocation", orders, _allocations)


def _step(cursor, name: str, table_where: str, wanted: int, fill, **params) -> None:
    # Reuse: a table that already holds (about) what is wanted is left alone.
    cursor.execute(f"SELECT count(*) FROM {table_where}")
    if cursor.fetchone()[0] >= wanted * 0.95:
        return
    start = time.perf_counter()
    fill(cursor, **params)
    table = table_where.split()[0]
    cursor.execute(f"ANALYZE {table}")
    print(f"bulk_load_{name}: {time.perf_counter() - start:.1f} s")


def _customers(cursor, *, customers: int) -> None:
    from customers.seeders import COMPANY_KINDS, COMPANY_WORDS

    cursor.execute(
        """
        INSERT INTO customers_customer (code, name, kind, contact_person, phone, email, "group",
            tier, credit_limit, payment_terms, region, tags, notes, credit_hold, is_active,
            language, opt_out_non_essential, preferred_channel, preferred_carrier,
            fapiao_account, fapiao_address, fapiao_bank, fapiao_phone, fapiao_title,
            fapiao_type, taxpayer_id, created_at, updated_at)
        SELECT 'B' || lpad(g::text, 7, '0'),
               (%(cities)s::text[])[1 + g %% 12] || (%(words)s::text[])[1 + (g / 12) %% 15]
                   || (%(kinds)s::text[])[1 + (g / 180) %% 8] || '有限公司 ' || g,
               'business', '', '13' || lpad(g::text, 9, '0'), '', 'wholesale', 'standard', 0,
               'net_30', 'ZJ', '{}', '', false, true, 'zh-hans', false, 'sms', '', '', '', '',
               '', '', 'general', '', now(), now()
        FROM generate_series(1, %(customers)s) g
        ON CONFLICT (code) DO NOTHING
        """,
        {"cities": CITIES, "words": COMPANY_WORDS, "kinds": COMPANY_KINDS, "customers": customers},
    )


def _orders(cursor, *, orders: int, customers: int) -> None:
    cursor.execute("SELECT min(id) FROM customers_customer WHERE code LIKE 'B%'")
    first_customer = cursor.fetchone()[0]
    cursor.execute(
        """
        INSERT INTO orders_order (number, customer_id, channel, external_reference, status,
            on_hold, hold_reason, needs_review, payment_terms, ship_recipient, ship_phone,
            ship_region, ship_city, ship_district, ship_street, ship_postal_code,
            billing_address, notes, prices_include_tax, subtotal, discount_total, tax_total,
            shipping_fee, shipping_tax, shipping_tax_rate, total, total_weight_kg, priority_score,
            priority_reasons, priority_boost, review_round, cancel_reason, requested_delivery_date,
            delivery_note, fulfilment_status, remainder_cancelled, payment_status, priced_as_sent,
            created_at, updated_at)
        SELECT 'SO-' || (2024 + g / 400000) || '-' || lpad(g::text, 7, '0'),
               %(first)s + (g::bigint * 7919) %% %(customers)s,
               (array['back_office','web_shop','marketplace','import'])[1 + g %% 4], '',
               (%(statuses)s::text[])[1 + (g * 31) %% 13], false, '', false, 'net_30',
               '收货人', '13800000000', (array['ZJ','GD','JS','SH','BJ','SC'])[1 + g %% 6],
               '杭州', '', '文三路', '', '', '', true, round((g %% 5000) * 1.7, 2), 0,
               round((g %% 5000) * 0.22, 2), 15, 0, 0, round((g %% 5000) * 1.92 + 15, 2), 1,
               g %% 97, '[]', 0, 0, '',
               CASE WHEN g %% 3 = 0 THEN date '2024-01-05' + (g / 1440) END, '', 'unfulfilled',
               false, 'unpaid', false,
               timestamp '2024-01-01' + (g || ' minutes')::interval, now()
        FROM generate_series(1, %(orders)s) g
        """,
        {"first": first_customer, "customers": customers, "orders": orders, "statuses": STATUSES},
    )


def _catalogue(cursor) -> None:
    cursor.execute(
        """
        INSERT INTO inventory_warehouse (code, name, region, city, address, latitude, longitude,
            is_active, is_quarantine)
        SELECT 'BW' || w, '仓库 ' || w, (array['ZJ','GD','JS','SH','BJ','SC'])[w], '杭州',
               '仓储路 ' || w || ' 号', 30.25, 120.16, true, false
        FROM generate_series(1, %(warehouses)s) w
        ON CONFLICT (code) DO NOTHING
        """,
        {"warehouses": WAREHOUSES},
    )
    cursor.execute(
        """
        INSERT INTO inventory_product (sku, name, name_en, model, spec, colour, unit, weight_kg,
            volume_m3, standard_cost, tax_class, made_to_order, is_active, fragile, packing_note,
            barcode, lead_time_days, pack_size, created_at, updated_at)
        SELECT 'BP-' || lpad(p::text, 6, '0'),
               (array['吸顶灯','筒灯','射灯','台灯','落地灯','灯带','吊灯','壁灯'])[1 + p %% 8]
                   || ' ' || p,
               'Lamp ' || p, 'M' || p, '', '', 'pc', 1.2, 0.01, round(20 + p %% 300, 2),
               'standard', false, true, false, '', '', 14, 1, now(), now()
        FROM generate_series(1, %(products)s) p
        ON CONFLICT (sku) DO NOTHING
        """,
        {"products": PRODUCTS},
    )
    cursor.execute(
        """
        INSERT INTO inventory_stocklevel (bin_location, on_hand, reserved, safety_stock,
            product_id, warehouse_id, average_cost, cost_known)
        SELECT 'A-' || lpad((p.id % 500)::text, 3, '0'), 100000, 0, 10, p.id, w.id,
               p.standard_cost, true
        FROM inventory_product p CROSS JOIN inventory_warehouse w
        WHERE p.sku LIKE 'BP-%' AND w.code LIKE 'BW%'
        ON CONFLICT (product_id, warehouse_id) DO NOTHING
        """
    )


def _lines(cursor) -> None:
    cursor.execute("SELECT min(id) FROM inventory_product WHERE sku LIKE 'BP-%'")
    first_product = cursor.fetchone()[0]
    cursor.execute(
        """
        INSERT INTO orders_orderline (order_id, line_no, product_id, description, quantity,
            unit_price, discount_percent, promotion_discount, promotions, net_amount, tax_rate,
            tax_amount, line_total, made_to_order)
        SELECT o.id, l, %(first)s + (o.id * 13 + l * 101) %% %(products)s, '吸顶灯 LED 24W',
               1 + (o.id + l) %% 5, 88.00, 0, 0, '[]', 88.00 * (1 + (o.id + l) %% 5), 0.13,
               round(88.00 * (1 + (o.id + l) %% 5) * 0.13 / 1.13, 2),
               88.00 * (1 + (o.id + l) %% 5), false
        FROM orders_order o
        CROSS JOIN LATERAL generate_series(1, (%(counts)s::int[])[1 + o.id %% 10]) l
        WHERE NOT EXISTS (SELECT 1 FROM orders_orderline x WHERE x.order_id = o.id)
        """,
        {"first": first_product, "products": PRODUCTS, "counts": LINES_PER_ORDER},
    )


def _events(cursor) -> None:
    cursor.execute(
        """
        INSERT INTO orders_orderevent (order_id, created_at, kind, from_status, to_status, note,
            data, message, actor_id)
        SELECT o.id, o.created_at + (e || ' hours')::interval,
               (array['created','submitted','status','allocated'])[e],
               (array['','draft','confirmed','confirmed'])[e],
               (array['draft','confirmed','allocated','picking'])[e],
               CASE WHEN e = 2 THEN '客户电话确认' ELSE '' END, '{}', '{}', NULL
        FROM orders_order o
        CROSS JOIN LATERAL generate_series(1, (%(counts)s::int[])[1 + o.id %% 10]) e
        WHERE NOT EXISTS (SELECT 1 FROM orders_orderevent x WHERE x.order_id = o.id)
        """,
        {"counts": EVENTS_PER_ORDER},
    )


def _allocations(cursor) -> None:
    cursor.execute(
        """
        INSERT INTO orders_allocation (line_id, stock_level_id, quantity, created_at)
        SELECT l.id, s.id, l.quantity, now()
        FROM orders_orderline l
        JOIN inventory_warehouse w ON w.code = 'BW' || (1 + l.id %% %(warehouses)s)
        JOIN inventory_stocklevel s ON s.product_id = l.product_id AND s.warehouse_id = w.id
        WHERE l.id %% 13 < %(allocated)s
        ON CONFLICT (line_id, stock_level_id) WHERE issued_at IS NULL DO NOTHING
        """,
        {"warehouses": WAREHOUSES, "allocated": ALLOCATED_OF_13},
    )
    # Reservations match the allocations, as the allocation service keeps them.
    cursor.execute(
        """
        UPDATE inventory_stocklevel s SET reserved = a.total, on_hand = a.total + 1000
        FROM (SELECT stock_level_id, sum(quantity) AS total FROM orders_allocation
              GROUP BY stock_level_id) a
        WHERE a.stock_level_id = s.id
        """
    )


def build_ledger(rows: int = 1_000_000) -> None:
    """The stock ledger: receipts, issues to orders (their numbers as references) and a few
    adjustments with notes, spread over the bench catalogue."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        _step(cursor, "catalogue", "inventory_stocklevel", WAREHOUSES * PRODUCTS, _catalogue)
        _step(cursor, "ledger", "inventory_stockmovement", rows, _ledger, rows=rows)


def _ledger(cursor, *, rows: int) -> None:
    cursor.execute(
        """
        WITH levels AS (SELECT array_agg(id ORDER BY id) AS ids FROM inventory_stocklevel)
        INSERT INTO inventory_stockmovement (created_at, stock_level_id, product_id,
            warehouse_id, kind, quantity, balance_after, reason, reference, note, actor_id)
        SELECT timestamp '2024-01-01' + (g || ' minutes')::interval, s.id, s.product_id,
               s.warehouse_id,
               CASE WHEN g %% 10 = 0 THEN 'receipt' WHEN g %% 97 = 0 THEN 'adjustment'
                    ELSE 'issue' END,
               CASE WHEN g %% 10 = 0 THEN 50 ELSE -1 END, 1000,
               CASE WHEN g %% 97 = 0 AND g %% 10 <> 0 THEN 'damaged' ELSE '' END,
               CASE WHEN g %% 10 = 0 THEN 'PO-' || (g / 10)
                    ELSE 'SO-' || (2024 + g / 400000) || '-' || lpad(g::text, 7, '0') END,
               CASE WHEN g %% 997 = 0 THEN 'carton crushed in transit'
                    WHEN g %% 10 = 0 THEN '送货单 DN' || (g / 10) ELSE '' END,
               NULL
        FROM generate_series(1, %(rows)s) g CROSS JOIN levels
        JOIN inventory_stocklevel s ON s.id = levels.ids[1 + g %% array_length(levels.ids, 1)]
        """,
        {"rows": rows},
    )
