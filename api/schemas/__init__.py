"""Marshmallow schemas: strict input (unknown keys refused), documented output."""
