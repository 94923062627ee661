"""The breaking-change check: two versions of the contract in, classified changes out (pure)."""
