"""Discord extensions, one per feature; modules starting with an underscore are shared helpers, not extensions."""
