"""The database plans as the platform's short queries need (portal migrations 0001–0002):
every new connection, whichever process opens it, reads an SSD's page cost and does not
compile queries to machine code."""

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_a_new_connection_plans_for_ssd_without_jit():
    # A connection of its own, as another process would open.
    with psycopg.connect(**connection.get_connection_params()) as other:
        page_cost = other.execute("SHOW random_page_cost").fetchone()[0]
        jit = other.execute("SHOW jit").fetchone()[0]

    assert (page_cost, jit) == ("1.1", "off")
