"""The throwaway PostgreSQL server the backend-parametrized tests use."""

from sqlalchemy import create_engine, text


def test_each_test_gets_an_empty_database_of_its_own(postgres_server):
    first, second = postgres_server.create_database(), postgres_server.create_database()
    try:
        assert first != second
        engine = create_engine(first)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x int)"))
        engine.dispose()
        engine = create_engine(second)
        with engine.connect() as conn:
            tables = conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar_one()
        engine.dispose()
        assert tables == 0
    finally:
        postgres_server.drop_database(first)
        postgres_server.drop_database(second)
