"""Reads over the plain tables; none of them deserializes a workflow."""
