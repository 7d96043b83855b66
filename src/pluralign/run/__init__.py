"""Running suites: resolved configuration, the suite registry, execution and outputs."""
