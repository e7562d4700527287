"""Staff tools for the one-stop desk (bộ phận một cửa): the lookup page, the printable
checklist, the office dashboard over Rasa's tracker store, and staff accounts."""
