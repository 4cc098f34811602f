"""Daily digests: subscriptions, planning one delivery per subscriber per local date,
choosing each digest's papers, rendering it, and sending it exactly once."""
