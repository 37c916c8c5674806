"""What every shipping model module shares."""

MONEY = {"max_digits": 14, "decimal_places": 2}
