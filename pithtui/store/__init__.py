"""The store floor: schema, engine and the HubRepository, the only door to the database."""

from pithtui.store.engine import default_db_path, open_repository, resolve_url
from pithtui.store.repository import HubRepository

__all__ = ["HubRepository", "default_db_path", "open_repository", "resolve_url"]
