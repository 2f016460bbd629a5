-- An expected violation in a scenario that never builds a machine: it cannot happen (exit 1).
msikit.expect_violation("prepare-once")
