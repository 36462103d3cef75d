"""Domain core of Một Cửa: procedures, dossiers and tasks on SpiffWorkflow and SQLAlchemy."""
