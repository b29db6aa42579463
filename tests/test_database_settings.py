"""The database plans as the platform's short queries need (portal migrations 0001–0002):
every new connection, whichever process opens it, reads an SSD's page cost and does not
compile queries to machine code; and the small tables every whole-commune query joins are
analysed after a few changes, not 50."""

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


def test_the_tables_of_communes_and_neighbourhoods_are_analysed_after_a_few_changes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s) ORDER BY relname",
            [["communities_commune", "communities_community", "communities_communegroup"]],
        )
        options = cursor.fetchall()

    assert options == [
        ("communities_commune", ["autovacuum_analyze_threshold=1"]),
        ("communities_communegroup", ["autovacuum_analyze_threshold=1"]),
        ("communities_community", ["autovacuum_analyze_threshold=1"]),
    ]
