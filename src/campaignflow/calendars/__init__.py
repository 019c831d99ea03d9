"""Built-in calendar plugins."""
