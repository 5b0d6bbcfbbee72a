"""What tests share, imported as ``tests.support.<module>``: the fake Cloud Logging server (a real local server that
the real client is pointed at, never a mock of the client), LogEntry builders, hand-built frames, figure helpers."""
