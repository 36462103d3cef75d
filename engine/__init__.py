"""Domain core of Một Cửa: procedures, dossiers and tasks on SpiffWorkflow and SQLAlchemy.

Rooms, top to bottom (a room imports only rooms below it; import-linter keeps the order, see
pyproject.toml): background | people; work; dossiers | catalogue; queries; instance; bpmn;
access; models; rules | store. `errors` and `views` are words every room shares."""
