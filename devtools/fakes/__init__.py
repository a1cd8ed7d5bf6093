"""Stand-ins for external systems, for development, tests and benchmarks."""
