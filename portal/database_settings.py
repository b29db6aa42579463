"""Settings kept on the database itself (``ALTER DATABASE … SET``), for every connection
that opens on it: web, workers, a connection pooler. Used by portal's migrations."""


def database_setting_alter(schema_editor, name: str, value: str | None) -> None:
    """Set ``name`` to ``value`` on the database and this connection; None resets it.
    PostgreSQL only (another database has no such settings)."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    database = connection.ops.quote_name(connection.settings_dict["NAME"])
    if value is None:
        schema_editor.execute(f"ALTER DATABASE {database} RESET {name}")
        schema_editor.execute(f"RESET {name}")
    else:
        schema_editor.execute(f"ALTER DATABASE {database} SET {name} = {value}")
        schema_editor.execute(f"SET {name} = {value}")
