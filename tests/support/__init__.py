"""Real local servers that tests point real clients at (no mocks of client objects)."""
