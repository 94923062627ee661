"""How the suite reaches a target: an HTTP client with deadlines, a body cap and a run budget."""
