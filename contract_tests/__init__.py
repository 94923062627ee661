"""A contract suite that fuzzes any implementation of the API against the OpenAPI document."""
