"""The database triggers that change PublicDataVersion whenever data on the public pages
changes (see grants/models/public.py). Made sure of after every `migrate` (grants/apps.py), not
by a migration: SQLite drops a table's triggers whenever a migration rebuilds the table."""

import secrets

# Tables whose every write can change a public page. Applications count only by status (the
# round page counts what was received), so drafts being typed do not empty the cache.
WATCHED = [
    "grants_grant",
    "grants_grant_beneficiary_kommuner",
    "grants_decision",
    "grants_decisionmeeting",
    "grants_round",
    "grants_track",
    "grants_budgetchange",
    "grants_publication",
    "regions_kommun",
    "regions_lan",
]
# Organisations show by name, type and seat; a new one without grants changes nothing.
WATCHED_CHANGES_ONLY = ["grants_organisation"]

# Tables whose writes can change the award list's counts (grants/selectors/facets.py): the
# grants (their listing copies: track, round, type, seat, municipality codes, amount), the
# municipalities they work in, the decisions (the meeting filter) and the rounds (drafts are not
# public). Each write changes GrantFacetState.facts_version, so precomputed counts built before
# it are never read.
FACTS = [
    "grants_grant",
    "grants_grant_beneficiary_kommuner",
    "grants_decision",
    "grants_round",
]
FACTS_STATE = "grants_grantfacetstate"
PG_FACTS_FUNCTION = """
CREATE OR REPLACE FUNCTION grants_bump_facts_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE grants_grantfacetstate SET facts_version = floor(random() * 9007199254740991)::bigint
    WHERE id = 1;
    RETURN NULL;
END $$;
"""
SQLITE_FACTS_BUMP = f"UPDATE {FACTS_STATE} SET facts_version = random() WHERE id = 1;"  # noqa: S608

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION grants_bump_public_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO grants_publicdataversion (id, version)
    VALUES (1, floor(random() * 9007199254740991)::bigint)
    ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END $$;
"""
SQLITE_BUMP = (
    "INSERT INTO grants_publicdataversion (id, version) VALUES (1, random())"
    " ON CONFLICT (id) DO UPDATE SET version = excluded.version;"
)


def _postgresql(run) -> None:
    run(PG_FUNCTION)
    for table in WATCHED + WATCHED_CHANGES_ONLY:
        events = "INSERT OR UPDATE OR DELETE" if table in WATCHED else "UPDATE OR DELETE"
        run(f"DROP TRIGGER IF EXISTS {table}_public_version ON {table}")
        run(
            f"CREATE TRIGGER {table}_public_version AFTER {events} OR TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION grants_bump_public_version()"
        )
    run("DROP TRIGGER IF EXISTS grants_application_public_version ON grants_application")
    run(
        "CREATE TRIGGER grants_application_public_version AFTER UPDATE OF status"
        " ON grants_application FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)"
        " EXECUTE FUNCTION grants_bump_public_version()"
    )
    run("DROP TRIGGER IF EXISTS grants_application_public_version_rows ON grants_application")
    run(
        "CREATE TRIGGER grants_application_public_version_rows AFTER INSERT OR DELETE"
        " ON grants_application FOR EACH STATEMENT"
        " EXECUTE FUNCTION grants_bump_public_version()"
    )


def _sqlite(run) -> None:
    for table in WATCHED + WATCHED_CHANGES_ONLY:
        events = ["INSERT", "UPDATE", "DELETE"] if table in WATCHED else ["UPDATE", "DELETE"]
        for event in events:
            run(
                f"CREATE TRIGGER IF NOT EXISTS {table}_public_version_{event.lower()}"
                f" AFTER {event} ON {table} BEGIN {SQLITE_BUMP} END"
            )
    run(
        "CREATE TRIGGER IF NOT EXISTS grants_application_public_version_update"
        " AFTER UPDATE OF status ON grants_application WHEN OLD.status IS NOT NEW.status"
        f" BEGIN {SQLITE_BUMP} END"
    )
    for event in ("INSERT", "DELETE"):
        run(
            f"CREATE TRIGGER IF NOT EXISTS grants_application_public_version_{event.lower()}"
            f" AFTER {event} ON grants_application BEGIN {SQLITE_BUMP} END"
        )


def _facts_triggers(connection, run) -> None:
    """The triggers that change GrantFacetState.facts_version (once its table exists)."""
    if FACTS_STATE not in connection.introspection.table_names():
        return
    if connection.vendor == "postgresql":
        run(PG_FACTS_FUNCTION)
        for table in FACTS:
            run(f"DROP TRIGGER IF EXISTS {table}_facts_version ON {table}")
            run(
                f"CREATE TRIGGER {table}_facts_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION grants_bump_facts_version()"
            )
    else:
        for table in FACTS:
            for event in ("INSERT", "UPDATE", "DELETE"):
                run(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_facts_version_{event.lower()}"
                    f" AFTER {event} ON {table} BEGIN {SQLITE_FACTS_BUMP} END"
                )


def ensure_public_version_triggers(connection) -> None:
    """Create the triggers and the version row where missing, and the award list counts' facts
    version triggers. Idempotent."""
    with connection.cursor() as cursor:

        def run(sql, params=None):
            cursor.execute(sql, params)

        if connection.vendor == "postgresql":
            _postgresql(run)
        elif connection.vendor == "sqlite":
            _sqlite(run)
        else:
            raise NotImplementedError(f"no public data version triggers for {connection.vendor}")
        _facts_triggers(connection, run)
        # A random first value: a database created anew never meets pages cached for another.
        run(
            "INSERT INTO grants_publicdataversion (id, version) VALUES (1, %s)"
            " ON CONFLICT (id) DO NOTHING",
            [secrets.randbits(52)],
        )


def drop_public_version_triggers(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in WATCHED + WATCHED_CHANGES_ONLY:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_public_version ON {table}")
            for name in (
                "grants_application_public_version",
                "grants_application_public_version_rows",
            ):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON grants_application")
            cursor.execute("DROP FUNCTION IF EXISTS grants_bump_public_version()")
            for table in FACTS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_facts_version ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS grants_bump_facts_version()")
        else:
            for table in [*WATCHED, *WATCHED_CHANGES_ONLY, "grants_application"]:
                for event in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_public_version_{event}")
            for table in FACTS:
                for event in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_facts_version_{event}")
