"""Flask extensions, bound in create_app. The engine's metadata is handed to Flask-SQLAlchemy."""

from __future__ import annotations

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from engine.store.db import Base

db = SQLAlchemy(metadata=Base.metadata)
migrate = Migrate()
