"""A PostgreSQL database backend that starts the embedded server (pgserver) on first use.

Used only when DATABASE_URL is unset, so a fresh checkout runs without installing or
configuring PostgreSQL. The server keeps its data under var/pgdata and is shared by every
process of the project; it stops when the last process that used it exits.
"""
